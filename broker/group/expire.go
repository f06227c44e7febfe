package group

import (
	"time"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// RetentionCheckInterval is Kafka's offsets.retention.check.interval.ms default.
const RetentionCheckInterval = 10 * time.Minute

// ExpireOffsets deletes committed offsets older than offsets.retention.minutes, by
// Kafka's rules (KIP-211): all offsets of a consumer group that has been Empty that
// long, a Stable consumer group's offsets of topics it no longer subscribes to, and a
// simple (memberless) group's offsets by their commit time. Empty groups left without
// offsets or open transactional commits are deleted. Tombstones are written for
// everything removed; it returns how many offsets expired.
func (c *Coordinator) ExpireOffsets() int {
	c.mu.Lock()
	var parts []int32
	for p, op := range c.parts {
		if !op.loading {
			parts = append(parts, p)
		}
	}
	c.mu.Unlock()
	total := 0
	for _, p := range parts {
		total += c.expirePartition(p)
	}
	return total
}

func (c *Coordinator) expirePartition(partition int32) int {
	mu := c.appendLock(partition)
	mu.Lock()
	defer mu.Unlock()
	c.mu.Lock()
	now := c.clock.Now()
	var recs []coordlog.Record
	expired := 0
	for _, g := range c.groups {
		if g.partition != partition {
			continue
		}
		for _, tp := range g.expiredOffsets(now, c.cfg.OffsetsRetention) {
			delete(g.offsets, tp)
			recs = append(recs, coordlog.Record{Key: EncodeOffsetKey(OffsetKey{Group: g.id, Topic: tp.topic, Partition: tp.partition})})
			expired++
		}
		// Offsets awaiting a transaction's end keep the group: Kafka expires committed
		// offsets regardless, but removes a group only without open transactions.
		if g.state == Empty && !g.hasOffsets() && len(g.pending) == 0 {
			recs = append(recs, coordlog.Record{Key: EncodeGroupMetadataKey(g.id)})
			c.removeGroupLocked(g)
		}
	}
	c.mu.Unlock()
	if len(recs) == 0 {
		return 0
	}
	if err := c.appendRecords(partition, recs); err != nil {
		c.slog.Warn("failed to write expired offset tombstones", "partition", partition, "err", err)
		return expired
	}
	if expired > 0 {
		c.slog.Info("expired committed offsets", "partition", partition, "offsets", expired)
	}
	return expired
}

func (g *group) expiredOffsets(now time.Time, retention time.Duration) []topicPartition {
	var skip map[string]bool
	var base func(o CommittedOffset) int64
	commitTime := func(o CommittedOffset) int64 { return o.CommitTimestamp }
	switch {
	case g.protocolType != "" && g.state == Empty:
		base = commitTime
		if !g.stateTime.IsZero() {
			emptySince := g.stateTime.UnixMilli()
			base = func(CommittedOffset) int64 { return emptySince }
		}
	case g.protocolType == "consumer" && g.state == Stable:
		topics, ok := g.subscribedTopics()
		if !ok {
			return nil
		}
		skip, base = topics, commitTime
	case g.protocolType == "":
		base = commitTime
	default:
		return nil
	}
	nowMs := now.UnixMilli()
	var out []topicPartition
	for tp, o := range g.offsets {
		if skip[tp.topic] {
			continue
		}
		if (o.ExpireTimestamp >= 0 && nowMs >= o.ExpireTimestamp) ||
			(o.ExpireTimestamp < 0 && nowMs-base(o.CommittedOffset) >= retention.Milliseconds()) {
			out = append(out, tp)
		}
	}
	return out
}
