package zkmode

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/go-zookeeper/zk"
)

// controllerRetryBackoff is how soon a pass whose writes failed for a reason that
// brings no new image (a lost connection, a request timeout) is tried again.
const controllerRetryBackoff = time.Second

// controllerTerm is one term's work: a goroutine that reconciles the tree with what a
// controller must make of it, on the term's start and on every image, and serves
// election requests in between, so that only one goroutine ever writes for the term.
type controllerTerm struct {
	c   *Controller
	w   *FencedWriter
	log *slog.Logger

	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	elections chan electionRequest

	// preferredWatch is the armed watch on /admin/preferred_replica_election, nil
	// when none is: the Source does not read that znode, so the term watches it.
	// preferredPending says the znode exists and has not been acted on yet.
	preferredWatch   <-chan zk.Event
	preferredPending bool
}

// outcome is what a step of a pass did: whether it wrote anything, and whether some
// of its writes failed and must be tried again.
type outcome struct {
	wrote, failed bool
}

// add merges the outcome of a write of units into o.
func (o *outcome) add(errs []error) {
	for _, err := range errs {
		if err == nil {
			o.wrote = true
		} else {
			o.failed = true
		}
	}
}

// startTerm starts the goroutine of a term written through w.
func startTerm(c *Controller, w *FencedWriter) *controllerTerm {
	ctx, cancel := context.WithCancel(context.Background())
	t := &controllerTerm{
		c:         c,
		w:         w,
		log:       c.log.With("controller_epoch", w.Epoch()),
		ctx:       ctx,
		cancel:    cancel,
		done:      make(chan struct{}),
		elections: make(chan electionRequest),
	}
	go t.run()
	return t
}

// stop ends the term's work at once and waits for its goroutine.
func (t *controllerTerm) stop() {
	t.cancel()
	<-t.done
}

// finished reports whether the term's goroutine has ended.
func (t *controllerTerm) finished() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

func (t *controllerTerm) run() {
	defer close(t.done)
	// The image may predate the election: act on a tree read after it, as Kafka's
	// controller reads ZooKeeper afresh on failover.
	t.c.src.waitReload(t.ctx)
	var rebalance <-chan time.Time
	if t.c.opts.AutoLeaderRebalance && t.c.opts.LeaderImbalanceCheckInterval > 0 {
		ticker := time.NewTicker(t.c.opts.LeaderImbalanceCheckInterval)
		defer ticker.Stop()
		rebalance = ticker.C
	}
	retry := time.NewTimer(controllerRetryBackoff)
	retry.Stop()
	defer retry.Stop()
	reconcile := true
	for {
		if reconcile {
			failed, err := t.reconcile()
			if err != nil {
				t.end(err)
				return
			}
			if failed {
				retry.Reset(controllerRetryBackoff)
			}
		}
		reconcile = false
		var err error
		select {
		case <-t.ctx.Done():
			return
		case <-t.c.changed:
			reconcile = true
		case <-retry.C:
			reconcile = true
		case <-t.preferredWatch:
			t.preferredWatch = nil
			reconcile = true
		case <-rebalance:
			err = t.rebalanceLeaders()
		case req := <-t.elections:
			err = t.serveElection(req)
		}
		if err != nil {
			t.end(err)
			return
		}
	}
}

// reconcile is one pass over the tree. Each step reads the newest tree, and a step
// that wrote waits until the image shows its writes, so that no step decides on a
// state the controller itself has already changed (Kafka's controller keeps such a
// cache in memory; here the Source's image is the cache). It reports whether some
// write failed; an error ends the term.
func (t *controllerTerm) reconcile() (failed bool, err error) {
	for _, step := range []func(*Tree) (outcome, error){
		t.deleteTopics, t.initializePartitions, t.electOnBrokerChange, t.preferredFromAdmin,
	} {
		o, err := step(t.c.src.Tree())
		if err != nil {
			return false, err
		}
		failed = failed || o.failed
		if o.wrote {
			t.c.src.waitReload(t.ctx)
		}
	}
	return failed, nil
}

// over tells whether err ends the term: the controller was fenced, or the term was
// stopped. Steps return only such errors; any other failure is logged and retried.
func (t *controllerTerm) over(err error) bool {
	return errors.Is(err, ErrControllerMoved) || t.ctx.Err() != nil
}

// readFailed handles a failed read of a step: it returns err when err ends the term;
// any other is logged, and the step is tried again later.
func (t *controllerTerm) readFailed(err error, msg string, attrs ...any) error {
	if t.over(err) {
		return err
	}
	t.log.Warn(msg+"; trying again", append(attrs, "err", err)...)
	return nil
}

// end logs why the term's work ended, err being one that is over. A fenced term
// ends quietly: its elector learns of it from the FencedWriter and resigns.
func (t *controllerTerm) end(err error) {
	if t.ctx.Err() == nil {
		t.log.Info("another controller has been elected; this term makes no more writes", "reason", err)
	}
}
