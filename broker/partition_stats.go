package broker

import "github.com/kbridge/kbridge/metrics"

// PartitionStats are the kafka.log:type=Log and kafka.cluster:type=Partition gauges of
// every partition this broker hosts, and the replica fetchers' largest lag, for the
// metrics endpoint; read once per scrape.
func (b *Broker) PartitionStats() metrics.HostedPartitions {
	var out metrics.HostedPartitions
	for _, p := range b.replicas.snapshot() {
		ls := p.log.Stats()
		p.mu.Lock()
		leader, isr, replicas, hw, minISR, lag := p.leader == b.id, len(p.isr), len(p.replicas), p.hw, p.effectiveMinISRLocked(), p.followerLag
		p.mu.Unlock()
		s := metrics.PartitionStats{
			Topic: p.tp.topic, Partition: p.tp.partition,
			Size: ls.Size, Segments: ls.Segments, LogStartOffset: ls.LogStartOffset, LogEndOffset: ls.LogEndOffset,
			LastStableOffsetLag: hw - p.log.LastStableOffset(hw),
		}
		if leader {
			s.InSyncReplicas, s.Replicas = isr, replicas
			s.UnderReplicated = isr < replicas
			s.UnderMinIsr, s.AtMinIsr = isr < minISR, isr == minISR
		} else {
			out.MaxFollowerLag = max(out.MaxFollowerLag, lag)
		}
		out.Partitions = append(out.Partitions, s)
	}
	return out
}
