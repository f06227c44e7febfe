package broker

import (
	"fmt"
	"slices"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// partitionSettings are the topic configs the partition itself acts on.
type partitionSettings struct {
	minISR     int
	maxMessage int32
	appendTime bool
	compacted  bool
}

// applyImage brings the partition in line with part, the image's view of it, and
// reports whether this broker led it before and in which leader epoch.
//
// A new leader epoch is a new term (Kafka's makeLeader and makeFollower): as leader the
// epoch's start offset is recorded in the log and follower state starts afresh; as
// follower the leader state is dropped (the fetcher truncates and fetches next). An
// image of the same term only changes the ISR, and only to a newer partition epoch than
// an AlterPartition answer already applied. Waiters wake when the role or the ISR
// changes.
//
// Only a new term takes leadership exclusively: the role changes only here and in
// resign, both under the replica manager's lock, so the term read first cannot change
// before the lock is taken.
func (p *Partition) applyImage(part *metadata.Partition, s partitionSettings, eligible map[int32]int64, now time.Time) (wasLeader bool, oldEpoch int32, err error) {
	p.mu.Lock()
	newTerm := part.Leader != p.leader || part.LeaderEpoch != p.leaderEpoch
	p.mu.Unlock()
	if newTerm {
		p.leadership.Lock()
		defer p.leadership.Unlock()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasLeader, oldEpoch = p.leader == p.self, p.leaderEpoch
	p.minISR, p.maxMessage, p.appendTime, p.compacted = s.minISR, s.maxMessage, s.appendTime, s.compacted
	p.replicas = part.Replicas
	changed := newTerm
	if newTerm || part.PartitionEpoch > p.partitionEpoch {
		p.isr, p.partitionEpoch, p.alter = part.ISR, part.PartitionEpoch, nil
		changed = true
	}
	p.leader, p.leaderEpoch = part.Leader, part.LeaderEpoch
	if part.Leader != p.self {
		p.followers, p.eligible, p.alter = nil, nil, nil
	} else {
		if newTerm {
			err = p.becomeLeaderLocked(wasLeader, now)
		} else {
			p.syncFollowersLocked()
		}
		p.eligible = eligible
		p.maybeIncrementHWLocked(p.log.LogEndOffset(), now)
	}
	if changed {
		p.hwWaiters.notify()
		p.leoWaiters.notify()
	}
	return wasLeader, oldEpoch, err
}

// becomeLeaderLocked starts a leader epoch. The epoch's start offset goes into the
// log's epoch history before anything is appended, so a follower that saw a later
// epoch of an earlier leader learns where to truncate. Followers' log end offsets are
// unknown to a new leader; a leader re-elected keeps them. ISR members count as caught
// up now, so none is dropped before it had replica.lag.time.max.ms to fetch.
func (p *Partition) becomeLeaderLocked(wasLeader bool, now time.Time) error {
	if !wasLeader {
		p.term++
	}
	start, err := p.log.AssignEpochStartOffset(p.leaderEpoch)
	if err != nil {
		return fmt.Errorf("become leader of %s-%d at epoch %d: %w", p.tp.topic, p.tp.partition, p.leaderEpoch, err)
	}
	p.epochStartOffset = start
	followers := make(map[int32]*followerState, len(p.replicas))
	for _, id := range p.replicas {
		if id == p.self {
			continue
		}
		f := newFollowerState()
		if prev := p.followers[id]; wasLeader && prev != nil {
			*f = *prev
			f.lastFetchLeaderLEO, f.lastFetchTime = start, now
		}
		f.lastCaughtUpTime = time.Time{}
		if slices.Contains(p.isr, id) {
			f.lastCaughtUpTime = now
		}
		followers[id] = f
	}
	p.followers = followers
	p.alterRetryAt = time.Time{}
	return nil
}

// syncFollowersLocked follows a reassignment within a term: new replicas start unknown,
// removed ones are forgotten.
func (p *Partition) syncFollowersLocked() {
	for id := range p.followers {
		if !slices.Contains(p.replicas, id) {
			delete(p.followers, id)
		}
	}
	for _, id := range p.replicas {
		if _, ok := p.followers[id]; !ok && id != p.self {
			p.followers[id] = newFollowerState()
		}
	}
}

// resign ends this broker's role when its replica is deleted, so that waiters answer
// NOT_LEADER_OR_FOLLOWER instead of waiting for their timeout.
func (p *Partition) resign() {
	p.leadership.Lock()
	defer p.leadership.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leader, p.followers, p.alter = -1, nil, nil
	p.hwWaiters.notify()
	p.leoWaiters.notify()
}

// isrEligibleBrokers maps the brokers whose replicas may join an ISR to their broker
// epochs: registered, not fenced and not in controlled shutdown. One map serves every
// partition of an image; nobody edits it.
func isrEligibleBrokers(img *metadata.Image) map[int32]int64 {
	out := make(map[int32]int64, len(img.Brokers))
	for id, br := range img.Brokers {
		if !br.Fenced && !br.InControlledShutdown {
			out[id] = br.Epoch
		}
	}
	return out
}
