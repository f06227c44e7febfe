package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// GroupOffsets are one consumer group's committed offsets with the high watermarks of
// their partitions.
type GroupOffsets struct {
	Group   string
	Members int
	Offsets []PartitionOffset
}

// PartitionOffset is a group's committed offset of one partition.
type PartitionOffset struct {
	Topic     string
	Partition int32
	Committed int64
	// HighWatermark is the partition's, -1 when it could not be learnt: the partition
	// is then left out of the lag metrics rather than reported with a made-up lag.
	HighWatermark int64
}

// lag is how many records the group has not consumed, and false when that is unknown.
// A commit ahead of the high watermark learnt (which may be a moment old) is no lag.
func (o *PartitionOffset) lag() (int64, bool) {
	if o.HighWatermark < 0 {
		return 0, false
	}
	return max(o.HighWatermark-o.Committed, 0), true
}

// consumerLagCollector reports the groups a broker coordinates under
// danielqsj/kafka_exporter's names and labels, which Kafka's own brokers do not serve
// but operators' lag dashboards and alerts are written against. kafka_exporter's
// per-topic sums (…_current_offset_sum, …_lag_sum) are left out: names ending in _sum
// belong to summaries and histograms, so promtool's lint refuses them; a query sums
// the per-partition series instead (docs/metrics.md, "Consumer lag").
type consumerLagCollector struct {
	read    func() []GroupOffsets
	members *prometheus.Desc
	current *prometheus.Desc
	lag     *prometheus.Desc
}

// ConsumerLagCollector reports kafka_consumergroup_{members,current_offset,lag} of
// what read returns.
func ConsumerLagCollector(read func() []GroupOffsets) prometheus.Collector {
	const p = "kafka_consumergroup_"
	partition := []string{"consumergroup", "topic", "partition"}
	return &consumerLagCollector{
		read:    read,
		members: prometheus.NewDesc(p+"members", "Members of the consumer group.", []string{"consumergroup"}, nil),
		current: prometheus.NewDesc(p+"current_offset", "Committed offset of the consumer group at the partition.", partition, nil),
		lag:     prometheus.NewDesc(p+"lag", "High watermark minus the committed offset of the consumer group at the partition; absent while the high watermark cannot be learnt.", partition, nil),
	}
}

func (c *consumerLagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.members
	ch <- c.current
	ch <- c.lag
}

func (c *consumerLagCollector) Collect(ch chan<- prometheus.Metric) {
	for _, g := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.members, prometheus.GaugeValue, float64(g.Members), g.Group)
		for i := range g.Offsets {
			o := &g.Offsets[i]
			p := strconv.Itoa(int(o.Partition))
			ch <- prometheus.MustNewConstMetric(c.current, prometheus.GaugeValue, float64(o.Committed), g.Group, o.Topic, p)
			if lag, ok := o.lag(); ok {
				ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag), g.Group, o.Topic, p)
			}
		}
	}
}
