package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// alterPartitionTimeout bounds one AlterPartition call; the partition's ISR cannot change
// again until it returns.
const alterPartitionTimeout = 30 * time.Second

// alterPartitionRetryBackoff is how long a leader waits before proposing again after an
// AlterPartition that failed without an answer to act on (no controller, a stale broker
// epoch), as Kafka's AlterPartitionManager backs off before it retries.
const alterPartitionRetryBackoff = 500 * time.Millisecond

// isrProposal is an AlterPartition in flight: the ISR this leader asked the controller
// for. Until the answer, or a newer image of the partition, arrives, the ISR does not
// change again and the high watermark waits for the union of it and the committed ISR.
type isrProposal struct {
	isr    []int32
	change metadata.ISRChange
}

// proposeLocked records an in-flight change to isr, fenced by the leader and partition
// epochs this leader holds, as Kafka's AlterPartition is.
func (p *Partition) proposeLocked(isr []int32) *isrProposal {
	p.alter = &isrProposal{
		isr: isr,
		change: metadata.ISRChange{
			TopicID:        p.topicID,
			Partition:      p.tp.partition,
			LeaderEpoch:    p.leaderEpoch,
			PartitionEpoch: p.partitionEpoch,
			NewISR:         isr,
		},
	}
	return p.alter
}

// proposeShrink is Kafka's maybeShrinkIsr: followers in the ISR that have not been
// caught up for replica.lag.time.max.ms leave it.
func (p *Partition) proposeShrink(now time.Time) *isrProposal {
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leader != p.self || p.alter != nil || now.Before(p.alterRetryAt) {
		return nil
	}
	var keep []int32
	for _, id := range p.isr {
		if f := p.followers[id]; id == p.self || (f != nil && f.isCaughtUp(leo, now, p.lagTime)) {
			keep = append(keep, id)
		}
	}
	if len(keep) == len(p.isr) {
		return nil
	}
	return p.proposeLocked(keep)
}

// completeISRChange applies the controller's answer to prop (Kafka's
// handleAlterPartitionUpdate). A newer image of the partition supersedes the answer.
// FENCED_LEADER_EPOCH and INVALID_UPDATE_VERSION mean this leader's view is stale: the
// change stays in flight, blocking others, until the image that explains them arrives.
// Any other failure drops the proposal so that a later check proposes afresh.
func (p *Partition) completeISRChange(prop *isrProposal, res metadata.ISRChangeResult, callErr error, now time.Time) (grown int, err error) {
	leo := p.log.LogEndOffset()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.alter != prop {
		return 0, nil
	}
	err = callErr
	if err == nil {
		err = res.Err
	}
	switch {
	case err == nil && res.State != nil && res.State.LeaderEpoch == p.leaderEpoch && res.State.PartitionEpoch >= p.partitionEpoch:
		p.alter = nil
		grown = len(res.State.ISR) - len(p.isr)
		p.isr, p.partitionEpoch = slices.Clone(res.State.ISR), res.State.PartitionEpoch
		p.hwWaiters.notify()
		p.maybeIncrementHWLocked(leo, now)
		return grown, nil
	case err == nil:
		p.alter = nil
		return 0, errors.New("the answer carries no partition state of this leader epoch")
	case errors.Is(err, kerr.FencedLeaderEpoch), errors.Is(err, kerr.InvalidUpdateVersion):
		return 0, err
	default:
		p.alter = nil
		p.alterRetryAt = now.Add(alterPartitionRetryBackoff)
		return 0, err
	}
}

// isrRequest is one partition's proposal on its way to the controller.
type isrRequest struct {
	p    *Partition
	prop *isrProposal
}

// alterISR sends proposals to the metadata source in one AlterPartition call and
// applies the answers.
func (b *Broker) alterISR(reqs []isrRequest) {
	changes := make([]metadata.ISRChange, len(reqs))
	for i, r := range reqs {
		changes[i] = r.prop.change
		b.log.Info("proposing ISR change", "topic", r.p.tp.topic, "partition", r.p.tp.partition,
			"new_isr", r.prop.isr, "leader_epoch", r.prop.change.LeaderEpoch, "partition_epoch", r.prop.change.PartitionEpoch)
	}
	ctx, cancel := b.stopContext()
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, alterPartitionTimeout)
	defer cancelTimeout()
	results, err := b.Source().AlterPartition(ctx, b.id, b.brokerEpoch(), changes)
	if err == nil && len(results) != len(changes) {
		err = fmt.Errorf("AlterPartition answered %d of %d partitions", len(results), len(changes))
	}
	now := time.Now()
	for i, r := range reqs {
		var res metadata.ISRChangeResult
		if err == nil {
			res = results[i]
		}
		grown, perr := r.p.completeISRChange(r.prop, res, err, now)
		switch {
		case perr != nil:
			b.isrCounts.failed.Add(1)
			b.log.Warn("ISR change not applied", "topic", r.p.tp.topic, "partition", r.p.tp.partition,
				"new_isr", r.prop.isr, "err", perr)
		case grown > 0:
			b.isrCounts.expands.Add(1)
		case grown < 0:
			b.isrCounts.shrinks.Add(1)
		}
	}
}

// isrQueue gathers the expansions found on the fetch path into AlterPartition calls,
// one in flight at a time, as Kafka's AlterPartitionManager batches its items: a
// broker back after a partition is found caught up on hundreds of partitions within a
// few fetches, and one call each, every one waiting for its own metadata commit, kept
// it out of their ISRs for tens of seconds (1,050 partitions: ~25 s).
type isrQueue struct {
	mu      sync.Mutex
	pending []isrRequest
	sending bool
}

// alterISRAsync sends an expansion found on the fetch path without holding up the
// fetch, with every other expansion queued meanwhile. The caller runs in a connection
// goroutine, which Close waits for (clients) before it waits for b.wg, so the Add
// cannot race that Wait.
func (b *Broker) alterISRAsync(reqs []isrRequest) {
	if b.isClosed() {
		return
	}
	q := &b.expansions
	q.mu.Lock()
	q.pending = append(q.pending, reqs...)
	if q.sending {
		q.mu.Unlock()
		return
	}
	q.sending = true
	q.mu.Unlock()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			q.mu.Lock()
			batch := q.pending
			q.pending = nil
			if len(batch) == 0 {
				q.sending = false
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			b.alterISR(batch)
		}
	}()
}

// isrExpirationLoop checks every replica.lag.time.max.ms/2 for followers to drop from
// the ISR, as Kafka's isr-expiration task does.
func (b *Broker) isrExpirationLoop() {
	defer b.wg.Done()
	tick := time.NewTicker(max(time.Duration(b.cfg.ReplicaLagTimeMaxMs)*time.Millisecond/2, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-b.stop:
			return
		case now := <-tick.C:
			var reqs []isrRequest
			for _, p := range b.replicas.snapshot() {
				if prop := p.proposeShrink(now); prop != nil {
					reqs = append(reqs, isrRequest{p, prop})
				}
			}
			if len(reqs) > 0 {
				b.alterISR(reqs)
			}
		}
	}
}
