package kraftmode

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// brokerSession is what the active controller knows of one broker between heartbeats.
// Like Kafka's BrokerHeartbeatManager state it is never written to the log: a new
// active controller starts every broker on a fresh session instead.
type brokerSession struct {
	epoch       int64
	lastContact time.Time
	// metadataOffset is the CurrentMetadataOffset of the broker's last heartbeat in
	// this term, -1 before its first one.
	metadataOffset int64
	// shutdownOffset is the log offset of the records that began the broker's
	// controlled shutdown, -1 when it is not shutting down.
	shutdownOffset int64
}

// brokerSessions are the sessions of every registered broker. Heartbeats record their
// arrival here before they wait for the write lock, so a backlog of writes never
// makes a live broker look silent.
type brokerSessions struct {
	mu      sync.Mutex
	timeout time.Duration
	byID    map[int32]*brokerSession
}

// newBrokerSessions gives every broker of img a full session starting now.
func newBrokerSessions(img *metadata.Image, timeout time.Duration, now time.Time) *brokerSessions {
	s := &brokerSessions{timeout: timeout, byID: make(map[int32]*brokerSession, len(img.Brokers))}
	for id, b := range img.Brokers {
		s.byID[id] = newBrokerSession(b.Epoch, now)
	}
	return s
}

func newBrokerSession(epoch int64, now time.Time) *brokerSession {
	return &brokerSession{epoch: epoch, lastContact: now, metadataOffset: -1, shutdownOffset: -1}
}

// register starts a new session for a (re-)registered broker.
func (s *brokerSessions) register(id int32, epoch int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id] = newBrokerSession(epoch, now)
}

func (s *brokerSessions) remove(id int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// contact records that broker id, at epoch, was heard from.
func (s *brokerSessions) contact(id int32, epoch int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[id]; ok && ss.epoch == epoch {
		ss.lastContact = now
	}
}

// alive reports whether broker id's session at epoch has not expired.
func (s *brokerSessions) alive(id int32, epoch int64, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[id]
	return ok && ss.epoch == epoch && !now.After(ss.lastContact.Add(s.timeout))
}

// stale lists the unfenced brokers of img whose session expired, longest silent first,
// as Kafka fences them. A broker the image has but the sessions lack (its registration
// came from a path that does not start one) gets a full session instead.
func (s *brokerSessions) stale(img *metadata.Image, now time.Time) []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int32
	for id, b := range img.Brokers {
		if b.Fenced {
			continue
		}
		ss, ok := s.byID[id]
		if !ok || ss.epoch != b.Epoch {
			s.byID[id] = newBrokerSession(b.Epoch, now)
			continue
		}
		if now.After(ss.lastContact.Add(s.timeout)) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b int32) int { return s.byID[a].lastContact.Compare(s.byID[b].lastContact) })
	return ids
}

// reported records the metadata offset of a processed heartbeat; a broker that is now
// fenced has left any controlled shutdown.
func (s *brokerSessions) reported(id int32, offset int64, fenced bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[id]; ok {
		ss.metadataOffset = offset
		if fenced {
			ss.shutdownOffset = -1
		}
	}
}

// fenced ends broker id's controlled shutdown, if any.
func (s *brokerSessions) fenced(id int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[id]; ok {
		ss.shutdownOffset = -1
	}
}

// beginShutdown records the offset at which broker id's controlled shutdown began; a
// broker already shutting down keeps its first offset.
func (s *brokerSessions) beginShutdown(id int32, offset int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[id]; ok && ss.shutdownOffset < 0 {
		ss.shutdownOffset = offset
	}
}

// shutdownOffset is where broker id's controlled shutdown began, -1 if it is not
// shutting down.
func (s *brokerSessions) shutdownOffset(id int32) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.byID[id]; ok {
		return ss.shutdownOffset
	}
	return -1
}

// lowestActiveOffset is the lowest metadata offset reported by an active broker
// (unfenced, not shutting down), or MaxInt64 when there is none. A controlled shutdown
// completes only once every active broker has read past the records that moved the
// leaderships away, so no client is sent to a broker that does not know it leads.
func (s *brokerSessions) lowestActiveOffset(img *metadata.Image) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	lowest := int64(math.MaxInt64)
	for id, ss := range s.byID {
		b, ok := img.Brokers[id]
		if ok && !b.Fenced && ss.shutdownOffset < 0 {
			lowest = min(lowest, ss.metadataOffset)
		}
	}
	return lowest
}

