package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// PartitionStats are one hosted partition's kafka.log:type=Log and
// kafka.cluster:type=Partition gauges. The cluster gauges are Kafka's: non-zero only
// on the partition's leader, so summing them over brokers counts each partition once.
type PartitionStats struct {
	Topic     string
	Partition int32

	Size           int64 // bytes of the log's segments (Log Size)
	Segments       int   // Log NumLogSegments
	LogStartOffset int64
	LogEndOffset   int64

	UnderReplicated     bool
	UnderMinIsr         bool
	AtMinIsr            bool
	InSyncReplicas      int
	Replicas            int
	LastStableOffsetLag int64 // high watermark less the last stable offset
}

// HostedPartitions are the partitions a broker hosts and its replica fetchers' largest
// lag (ReplicaFetcherManager MaxLag, clientId=Replica): how many records behind its
// leader's high watermark the furthest-behind follower partition was at its last fetch.
type HostedPartitions struct {
	Partitions     []PartitionStats
	MaxFollowerLag int64
}

// partitionCollector reports HostedPartitions as kafka_log_log_*{topic,partition},
// kafka_cluster_partition_*{topic,partition} and
// kafka_server_replicafetchermanager_maxlag{clientid="Replica"}.
type partitionCollector struct {
	read   func() HostedPartitions
	gauges []partitionGauge
	maxLag *prometheus.Desc
}

type partitionGauge struct {
	desc  *prometheus.Desc
	value func(*PartitionStats) float64
}

// PartitionCollector reports a broker's hosted partitions.
func PartitionCollector(read func() HostedPartitions) prometheus.Collector {
	g := func(name, help string, value func(*PartitionStats) float64) partitionGauge {
		return partitionGauge{desc: prometheus.NewDesc(name, help, []string{"topic", "partition"}, nil), value: value}
	}
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	const log, part = "kafka_log_log_", "kafka_cluster_partition_"
	return &partitionCollector{
		read: read,
		gauges: []partitionGauge{
			g(log+"size", "Bytes of the partition's log segments on this broker (Log Size).", func(s *PartitionStats) float64 { return float64(s.Size) }),
			g(log+"numlogsegments", "Segments of the partition's log (Log NumLogSegments).", func(s *PartitionStats) float64 { return float64(s.Segments) }),
			g(log+"logstartoffset", "The log's first offset (Log LogStartOffset).", func(s *PartitionStats) float64 { return float64(s.LogStartOffset) }),
			g(log+"logendoffset", "The offset the next record gets (Log LogEndOffset).", func(s *PartitionStats) float64 { return float64(s.LogEndOffset) }),
			g(part+"underreplicated", "1 on the leader of a partition whose ISR is smaller than its replicas (Partition UnderReplicated).", func(s *PartitionStats) float64 { return flag(s.UnderReplicated) }),
			g(part+"underminisr", "1 on the leader of a partition whose ISR is under min.insync.replicas (Partition UnderMinIsr).", func(s *PartitionStats) float64 { return flag(s.UnderMinIsr) }),
			g(part+"atminisr", "1 on the leader of a partition whose ISR is at min.insync.replicas (Partition AtMinIsr).", func(s *PartitionStats) float64 { return flag(s.AtMinIsr) }),
			g(part+"insyncreplicascount", "The ISR's size, on the leader (Partition InSyncReplicasCount).", func(s *PartitionStats) float64 { return float64(s.InSyncReplicas) }),
			g(part+"replicascount", "The replicas, on the leader (Partition ReplicasCount).", func(s *PartitionStats) float64 { return float64(s.Replicas) }),
			g(part+"laststableoffsetlag", "The high watermark less the last stable offset: records open transactions hold back (Partition LastStableOffsetLag).", func(s *PartitionStats) float64 { return float64(s.LastStableOffsetLag) }),
		},
		maxLag: prometheus.NewDesc("kafka_server_replicafetchermanager_maxlag", "Records the furthest-behind follower partition of this broker lacked of its leader's high watermark at its last fetch (ReplicaFetcherManager MaxLag).", []string{"clientid"}, nil),
	}
}

func (c *partitionCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range c.gauges {
		ch <- g.desc
	}
	ch <- c.maxLag
}

func (c *partitionCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.read()
	for i := range h.Partitions {
		s := &h.Partitions[i]
		partition := strconv.Itoa(int(s.Partition))
		for _, g := range c.gauges {
			ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, g.value(s), s.Topic, partition)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.maxLag, prometheus.GaugeValue, float64(h.MaxFollowerLag), "Replica")
}

// BrokerStateCollector reports kafka_server_kafkaserver_brokerstate: Kafka's
// BrokerState number (1 starting, 2 recovery, 3 running, 6 pending controlled
// shutdown, 7 shutting down).
func BrokerStateCollector(read func() int) prometheus.Collector {
	return &statsCollector[int]{read: always(read), gauges: []gaugeDesc[int]{
		gauge("kafka_server_kafkaserver_brokerstate", "Kafka's BrokerState: 1 starting, 2 recovery (fenced, catching up), 3 running, 6 pending controlled shutdown, 7 shutting down (KafkaServer BrokerState).", func(s *int) float64 { return float64(*s) }),
	}}
}
