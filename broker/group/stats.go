package group

import (
	"github.com/kbridge/kbridge/metrics"
)

// Stats counts the groups of the partitions this coordinator owns by state, and their
// committed offsets, as Kafka's GroupMetadataManager gauges do. Transactional commits
// still waiting for their marker are not committed yet and not counted.
func (c *Coordinator) Stats() metrics.GroupMetadataStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := metrics.GroupMetadataStats{NumGroups: len(c.groups)}
	for _, g := range c.groups {
		s.NumOffsets += len(g.offsets)
		switch g.state {
		case Empty:
			s.NumGroupsEmpty++
		case PreparingRebalance:
			s.NumGroupsPreparingRebalance++
		case CompletingRebalance:
			s.NumGroupsCompletingRebalance++
		case Stable:
			s.NumGroupsStable++
		case Dead:
			s.NumGroupsDead++
		}
	}
	return s
}

// CommittedOffsets lists the groups this coordinator owns with their member counts and
// committed offsets, for the consumer lag metrics. High watermarks are the broker's to
// fill in; they are -1 here.
func (c *Coordinator) CommittedOffsets() []metrics.GroupOffsets {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]metrics.GroupOffsets, 0, len(c.groups))
	for _, g := range c.groups {
		gro := metrics.GroupOffsets{Group: g.id, Members: len(g.members), Offsets: make([]metrics.PartitionOffset, 0, len(g.offsets))}
		for tp, o := range g.offsets {
			gro.Offsets = append(gro.Offsets, metrics.PartitionOffset{Topic: tp.topic, Partition: tp.partition, Committed: o.Offset, HighWatermark: -1})
		}
		out = append(out, gro)
	}
	return out
}
