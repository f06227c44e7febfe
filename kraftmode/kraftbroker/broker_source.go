package kraftbroker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// ImageFeed is where a BrokerSource reads the metadata log: the local controller's FSM
// on a combined node (a *kraftmode.Controller), a MetadataFollower on a broker-only
// node.
type ImageFeed interface {
	Image() *metadata.Image
	Subscribe(fn func(*metadata.Image))
	// AppliedOffset is the log offset the feed has applied through.
	AppliedOffset() int64
	// LeaderID is the quorum leader the feed knows, or -1.
	LeaderID() int32
}

// BrokerSourceOptions configures a broker's view of the quorum.
type BrokerSourceOptions struct {
	NodeID    int32
	ClusterID string
	Voters    []kraftmode.Voter
	// HeartbeatInterval is broker.heartbeat.interval.ms; 0 means 2 s.
	HeartbeatInterval time.Duration
	// SessionTimeout is broker.session.timeout.ms: a broker no controller has answered
	// for longer must assume it is fenced (SessionLost); 0 never does.
	SessionTimeout time.Duration
	// Security is how the broker connects to the controller listener (TLS when it is
	// mapped to SSL); the zero value is plaintext TCP.
	Security kwire.Security
	Logger   *slog.Logger
}

// BrokerSource is a KRaft broker's metadata.Source: it reads the image from a feed and
// sends every write to the active controller over the controller listener, as a Kafka
// broker does (BrokerRegistration, BrokerHeartbeat, AlterPartition, forwarded admin
// writes). It owns the broker's lifecycle with the quorum: registration, heartbeats,
// re-registration when the controller no longer knows its epoch, and controlled
// shutdown — so the epoch it holds is the broker's current one.
type BrokerSource struct {
	opts  BrokerSourceOptions
	log   *slog.Logger
	feed  ImageFeed
	hbCh  *kwire.ControllerChannel
	rpcCh *kwire.ControllerChannel

	// answered is when the last heartbeat a controller answered was sent (Unix ns).
	answered atomic.Int64
	// lost is set while the broker takes itself for fenced (SessionLost), and
	// regainFrom is then the send time (Unix ns) of the first heartbeat answered since.
	lost       atomic.Bool
	regainFrom atomic.Int64
	// hold takes this broker's leaderships out of the images served
	// (SuspendLeadership).
	hold leadershipSuspension

	// regMu serializes registrations: the one a broker asks for (moving to the
	// quorum in place, say) and the one a refused heartbeat makes, which must not
	// replace a registration made while that heartbeat was on its way.
	regMu     sync.Mutex
	mu        sync.Mutex
	reg       *metadata.BrokerRegistration
	epoch     atomic.Int64
	fenced    atomic.Bool
	unfenced  chan struct{} // closed at the first heartbeat that finds us unfenced
	shutdown  atomic.Bool
	shutReady chan struct{} // closed when the controller says ShouldShutdown
	kick      chan struct{}

	stop     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

var (
	_ metadata.Source          = (*BrokerSource)(nil)
	_ metadata.QuorumDescriber = (*BrokerSource)(nil)
	_ ImageFeed                = (*MetadataFollower)(nil)
	_ ImageFeed                = (*kraftmode.Controller)(nil)
)

// NewBrokerSource builds the source; nothing is sent until RegisterBroker.
func NewBrokerSource(feed ImageFeed, opts BrokerSourceOptions) *BrokerSource {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 2 * time.Second
	}
	id := "kbridge-broker-" + strconv.Itoa(int(opts.NodeID))
	s := &BrokerSource{
		opts:      opts,
		log:       opts.Logger.With("component", "broker-lifecycle", "node.id", opts.NodeID),
		feed:      feed,
		hbCh:      kwire.NewControllerChannel(kraftmode.Peers(opts.Voters), id+"-heartbeat", feed.LeaderID, opts.Security),
		rpcCh:     kwire.NewControllerChannel(kraftmode.Peers(opts.Voters), id, feed.LeaderID, opts.Security),
		unfenced:  make(chan struct{}),
		shutReady: make(chan struct{}),
		kick:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
	}
	s.epoch.Store(-1)
	s.fenced.Store(true)
	return s
}

// Image returns the feed's newest image, without this broker's leaderships while
// SuspendLeadership holds them.
func (s *BrokerSource) Image() *metadata.Image { return s.served(s.feed.Image()) }

