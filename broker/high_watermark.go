package broker

import (
	"slices"
	"time"
)

// effectiveMinISRLocked is Kafka's effectiveMinIsr: min.insync.replicas capped at the
// replication factor, so that a minimum set above the replica count does not make the
// partition unwritable.
func (p *Partition) effectiveMinISRLocked() int {
	return min(p.minISR, len(p.replicas))
}

// inMaximalISRLocked reports whether id is in the committed ISR or in the one an
// in-flight AlterPartition asks for. The high watermark waits for both (Kafka's
// "maximal ISR", KIP-497): a replica being added must not find the high watermark
// already past its log end once the controller commits it, and one being removed is
// still a member until then.
func (p *Partition) inMaximalISRLocked(id int32) bool {
	return slices.Contains(p.isr, id) || (p.alter != nil && slices.Contains(p.alter.isr, id))
}

// maximalISRSizeLocked is the size of the union of the committed and the proposed ISR.
func (p *Partition) maximalISRSizeLocked() int {
	n := len(p.isr)
	if p.alter != nil {
		for _, id := range p.alter.isr {
			if !slices.Contains(p.isr, id) {
				n++
			}
		}
	}
	return n
}

// maybeIncrementHWLocked is Kafka's Partition.maybeIncrementLeaderHW: the high
// watermark becomes the smallest log end offset among the leader, the maximal ISR,
// and the replicas outside it that are caught up and eligible to join (waiting for
// those lets them reach the high watermark and be added), and it only moves forward.
// Under the effective min.insync.replicas it does not move at all (KIP-966): what the
// leader alone holds is not committed. It wakes waiters and reports whether it moved.
func (p *Partition) maybeIncrementHWLocked(leo int64, now time.Time) bool {
	if p.leader != p.self || len(p.isr) < p.effectiveMinISRLocked() {
		return false
	}
	hw := leo
	for id, f := range p.followers {
		if f.logEndOffset >= hw {
			continue
		}
		if p.inMaximalISRLocked(id) || (f.isCaughtUp(leo, now, p.lagTime) && p.isrEligibleLocked(id, f)) {
			hw = f.logEndOffset
		}
	}
	if hw <= p.hw {
		return false
	}
	p.hw = hw
	p.hwWaiters.notify()
	return true
}

// appendedAsLeader runs after leader appends: replica fetches waiting at the old log
// end wake, and a partition with no follower to wait for commits at once.
func (p *Partition) appendedAsLeader() {
	p.leadership.RLock()
	defer p.leadership.RUnlock()
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leoWaiters.notify()
	p.maybeIncrementHWLocked(leo, time.Now())
}

// updateFollowerHW takes the leader's high watermark from a fetch response. A follower's
// high watermark is the leader's capped at its own log end, and only moves forward
// (Kafka's maybeUpdateHighWatermark); truncation is what lowers it.
func (p *Partition) updateFollowerHW(leaderHW int64) {
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.followerLag = max(0, leaderHW-leo)
	if hw := min(leaderHW, leo); hw > p.hw {
		p.hw = hw
		p.hwWaiters.notify()
	}
}

// clampHW keeps the high watermark inside the log after a truncation, as Kafka's
// UnifiedLog does: never above the log end, never below the log start.
func (p *Partition) clampHW() {
	start, leo := p.log.LogStartOffset(), p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hw = max(min(p.hw, leo), start)
}
