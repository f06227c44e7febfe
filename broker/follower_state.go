package broker

import (
	"slices"
	"time"
)

// followerState is the leader's view of one follower, Kafka's ReplicaState: the offset
// it last fetched from (its log end offset) and when it was last caught up, which
// decide its ISR membership and hold the high watermark back.
type followerState struct {
	logEndOffset       int64 // -1 until it fetches in this leader epoch
	lastFetchLeaderLEO int64 // the leader's log end offset at its previous fetch
	lastFetchTime      time.Time
	lastCaughtUpTime   time.Time // zero: never, in this leader epoch
	brokerEpoch        int64     // sent with its fetches (Fetch v15+); -1 when unknown
}

// newFollowerState is a follower the leader knows nothing of yet.
func newFollowerState() *followerState {
	return &followerState{logEndOffset: -1, lastFetchLeaderLEO: -1, brokerEpoch: -1}
}

// isCaughtUp is Kafka's ReplicaState.isCaughtUp: at the leader's log end now, or caught
// up within replica.lag.time.max.ms.
func (f *followerState) isCaughtUp(leaderLEO int64, now time.Time, lag time.Duration) bool {
	return f.logEndOffset == leaderLEO || (!f.lastCaughtUpTime.IsZero() && now.Sub(f.lastCaughtUpTime) <= lag)
}

// recordFetch is Kafka's Replica.updateFetchStateOrThrow. A fetch from the leader's log
// end means caught up now; a fetch from where the leader's log ended at the previous
// fetch means caught up as of that fetch. So a follower that keeps fetching stays in
// sync under a steady stream of produce, and one that stops falls behind the clock.
func (f *followerState) recordFetch(fetchOffset, leaderLEO, brokerEpoch int64, now time.Time) {
	switch {
	case fetchOffset >= leaderLEO:
		f.lastCaughtUpTime = later(f.lastCaughtUpTime, now)
	case fetchOffset >= f.lastFetchLeaderLEO && !f.lastFetchTime.IsZero():
		f.lastCaughtUpTime = later(f.lastCaughtUpTime, f.lastFetchTime)
	}
	f.logEndOffset = fetchOffset
	f.lastFetchLeaderLEO = leaderLEO
	f.lastFetchTime = now
	f.brokerEpoch = brokerEpoch
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// isrEligibleLocked is Kafka's isReplicaIsrEligible in KRaft mode: only a replica on a
// broker that is registered, not fenced and not in controlled shutdown may join the ISR,
// and only if the broker epoch it fetches with is that registration's (a fetch from a
// previous incarnation must not vouch for the new one); a fetch without an epoch is
// taken as current.
func (p *Partition) isrEligibleLocked(id int32, f *followerState) bool {
	epoch, ok := p.eligible[id]
	return ok && (f.brokerEpoch < 0 || f.brokerEpoch == epoch)
}

// replicaFetch is who sent a fetch: a consumer (id -1) or a follower with its broker
// epoch (-1 when the request version cannot carry it).
type replicaFetch struct {
	id    int32
	epoch int64
}

// recordFollowerFetch updates a follower's state from its fetch at fetchOffset, moves
// the high watermark if the follower was holding it back, and returns the ISR expansion
// to propose if the follower has now caught up (Kafka's updateFollowerFetchState). The
// caller holds leadership shared and has checked that this broker leads and that the
// follower is a replica.
func (p *Partition) recordFollowerFetch(r replicaFetch, fetchOffset int64, now time.Time) *isrProposal {
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.followers[r.id]
	if f == nil {
		return nil
	}
	moved := f.logEndOffset != fetchOffset
	f.recordFetch(fetchOffset, leo, r.epoch, now)
	if moved {
		p.maybeIncrementHWLocked(leo, now)
	}
	return p.proposeExpandLocked(r.id, f, now)
}

// proposeExpandLocked is Kafka's maybeExpandIsr: a replica outside the ISR joins once it
// has reached the high watermark and fetched past the start of this leader's epoch
// (so it has truncated to this leader's log), if it is eligible and no other change is
// in flight.
func (p *Partition) proposeExpandLocked(id int32, f *followerState, now time.Time) *isrProposal {
	switch {
	case p.alter != nil, now.Before(p.alterRetryAt), slices.Contains(p.isr, id), !p.isrEligibleLocked(id, f):
		return nil
	case f.logEndOffset < p.hw || f.logEndOffset < p.epochStartOffset:
		return nil
	}
	return p.proposeLocked(append(slices.Clone(p.isr), id))
}
