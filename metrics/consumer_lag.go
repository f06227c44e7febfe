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
// but operators' lag dashboards and alerts are written against.
type consumerLagCollector struct {
	read                func() []GroupOffsets
	members             *prometheus.Desc
	current, currentSum *prometheus.Desc
	lag, lagSum         *prometheus.Desc
}

// ConsumerLagCollector reports kafka_consumergroup_{members,current_offset,
// current_offset_sum,lag,lag_sum} of what read returns.
func ConsumerLagCollector(read func() []GroupOffsets) prometheus.Collector {
	const p = "kafka_consumergroup_"
	partition := []string{"consumergroup", "topic", "partition"}
	topic := []string{"consumergroup", "topic"}
	return &consumerLagCollector{
		read:       read,
		members:    prometheus.NewDesc(p+"members", "Members of the consumer group.", []string{"consumergroup"}, nil),
		current:    prometheus.NewDesc(p+"current_offset", "Committed offset of the consumer group at the partition.", partition, nil),
		currentSum: prometheus.NewDesc(p+"current_offset_sum", "Committed offsets of the consumer group summed over the topic's partitions.", topic, nil),
		lag:        prometheus.NewDesc(p+"lag", "High watermark minus the committed offset of the consumer group at the partition.", partition, nil),
		lagSum:     prometheus.NewDesc(p+"lag_sum", "Lag of the consumer group summed over the topic's partitions whose high watermark is known.", topic, nil),
	}
}

func (c *consumerLagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.members
	ch <- c.current
	ch <- c.currentSum
	ch <- c.lag
	ch <- c.lagSum
}

// topicSums are one topic's sums within a group; known says whether any partition's
// lag is known, since a lag_sum of partitions none of which is known would read as 0.
type topicSums struct {
	current, lag int64
	known        bool
}

func (c *consumerLagCollector) Collect(ch chan<- prometheus.Metric) {
	for _, g := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.members, prometheus.GaugeValue, float64(g.Members), g.Group)
		sums := map[string]*topicSums{}
		for i := range g.Offsets {
			o := &g.Offsets[i]
			s := sums[o.Topic]
			if s == nil {
				s = &topicSums{}
				sums[o.Topic] = s
			}
			p := strconv.Itoa(int(o.Partition))
			ch <- prometheus.MustNewConstMetric(c.current, prometheus.GaugeValue, float64(o.Committed), g.Group, o.Topic, p)
			s.current += o.Committed
			if lag, ok := o.lag(); ok {
				ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag), g.Group, o.Topic, p)
				s.lag += lag
				s.known = true
			}
		}
		for topic, s := range sums {
			ch <- prometheus.MustNewConstMetric(c.currentSum, prometheus.GaugeValue, float64(s.current), g.Group, topic)
			if s.known {
				ch <- prometheus.MustNewConstMetric(c.lagSum, prometheus.GaugeValue, float64(s.lag), g.Group, topic)
			}
		}
	}
}
