package kraftbroker

import "time"

// freshnessFeed is a feed that can tell whether its image is as new as the quorum's
// log was at a given time; a broker's MetadataFollower is one. A combined node's
// controller feed is not: its image is the quorum's own.
type freshnessFeed interface {
	CaughtUpSince(t time.Time) bool
}

// SessionLost tells whether the broker must take itself for fenced
// (metadata.SessionLiveness). The active controller fences a broker whose heartbeats it
// has not received for broker.session.timeout.ms, so once no heartbeat sent within
// that time has been answered the broker must assume it is fenced and its leaderships
// handed to other replicas: measuring from the send of the last answered heartbeat,
// not from its answer, makes the broker stop acknowledging no later than the
// controller could have moved them.
//
// An answer alone does not end it. The image is as old as the cut: it still names
// this broker leader of partitions the controller gave away, in epochs the new
// leaders have since written past. The broker trusts it again only once it has
// caught up with the log as the quorum had it when the first heartbeat answered after
// the loss was sent, which holds every change made while the broker was cut off. That
// point stays fixed: later heartbeats are sent more often than a long-polling fetch
// returns, so a point that moved with them would never be caught up with.
func (s *BrokerSource) SessionLost() bool {
	last := s.answered.Load()
	if s.opts.SessionTimeout <= 0 || last == 0 {
		return false
	}
	if time.Since(time.Unix(0, last)) > s.opts.SessionTimeout {
		s.regainFrom.Store(0)
		s.lost.Store(true)
		return true
	}
	if !s.lost.Load() {
		return false
	}
	s.regainFrom.CompareAndSwap(0, last)
	if f, ok := s.feed.(freshnessFeed); ok && !f.CaughtUpSince(time.Unix(0, s.regainFrom.Load())) {
		return true
	}
	s.lost.Store(false)
	return false
}