// brokerState is a broker's place in Kafka's heartbeat state machine
// (BrokerControlState).
type brokerState int8

const (
	stateFenced brokerState = iota
	stateUnfenced
	stateControlledShutdown
	stateShutdownNow
)

func (s brokerState) fenced() bool { return s == stateFenced || s == stateShutdownNow }

// heartbeatInputs is what the next state depends on besides the current state.
type heartbeatInputs struct {
	hb             BrokerHeartbeat
	registerOffset int64
	hasLeaderships bool
	shutdownOffset int64
	lowestActive   int64
}

// nextBrokerState is BrokerHeartbeatManager.calculateNextBrokerState.
func nextBrokerState(cur brokerState, in heartbeatInputs) brokerState {
	switch cur {
	case stateFenced:
		switch {
		case in.hb.WantShutdown:
			return stateShutdownNow
		case !in.hb.WantFence && in.hb.CurrentMetadataOffset >= in.registerOffset:
			return stateUnfenced
		}
		return stateFenced
	case stateUnfenced:
		switch {
		case in.hb.WantFence && in.hb.WantShutdown:
			return stateShutdownNow
		case in.hb.WantFence:
			return stateFenced
		case in.hb.WantShutdown && in.hasLeaderships:
			return stateControlledShutdown
		case in.hb.WantShutdown:
			return stateShutdownNow
		}
		return stateUnfenced
	case stateControlledShutdown:
		if !in.hasLeaderships && in.shutdownOffset <= in.lowestActive {
			return stateShutdownNow
		}
		return stateControlledShutdown
	}
	return stateShutdownNow
}

// Heartbeat processes one BrokerHeartbeat as Kafka's QuorumController does: it keeps
// the broker's session alive, unfences a broker that has caught up with its own
// registration, fences one that asks for it, and drives a controlled shutdown until
// the broker may stop.
func (c *Controller) Heartbeat(_ context.Context, hb BrokerHeartbeat) (HeartbeatReply, error) {
	if at := c.activeTerm(); at != nil {
		at.sessions.contact(hb.BrokerID, hb.BrokerEpoch, time.Now())
	}
	if err := c.lockWriter(); err != nil {
		return HeartbeatReply{}, err
	}
	defer c.writeMu.Unlock()
	at := c.activeTerm()
	if at == nil {
		return HeartbeatReply{}, c.notController()
	}
	return c.heartbeatLocked(at, hb)
}

func (c *Controller) heartbeatLocked(at *activeTerm, hb BrokerHeartbeat) (HeartbeatReply, error) {
	img := c.Image()
	b, ok := img.Brokers[hb.BrokerID]
	if !ok {
		return HeartbeatReply{}, kafkaErr(kerr.StaleBrokerEpoch, "Receive a heartbeat from broker %d before registration", hb.BrokerID)
	}
	if b.Epoch != hb.BrokerEpoch {
		return HeartbeatReply{}, kafkaErr(kerr.StaleBrokerEpoch, "Expected broker epoch %d, but got broker epoch %d", b.Epoch, hb.BrokerEpoch)
	}
	cur := stateUnfenced
	switch {
	case b.Fenced:
		cur = stateFenced
	case at.sessions.shutdownOffset(b.ID) >= 0:
		cur = stateControlledShutdown
	}
	in := heartbeatInputs{hb: hb, registerOffset: b.Epoch}
	// Only a shutdown needs the scans over every partition and broker, and most
	// heartbeats are not part of one.
	if hb.WantShutdown || cur == stateControlledShutdown {
		in.hasLeaderships = leadsAny(img, b.ID)
		in.shutdownOffset = at.sessions.shutdownOffset(b.ID)
		in.lowestActive = at.sessions.lowestActiveOffset(img)
	}
	next := nextBrokerState(cur, in)
	if next != cur {
		if err := c.changeBrokerState(at, img, b, cur, next); err != nil {
			return HeartbeatReply{}, err
		}
	}
	at.sessions.reported(b.ID, hb.CurrentMetadataOffset, next.fenced())
	return HeartbeatReply{
		IsCaughtUp:     hb.CurrentMetadataOffset >= b.Epoch,
		IsFenced:       next.fenced(),
		ShouldShutdown: next == stateShutdownNow,
	}, nil
}

