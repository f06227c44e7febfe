package broker

import (
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// A broker cut off from the controllers (KRaft) or from ZooKeeper
// (metadata.SessionLiveness) must assume, once its session timeout has passed without
// an answer, that the controller fenced it and gave its leaderships to other
// replicas. From then on it acknowledges no write: new ones and those waiting for
// replication answer NOT_LEADER_OR_FOLLOWER, so clients move to the new leader at once
// instead of waiting out their request timeout on a leader whose followers have left.
// A write it did not acknowledge is the producer's to retry; an idempotent producer's
// retry is deduplicated.

// sessionCheckInterval is how often the broker looks at its source's session.
const sessionCheckInterval = 100 * time.Millisecond

// sessionLost tells whether the current source has lost its session.
func (b *Broker) sessionLost() bool {
	l, ok := b.Source().(metadata.SessionLiveness)
	return ok && l.SessionLost()
}

// lostSession is a channel closed while the session is lost, for waits to end on.
func (b *Broker) lostSession() <-chan struct{} { return *b.sessionLostCh.Load() }

// sessionWatchLoop closes the lostSession channel when the session is lost and opens
// a new one when the source trusts its session and image again, logging both.
func (b *Broker) sessionWatchLoop() {
	defer b.wg.Done()
	tick := time.NewTicker(sessionCheckInterval)
	defer tick.Stop()
	lost := false
	for {
		select {
		case <-b.stop:
			return
		case <-tick.C:
		}
		now := b.sessionLost()
		switch {
		case now && !lost:
			b.log.Warn("the metadata session is lost (nothing answered for longer than the session timeout): this broker must assume it is fenced, and acknowledges no write until the session is back")
			close(*b.sessionLostCh.Load())
		case !now && lost:
			b.log.Info("the metadata session is back and the image has caught up: acknowledging writes the image lets this broker lead")
			open := make(chan struct{})
			b.sessionLostCh.Store(&open)
		}
		lost = now
	}
}
