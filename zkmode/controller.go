package zkmode

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// ControllerOptions are the broker configs the ZooKeeper-mode controller acts on.
type ControllerOptions struct {
	// BrokerID is this broker's broker.id: its own broker config is one of the places
	// unclean.leader.election.enable is resolved from.
	BrokerID int32
	// UncleanLeaderElection is the static unclean.leader.election.enable, the last
	// fallback after the topic, broker and cluster-default configs.
	UncleanLeaderElection bool
	// AutoLeaderRebalance is auto.leader.rebalance.enable: every
	// LeaderImbalanceCheckInterval (leader.imbalance.check.interval.seconds) the
	// controller moves leadership back to preferred replicas.
	AutoLeaderRebalance          bool
	LeaderImbalanceCheckInterval time.Duration
	// DeleteTopicEnable is delete.topic.enable; when false, deletion requests are
	// dropped, as Kafka's controller drops them.
	DeleteTopicEnable bool
	// Logger receives the controller's log; nil means slog.Default().
	Logger *slog.Logger
}

// Controller is the ZooKeeper side of Kafka's KafkaController: while this broker
// holds /controller it initializes the state znodes of new partitions, elects leaders
// and shrinks ISRs when brokers come and go, deletes topics queued in
// /admin/delete_topics, and runs preferred and unclean elections on request. It
// elects with metadata.PartitionChange, the builder the KRaft controller uses, so a
// cluster picks the same leaders in either mode, and it writes state znodes where
// the KRaft controller writes records.
//
// It is a ControllerListener: the elector starts and ends its terms. Every write of a
// term goes through the term's FencedWriter, so a controller that has been replaced
// cannot change anything, whether or not it has noticed yet.
type Controller struct {
	src  *Source
	opts ControllerOptions
	log  *slog.Logger

	// changed is signalled, coalescing, for every image the Source publishes; the
	// running term's goroutine reconciles on it.
	changed chan struct{}

	mu     sync.Mutex
	term   *controllerTerm // nil between terms
	closed bool
}

var _ ControllerListener = (*Controller)(nil)

// NewController returns the controller of the broker that src serves; it acts only
// between OnBecomeController and OnResign.
func NewController(src *Source, opts ControllerOptions) *Controller {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Controller{
		src:     src,
		opts:    opts,
		log:     opts.Logger.With("component", "zk-controller", "broker.id", opts.BrokerID),
		changed: make(chan struct{}, 1),
	}
	src.Subscribe(c.imagePublished)
	return c
}

// imagePublished runs on the Source's reload goroutine, so it only records that
// there is something new to look at.
func (c *Controller) imagePublished(*metadata.Image) {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// OnBecomeController starts a term (Kafka's onControllerFailover): the term's
// goroutine reads the tree afresh and reconciles it, then again on every image.
func (c *Controller) OnBecomeController(w *FencedWriter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.term = startTerm(c, w)
	c.log.Debug("controller term started", "epoch", w.Epoch())
}

// OnResign ends the term (Kafka's onControllerResignation) and returns once its
// goroutine has stopped, so the term sends no write afterwards; one already sent
// when the term was stopped may still reach ZooKeeper, where its epoch check fences
// it if another controller has been elected.
func (c *Controller) OnResign() {
	c.mu.Lock()
	t := c.term
	c.term = nil
	c.mu.Unlock()
	if t != nil {
		t.stop()
		c.log.Debug("controller term stopped", "epoch", t.w.Epoch())
	}
}

// Close stops any running term; later terms are not started.
func (c *Controller) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.OnResign()
}

// Active reports whether this broker acts as controller now: it holds a term whose
// work has not ended (a fenced write ends it before the elector resigns).
func (c *Controller) Active() bool {
	t := c.activeTerm()
	return t != nil && !t.finished()
}

func (c *Controller) activeTerm() *controllerTerm {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.term
}

// ElectLeaders runs preferred (or, with unclean, unclean) elections on partitions, as
// the ElectLeaders API (and kafka-leader-election.sh) asks the controller to. A nil
// map means every partition; then partitions that need no election are left out of
// the results, as in Kafka. It answers NOT_CONTROLLER when this broker is not the
// controller, so the client retries at /controller's broker, and returns once the
// Source's image holds what was written.
func (c *Controller) ElectLeaders(ctx context.Context, unclean bool, partitions map[string][]int32) ([]metadata.ElectionResult, error) {
	t := c.activeTerm()
	if t == nil {
		return nil, c.notController()
	}
	req := electionRequest{unclean: unclean, partitions: partitions, reply: make(chan electionReply, 1)}
	select {
	case t.elections <- req:
	case <-t.done:
		return nil, c.notController()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.results, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// notController is the error of a request only the controller carries out.
func (c *Controller) notController() error {
	return metadata.Errorf(kerr.NotController, "Broker %d is not the controller.", c.opts.BrokerID)
}