// changeBrokerState writes what a heartbeat's state transition means for the cluster.
func (c *Controller) changeBrokerState(at *activeTerm, img *metadata.Image, b *metadata.Broker, cur, next brokerState) error {
	mv := img.MetadataVersion()
	var brokerRec metadata.Record
	var changes []metadata.Record
	switch next {
	case stateFenced, stateShutdownNow:
		if cur == stateFenced {
			c.log.Info("fenced broker was granted an immediate shutdown", "broker.id", b.ID)
			return nil
		}
		brokerRec, changes = brokerFencingRecord(mv, b.ID, b.Epoch, true), c.brokerRemovedUpdates(img, b.ID)
	case stateUnfenced:
		brokerRec, changes = brokerFencingRecord(mv, b.ID, b.Epoch, false), c.brokerAddedUpdates(img, b.ID)
	case stateControlledShutdown:
		brokerRec, changes = controlledShutdownRecord(mv, b.ID, b.Epoch), c.brokerRemovedUpdates(img, b.ID)
	}
	// Kafka's order: a broker leaves ISRs and leaderships before it is fenced, and is
	// unfenced (or marked shutting down) before elections count on that.
	var recs []metadata.Record
	if next.fenced() {
		recs = append(changes, brokerRec)
	} else {
		if brokerRec != nil {
			recs = append(recs, brokerRec)
		}
		recs = append(recs, changes...)
	}
	last, _, err := c.appendChunks(recs)
	if err != nil {
		return fmt.Errorf("change state of broker %d: %w", b.ID, err)
	}
	switch next {
	case stateFenced:
		c.log.Info("fenced broker at its request", "broker.id", b.ID, "partition_changes", len(changes))
	case stateShutdownNow:
		c.log.Info("broker was granted shutdown; fenced it", "broker.id", b.ID, "partition_changes", len(changes))
	case stateUnfenced:
		c.log.Info("unfenced broker: it caught up with its registration", "broker.id", b.ID, "broker.epoch", b.Epoch, "partition_changes", len(changes))
	case stateControlledShutdown:
		offset := int64(last)
		if last == 0 {
			offset = img.Offset
		}
		at.sessions.beginShutdown(b.ID, offset)
		c.log.Info("broker began controlled shutdown", "broker.id", b.ID, "partition_changes", len(changes), "shutdown_offset", offset)
	}
	return nil
}

// leadsAny reports whether broker id leads at least one partition.
func leadsAny(img *metadata.Image, id int32) bool {
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			if p.Leader == id {
				return true
			}
		}
	}
	return false
}

// controlledShutdownPoll is how often ControlledShutdown asks again whether the broker
// may stop; Kafka's brokers ask with every heartbeat instead.
const controlledShutdownPoll = 50 * time.Millisecond

// ControlledShutdown is a controlled shutdown for a broker whose metadata source is
// this controller itself (a combined node): heartbeats that want shutdown, sent until
// the controller grants it. The broker reads the controller's own image, so it is
// always caught up.
func (c *Controller) ControlledShutdown(ctx context.Context, brokerID int32, brokerEpoch int64) error {
	t := time.NewTicker(controlledShutdownPoll)
	defer t.Stop()
	for {
		reply, err := c.Heartbeat(ctx, BrokerHeartbeat{
			BrokerID:              brokerID,
			BrokerEpoch:           brokerEpoch,
			CurrentMetadataOffset: c.Image().Offset,
			WantShutdown:          true,
		})
		if err != nil {
			return fmt.Errorf("controlled shutdown of broker %d: %w", brokerID, err)
		}
		if reply.ShouldShutdown {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("controlled shutdown of broker %d: %w", brokerID, ctx.Err())
		case <-t.C:
		}
	}
}
