package metrics

import "github.com/prometheus/client_golang/prometheus"

// ReplicaStats are a broker's kafka.server:type=ReplicaManager gauges and counters.
type ReplicaStats struct {
	PartitionCount            int // replicas this broker hosts
	LeaderCount               int // of which it leads
	UnderReplicatedPartitions int // led here, with an ISR smaller than the replicas
	UnderMinIsrPartitionCount int // led here, with an ISR under min.insync.replicas
	AtMinIsrPartitionCount    int // led here, with an ISR at exactly min.insync.replicas
	ProducerIDCount           int // producers the led partitions' logs hold state for
	IsrShrinks, IsrExpands    uint64
	FailedIsrUpdates          uint64
}

// ControllerStats are a controller's kafka.controller:type=KafkaController gauges.
type ControllerStats struct {
	ActiveControllerCount          int // 1 on the active controller, else 0
	GlobalTopicCount               int
	GlobalPartitionCount           int
	OfflinePartitionsCount         int // partitions without a leader
	ActiveBrokerCount              int // registered and unfenced
	FencedBrokerCount              int
	PreferredReplicaImbalanceCount int
	// ZkMigrationState is the metadata image's ZkMigrationState as Kafka numbers it
	// (NONE 0, MIGRATION 1, PRE_MIGRATION 2, POST_MIGRATION 3), or 4 (ZK) on a
	// ZooKeeper-mode broker.
	ZkMigrationState int
	// MigratingZkBrokerCount is the brokers registered with the quorum as migrating
	// ZooKeeper brokers (KRaft controllers only).
	MigratingZkBrokerCount int
}

// gaugeDesc is one gauge of a Kafka MBean, named as the JMX exporter names it.
type gaugeDesc[S any] struct {
	desc  *prometheus.Desc
	value func(*S) float64
	kind  prometheus.ValueType
}

// statsCollector reads stats once per scrape and reports each gauge of it; a read that
// is not ok reports nothing, for a role the node does not play at the moment.
type statsCollector[S any] struct {
	read   func() (S, bool)
	gauges []gaugeDesc[S]
}

// always is a read that is always ok.
func always[S any](read func() S) func() (S, bool) {
	return func() (S, bool) { return read(), true }
}

func (c *statsCollector[S]) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range c.gauges {
		ch <- g.desc
	}
}

func (c *statsCollector[S]) Collect(ch chan<- prometheus.Metric) {
	s, ok := c.read()
	if !ok {
		return
	}
	c.emit(&s, ch)
}

// emit reports each gauge of s.
func (c *statsCollector[S]) emit(s *S, ch chan<- prometheus.Metric) {
	for _, g := range c.gauges {
		ch <- prometheus.MustNewConstMetric(g.desc, g.kind, g.value(s))
	}
}

func gauge[S any](name, help string, value func(*S) float64) gaugeDesc[S] {
	return gaugeDesc[S]{desc: prometheus.NewDesc(name, help, nil, nil), value: value, kind: prometheus.GaugeValue}
}

func counter[S any](name, help string, value func(*S) float64) gaugeDesc[S] {
	return gaugeDesc[S]{desc: prometheus.NewDesc(name, help, nil, nil), value: value, kind: prometheus.CounterValue}
}

