package broker

import "github.com/kbridge/kbridge/metrics"

// GroupMetadataStats are the GroupMetadataManager gauges of the groups this broker
// coordinates.
func (b *Broker) GroupMetadataStats() metrics.GroupMetadataStats { return b.groups.Stats() }

// ConsumerLag lists the groups this broker coordinates with their committed offsets
// and the high watermarks of those partitions, learnt when Prometheus scrapes (the
// coordinator rarely leads every partition its groups consume).
func (b *Broker) ConsumerLag() []metrics.GroupOffsets {
	groups := b.groups.CommittedOffsets()
	parts := map[topicPartition]struct{}{}
	for _, g := range groups {
		for _, o := range g.Offsets {
			parts[topicPartition{o.Topic, o.Partition}] = struct{}{}
		}
	}
	if len(parts) == 0 {
		return groups
	}
	hws := b.groups.highWatermarks.lookup(b, parts)
	for _, g := range groups {
		for i := range g.Offsets {
			o := &g.Offsets[i]
			if hw, ok := hws[topicPartition{o.Topic, o.Partition}]; ok {
				o.HighWatermark = hw
			}
		}
	}
	return groups
}
