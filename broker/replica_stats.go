package broker

import "github.com/kbridge/kbridge/metrics"

// ReplicaStats counts this broker's replicas as Kafka's ReplicaManager gauges do, for
// the metrics endpoint; it walks every partition, once per scrape.
func (b *Broker) ReplicaStats() metrics.ReplicaStats {
	s := metrics.ReplicaStats{
		IsrShrinks:       b.isrCounts.shrinks.Load(),
		IsrExpands:       b.isrCounts.expands.Load(),
		FailedIsrUpdates: b.isrCounts.failed.Load(),
	}
	for _, p := range b.replicas.snapshot() {
		s.PartitionCount++
		st := p.state()
		if st.leader != b.id {
			continue
		}
		s.LeaderCount++
		if len(st.isr) < len(st.replicas) {
			s.UnderReplicatedPartitions++
		}
		switch {
		case len(st.isr) < st.minISR:
			s.UnderMinIsrPartitionCount++
		case len(st.isr) == st.minISR:
			s.AtMinIsrPartitionCount++
		}
		s.ProducerIDCount += p.log.ProducerCount()
	}
	return s
}