// Subscribe calls fn with every image the source serves: the feed's, in order, and
// the current one again when SuspendLeadership starts or ends.
func (s *BrokerSource) Subscribe(fn func(*metadata.Image)) { s.subscribe(fn) }

// RegisterBroker registers with the active controller and starts heartbeating. The
// broker stays fenced until a heartbeat finds it caught up with the log; WaitUnfenced
// waits for that.
func (s *BrokerSource) RegisterBroker(ctx context.Context, reg metadata.BrokerRegistration) (int64, error) {
	s.mu.Lock()
	first := s.reg == nil
	r := reg
	s.reg = &r
	s.mu.Unlock()
	epoch, err := s.register(ctx)
	if err != nil {
		return 0, err
	}
	if first {
		s.wg.Add(1)
		go s.heartbeatLoop()
	}
	return epoch, nil
}

func (s *BrokerSource) register(ctx context.Context) (int64, error) {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	return s.registerLocked(ctx)
}

// registerAgain registers anew after a heartbeat carrying epoch was refused, unless a
// registration has replaced that epoch since: the controller refused the heartbeat
// for the very registration this broker just replaced, and registering again would
// replace a live registration with a fenced one (moving the broker's leaderships and
// ISR places away) for nothing. It tells whether it registered.
func (s *BrokerSource) registerAgain(ctx context.Context, epoch int64) (bool, error) {
	s.regMu.Lock()
	defer s.regMu.Unlock()
	if s.epoch.Load() != epoch {
		return false, nil
	}
	_, err := s.registerLocked(ctx)
	return err == nil, err
}

