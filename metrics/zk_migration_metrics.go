package metrics

import "github.com/prometheus/client_golang/prometheus"

// ZkWriteTimes are Kafka's ZkWriteSnapshotTimeMs and ZkWriteDeltaTimeMs histograms: how
// long the migration driver took to reconcile all of ZooKeeper with the metadata log,
// and to write one change of the log to ZooKeeper in dual-write.
type ZkWriteTimes struct {
	Snapshot *Histogram
	Delta    *Histogram
}

// NewZkWriteTimes returns empty histograms.
func NewZkWriteTimes() ZkWriteTimes {
	return ZkWriteTimes{Snapshot: NewHistogram(), Delta: NewHistogram()}
}

// zkMigrationCollector reports the metrics Kafka's QuorumControllerMetrics registers on
// a controller with zookeeper.metadata.migration.enable.
type zkMigrationCollector struct {
	behindLag    func() int64
	times        ZkWriteTimes
	lagDesc      *prometheus.Desc
	snapshotDesc *prometheus.Desc
	deltaDesc    *prometheus.Desc
}

// ZkMigrationCollector reports a migration controller's ZooKeeper write metrics as
// kafka_controller_kafkacontroller_zkwritebehindlag (behindLag, read at the scrape) and
// the summaries …_zkwritesnapshottimems and …_zkwritedeltatimems.
func ZkMigrationCollector(behindLag func() int64, times ZkWriteTimes) prometheus.Collector {
	return &zkMigrationCollector{
		behindLag: behindLag,
		times:     times,
		lagDesc: prometheus.NewDesc(controllerPrefix+"zkwritebehindlag",
			"Metadata log offsets ZooKeeper is behind the log, on the active controller in dual-write; 0 elsewhere (KafkaController ZkWriteBehindLag).", nil, nil),
		snapshotDesc: prometheus.NewDesc(controllerPrefix+"zkwritesnapshottimems",
			"Milliseconds to reconcile all of ZooKeeper with the metadata log (KafkaController ZkWriteSnapshotTimeMs).", nil, nil),
		deltaDesc: prometheus.NewDesc(controllerPrefix+"zkwritedeltatimems",
			"Milliseconds to write one metadata change to ZooKeeper in dual-write (KafkaController ZkWriteDeltaTimeMs).", nil, nil),
	}
}

func (c *zkMigrationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lagDesc
	ch <- c.snapshotDesc
	ch <- c.deltaDesc
}

func (c *zkMigrationCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.lagDesc, prometheus.GaugeValue, float64(c.behindLag()))
	ch <- c.times.Snapshot.summary(c.snapshotDesc)
	ch <- c.times.Delta.summary(c.deltaDesc)
}