// ReplicaManagerCollector reports ReplicaStats as kafka_server_replicamanager_*.
func ReplicaManagerCollector(read func() ReplicaStats) prometheus.Collector {
	const p = "kafka_server_replicamanager_"
	return &statsCollector[ReplicaStats]{read: always(read), gauges: []gaugeDesc[ReplicaStats]{
		gauge(p+"partitioncount", "Partitions this broker hosts a replica of (ReplicaManager PartitionCount).", func(s *ReplicaStats) float64 { return float64(s.PartitionCount) }),
		gauge(p+"leadercount", "Partitions this broker leads (ReplicaManager LeaderCount).", func(s *ReplicaStats) float64 { return float64(s.LeaderCount) }),
		gauge(p+"underreplicatedpartitions", "Partitions led here whose ISR is smaller than their replica set (ReplicaManager UnderReplicatedPartitions).", func(s *ReplicaStats) float64 { return float64(s.UnderReplicatedPartitions) }),
		gauge(p+"underminisrpartitioncount", "Partitions led here whose ISR is under min.insync.replicas (ReplicaManager UnderMinIsrPartitionCount).", func(s *ReplicaStats) float64 { return float64(s.UnderMinIsrPartitionCount) }),
		gauge(p+"atminisrpartitioncount", "Partitions led here whose ISR is exactly min.insync.replicas (ReplicaManager AtMinIsrPartitionCount).", func(s *ReplicaStats) float64 { return float64(s.AtMinIsrPartitionCount) }),
		gauge(p+"produceridcount", "Producers the logs of the partitions led here hold state for (ReplicaManager ProducerIdCount).", func(s *ReplicaStats) float64 { return float64(s.ProducerIDCount) }),
		counter(p+"isrshrinks_total", "ISR shrinks this broker made as a leader (ReplicaManager IsrShrinksPerSec).", func(s *ReplicaStats) float64 { return float64(s.IsrShrinks) }),
		counter(p+"isrexpands_total", "ISR expansions this broker made as a leader (ReplicaManager IsrExpandsPerSec).", func(s *ReplicaStats) float64 { return float64(s.IsrExpands) }),
		counter(p+"failedisrupdates_total", "ISR changes the controller refused (ReplicaManager FailedIsrUpdatesPerSec).", func(s *ReplicaStats) float64 { return float64(s.FailedIsrUpdates) }),
	}}
}

// KafkaControllerCollector reports a KRaft controller's ControllerStats as
// kafka_controller_kafkacontroller_*.
func KafkaControllerCollector(read func() ControllerStats) prometheus.Collector {
	gauges := append(kafkaControllerGauges(),
		gauge(controllerPrefix+"migratingzkbrokercount", "Brokers registered with the quorum as migrating ZooKeeper brokers (KafkaController MigratingZkBrokerCount).", func(s *ControllerStats) float64 { return float64(s.MigratingZkBrokerCount) }))
	return &statsCollector[ControllerStats]{read: always(read), gauges: gauges}
}

// ZooKeeperControllerCollector reports the KafkaController gauges every ZooKeeper-mode
// Kafka broker has, as its KafkaController keeps them: the counts on the broker that
// holds /controller, 0 on the others, and ZkMigrationState 4 (ZK) on all. read is not
// ok once the broker has moved to the quorum, where a Kafka broker (restarted as a
// KRaft broker) has no KafkaController.
func ZooKeeperControllerCollector(read func() (ControllerStats, bool)) prometheus.Collector {
	return &statsCollector[ControllerStats]{read: read, gauges: kafkaControllerGauges()}
}

const controllerPrefix = "kafka_controller_kafkacontroller_"

// kafkaControllerGauges are the KafkaController gauges both of Kafka's controllers have.
func kafkaControllerGauges() []gaugeDesc[ControllerStats] {
	const p = controllerPrefix
	return []gaugeDesc[ControllerStats]{
		gauge(p+"activecontrollercount", "1 on the active controller, 0 on the others (KafkaController ActiveControllerCount).", func(s *ControllerStats) float64 { return float64(s.ActiveControllerCount) }),
		gauge(p+"globaltopiccount", "Topics in the cluster (KafkaController GlobalTopicCount).", func(s *ControllerStats) float64 { return float64(s.GlobalTopicCount) }),
		gauge(p+"globalpartitioncount", "Partitions in the cluster (KafkaController GlobalPartitionCount).", func(s *ControllerStats) float64 { return float64(s.GlobalPartitionCount) }),
		gauge(p+"offlinepartitionscount", "Partitions without a leader (KafkaController OfflinePartitionsCount).", func(s *ControllerStats) float64 { return float64(s.OfflinePartitionsCount) }),
		gauge(p+"activebrokercount", "Registered, unfenced brokers (KafkaController ActiveBrokerCount).", func(s *ControllerStats) float64 { return float64(s.ActiveBrokerCount) }),
		gauge(p+"fencedbrokercount", "Registered, fenced brokers (KafkaController FencedBrokerCount).", func(s *ControllerStats) float64 { return float64(s.FencedBrokerCount) }),
		gauge(p+"preferredreplicaimbalancecount", "Partitions not led by their preferred replica (KafkaController PreferredReplicaImbalanceCount).", func(s *ControllerStats) float64 { return float64(s.PreferredReplicaImbalanceCount) }),
		gauge(p+"zkmigrationstate", "The metadata log's ZkMigrationState: NONE 0, MIGRATION 1, PRE_MIGRATION 2, POST_MIGRATION 3; ZK 4 on a ZooKeeper-mode broker (KafkaController ZkMigrationState).", func(s *ControllerStats) float64 { return float64(s.ZkMigrationState) }),
	}
}