func (s *BrokerSource) registerLocked(ctx context.Context) (int64, error) {
	s.mu.Lock()
	reg := *s.reg
	s.mu.Unlock()
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.BrokerID = reg.BrokerID
	req.ClusterID = s.opts.ClusterID
	req.IncarnationID = reg.IncarnationID
	req.IsMigratingZkBroker = reg.IsMigratingZkBroker
	req.PreviousBrokerEpoch = s.epoch.Load()
	if reg.Rack != "" {
		rack := reg.Rack
		req.Rack = &rack
	}
	for _, e := range reg.Endpoints {
		l := kmsg.NewBrokerRegistrationRequestListener()
		l.Name, l.Host, l.Port, l.SecurityProtocol = e.Name, e.Host, e.Port, e.SecurityProtocol
		req.Listeners = append(req.Listeners, l)
	}
	for _, f := range reg.Features {
		rf := kmsg.NewBrokerRegistrationRequestFeature()
		rf.Name, rf.MinSupportedVersion, rf.MaxSupportedVersion = f.Name, f.MinVersion, f.MaxVersion
		req.Features = append(req.Features, rf)
	}
	for _, d := range reg.LogDirs {
		req.LogDirs = append(req.LogDirs, d)
	}
	var resp *kmsg.BrokerRegistrationResponse
	for waited := false; ; waited = true {
		kresp, err := s.hbCh.Request(ctx, req)
		if err != nil {
			return 0, fmt.Errorf("register broker %d: %w", reg.BrokerID, err)
		}
		resp = kresp.(*kmsg.BrokerRegistrationResponse)
		if resp.ErrorCode != kerr.DuplicateBrokerRegistration.Code {
			break
		}
		// A previous incarnation of this broker (killed, not shut down) still has a
		// live session; the controller accepts us once it expires, as in Kafka.
		if !waited {
			s.log.Info("waiting for the previous incarnation's session to expire before registering")
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("register broker %d: %w", reg.BrokerID, kerr.DuplicateBrokerRegistration)
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return 0, fmt.Errorf("register broker %d: %w", reg.BrokerID, err)
	}
	s.epoch.Store(resp.BrokerEpoch)
	s.log.Info("registered with the controller quorum", "broker.epoch", resp.BrokerEpoch)
	return resp.BrokerEpoch, nil
}

// Epoch is the broker epoch of the current registration (-1 before the first).
func (s *BrokerSource) Epoch() int64 { return s.epoch.Load() }

// WaitUnfenced blocks until the controller has unfenced this broker: only then may it
// lead partitions and serve clients, as in Kafka.
func (s *BrokerSource) WaitUnfenced(ctx context.Context) error {
	select {
	case <-s.unfenced:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait to be unfenced by the controller (metadata offset %d): %w", s.feed.AppliedOffset(), ctx.Err())
	}
}

func (s *BrokerSource) heartbeatLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.HeartbeatInterval)
	defer t.Stop()
	var once sync.Once
	var lastWarn time.Time
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*s.opts.HeartbeatInterval)
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		sent, epoch := time.Now(), s.epoch.Load()
		reply, err := s.heartbeat(ctx, epoch)
		cancel()
		if err == nil || errors.Is(err, kerr.StaleBrokerEpoch) || errors.Is(err, kerr.BrokerIDNotRegistered) {
			s.answered.Store(sent.UnixNano())
		}
		switch {
		case err == nil:
			if s.fenced.Swap(reply.IsFenced) != reply.IsFenced {
				s.log.Info("fencing state changed", "fenced", reply.IsFenced, "caught_up", reply.IsCaughtUp)
			}
			if !reply.IsFenced {
				once.Do(func() { close(s.unfenced) })
			}
			if reply.ShouldShutdown {
				s.markShutdownReady()
			}
		case errors.Is(err, kerr.StaleBrokerEpoch) || errors.Is(err, kerr.BrokerIDNotRegistered):
			rctx, rcancel := context.WithTimeout(context.Background(), 5*s.opts.HeartbeatInterval)
			again, err2 := s.registerAgain(rctx, epoch)
			rcancel()
			switch {
			case err2 != nil:
				s.log.Warn("the controller no longer knows this registration, and registering again failed", "err", err, "broker.epoch", epoch, "register_err", err2)
			case again:
				s.log.Warn("the controller no longer knows this registration; registered again", "err", err, "old_broker_epoch", epoch, "broker.epoch", s.epoch.Load())
			default:
				s.log.Debug("heartbeat refused for a registration already replaced", "err", err, "broker.epoch", epoch)
			}
		case time.Since(lastWarn) >= warnEvery:
			s.log.Warn("heartbeat to the active controller failed; retrying", "err", err)
			lastWarn = time.Now()
		default:
			s.log.Debug("heartbeat failed", "err", err)
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// heartbeat sends one heartbeat for the registration of the given broker epoch.
func (s *BrokerSource) heartbeat(ctx context.Context, epoch int64) (kraftmode.HeartbeatReply, error) {
	req := kmsg.NewPtrBrokerHeartbeatRequest()
	req.BrokerID = s.opts.NodeID
	req.BrokerEpoch = epoch
	req.CurrentMetadataOffset = s.feed.AppliedOffset()
	req.WantShutdown = s.shutdown.Load()
	kresp, err := s.hbCh.Request(ctx, req)
	if err != nil {
		return kraftmode.HeartbeatReply{}, err
	}
	resp := kresp.(*kmsg.BrokerHeartbeatResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return kraftmode.HeartbeatReply{}, err
	}
	return kraftmode.HeartbeatReply{IsCaughtUp: resp.IsCaughtUp, IsFenced: resp.IsFenced, ShouldShutdown: resp.ShouldShutdown}, nil
}

func (s *BrokerSource) markShutdownReady() {
	select {
	case <-s.shutReady:
	default:
		close(s.shutReady)
	}
}

// ControlledShutdown asks the controller, through heartbeats, to move this broker's
// leaderships away, and returns once it says the broker may stop.
func (s *BrokerSource) ControlledShutdown(ctx context.Context, _ int32, _ int64) error {
	s.shutdown.Store(true)
	s.log.Info("controlled shutdown requested")
	select {
	case s.kick <- struct{}{}:
	default:
	}
	select {
	case <-s.shutReady:
		s.log.Info("controlled shutdown complete")
		return nil
	case <-ctx.Done():
		return fmt.Errorf("controlled shutdown of broker %d: %w", s.opts.NodeID, ctx.Err())
	}
}

// Close stops heartbeating (the controller fences the broker when its session runs
// out, or has already, after a controlled shutdown) and closes connections.
func (s *BrokerSource) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.hbCh.Close()
		s.rpcCh.Close()
	})
}

// remoteErr rebuilds a controller's error code and message as an error the broker can
// answer clients with.
func remoteErr(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	ke, ok := err.(*kerr.Error)
	if !ok {
		return err
	}
	if msg == nil || *msg == "" {
		return ke
	}
	return metadata.Errorf(ke, "%s", *msg)
}