// TopicTraffic is one topic's (or all topics') BrokerTopicMetrics meter counts.
type TopicTraffic struct {
	MessagesIn, BytesIn, BytesOut               uint64
	TotalProduceRequests, FailedProduceRequests uint64
	TotalFetchRequests, FailedFetchRequests     uint64
}

// BrokerTopicStats are a broker's kafka.server:type=BrokerTopicMetrics meters: all
// topics together, each topic, and the replication traffic counted apart.
type BrokerTopicStats struct {
	All                                     TopicTraffic
	Topics                                  map[string]TopicTraffic
	ReplicationBytesIn, ReplicationBytesOut uint64
}

// brokerTopicCollector reports BrokerTopicStats as kafka_server_brokertopicmetrics_*_total
// counters. The JMX exporter reports the all-topics MBean without a topic label; a
// Prometheus metric family keeps one label set, so here it carries topic="", which
// Prometheus stores as no label at all.
type brokerTopicCollector struct {
	read     func() BrokerTopicStats
	counters []topicCounter
	replIn   *prometheus.Desc
	replOut  *prometheus.Desc
}

type topicCounter struct {
	desc  *prometheus.Desc
	value func(*TopicTraffic) uint64
}

// BrokerTopicCollector reports BrokerTopicStats.
func BrokerTopicCollector(read func() BrokerTopicStats) prometheus.Collector {
	const p = "kafka_server_brokertopicmetrics_"
	c := func(name, help string, value func(*TopicTraffic) uint64) topicCounter {
		return topicCounter{desc: prometheus.NewDesc(p+name+"_total", help, []string{"topic"}, nil), value: value}
	}
	return &brokerTopicCollector{
		read: read,
		counters: []topicCounter{
			c("messagesin", "Records appended by producers (BrokerTopicMetrics MessagesInPerSec).", func(t *TopicTraffic) uint64 { return t.MessagesIn }),
			c("bytesin", "Bytes of record batches appended by producers (BrokerTopicMetrics BytesInPerSec).", func(t *TopicTraffic) uint64 { return t.BytesIn }),
			c("bytesout", "Bytes of record batches sent to consumers (BrokerTopicMetrics BytesOutPerSec).", func(t *TopicTraffic) uint64 { return t.BytesOut }),
			c("totalproducerequests", "Partitions produced to (BrokerTopicMetrics TotalProduceRequestsPerSec).", func(t *TopicTraffic) uint64 { return t.TotalProduceRequests }),
			c("failedproducerequests", "Partitions whose produce failed (BrokerTopicMetrics FailedProduceRequestsPerSec).", func(t *TopicTraffic) uint64 { return t.FailedProduceRequests }),
			c("totalfetchrequests", "Partitions fetched by consumers (BrokerTopicMetrics TotalFetchRequestsPerSec).", func(t *TopicTraffic) uint64 { return t.TotalFetchRequests }),
			c("failedfetchrequests", "Partitions whose consumer fetch failed (BrokerTopicMetrics FailedFetchRequestsPerSec).", func(t *TopicTraffic) uint64 { return t.FailedFetchRequests }),
		},
		replIn:  prometheus.NewDesc(p+"replicationbytesin_total", "Bytes followers fetched into this broker's logs (BrokerTopicMetrics ReplicationBytesInPerSec).", nil, nil),
		replOut: prometheus.NewDesc(p+"replicationbytesout_total", "Bytes this broker sent to followers (BrokerTopicMetrics ReplicationBytesOutPerSec).", nil, nil),
	}
}

func (c *brokerTopicCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, t := range c.counters {
		ch <- t.desc
	}
	ch <- c.replIn
	ch <- c.replOut
}

func (c *brokerTopicCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	for _, t := range c.counters {
		ch <- prometheus.MustNewConstMetric(t.desc, prometheus.CounterValue, float64(t.value(&s.All)), "")
		for topic, traffic := range s.Topics {
			ch <- prometheus.MustNewConstMetric(t.desc, prometheus.CounterValue, float64(t.value(&traffic)), topic)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.replIn, prometheus.CounterValue, float64(s.ReplicationBytesIn))
	ch <- prometheus.MustNewConstMetric(c.replOut, prometheus.CounterValue, float64(s.ReplicationBytesOut))
}
