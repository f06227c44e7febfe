package metrics

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestZkMigrationCollector: the write-behind lag is read at every scrape, the write
// times are summaries with Kafka's percentiles over what was recorded, and promlint
// finds nothing to say.
func TestZkMigrationCollector(t *testing.T) {
	var lag atomic.Int64
	lag.Store(3)
	times := NewZkWriteTimes()
	for ms := 1; ms <= 100; ms++ {
		times.Delta.UpdateMs(time.Duration(ms) * time.Millisecond)
	}
	times.Snapshot.UpdateMs(1500 * time.Millisecond)
	c := ZkMigrationCollector(lag.Load, times)
	want := `
# HELP kafka_controller_kafkacontroller_zkwritebehindlag Metadata log offsets ZooKeeper is behind the log, on the active controller in dual-write; 0 elsewhere (KafkaController ZkWriteBehindLag).
# TYPE kafka_controller_kafkacontroller_zkwritebehindlag gauge
kafka_controller_kafkacontroller_zkwritebehindlag 3
# HELP kafka_controller_kafkacontroller_zkwritedeltatimems Milliseconds to write one metadata change to ZooKeeper in dual-write (KafkaController ZkWriteDeltaTimeMs).
# TYPE kafka_controller_kafkacontroller_zkwritedeltatimems summary
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.5"} 50.5
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.75"} 75.75
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.95"} 95.94999999999999
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.98"} 98.98
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.99"} 99.99
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.999"} 100
kafka_controller_kafkacontroller_zkwritedeltatimems_sum 5050
kafka_controller_kafkacontroller_zkwritedeltatimems_count 100
# HELP kafka_controller_kafkacontroller_zkwritesnapshottimems Milliseconds to reconcile all of ZooKeeper with the metadata log (KafkaController ZkWriteSnapshotTimeMs).
# TYPE kafka_controller_kafkacontroller_zkwritesnapshottimems summary
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.5"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.75"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.95"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.98"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.99"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems{quantile="0.999"} 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems_sum 1500
kafka_controller_kafkacontroller_zkwritesnapshottimems_count 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	lag.Store(0)
	if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP kafka_controller_kafkacontroller_zkwritebehindlag Metadata log offsets ZooKeeper is behind the log, on the active controller in dual-write; 0 elsewhere (KafkaController ZkWriteBehindLag).
# TYPE kafka_controller_kafkacontroller_zkwritebehindlag gauge
kafka_controller_kafkacontroller_zkwritebehindlag 0
`), "kafka_controller_kafkacontroller_zkwritebehindlag"); err != nil {
		t.Fatalf("the lag was not read again: %v", err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("promlint: %v %v", err, problems)
	}
}

// TestHistogramKeepsRecentValues: the percentiles describe the last histogramSize
// values only, while the count and sum keep every value.
func TestHistogramKeepsRecentValues(t *testing.T) {
	times := NewZkWriteTimes()
	for range histogramSize {
		times.Delta.Update(1000)
	}
	for range histogramSize {
		times.Delta.Update(1)
	}
	c := ZkMigrationCollector(func() int64 { return 0 }, times)
	if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP kafka_controller_kafkacontroller_zkwritedeltatimems Milliseconds to write one metadata change to ZooKeeper in dual-write (KafkaController ZkWriteDeltaTimeMs).
# TYPE kafka_controller_kafkacontroller_zkwritedeltatimems summary
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.5"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.75"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.95"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.98"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.99"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems{quantile="0.999"} 1
kafka_controller_kafkacontroller_zkwritedeltatimems_sum 1.029028e+06
kafka_controller_kafkacontroller_zkwritedeltatimems_count 2056
`), "kafka_controller_kafkacontroller_zkwritedeltatimems"); err != nil {
		t.Fatal(err)
	}
}

// TestZooKeeperControllerCollector: a ZooKeeper-mode broker reports Kafka's ZooKeeper
// KafkaController gauges (no MigratingZkBrokerCount, which only KRaft controllers
// have) while it is led through ZooKeeper, and none once it has moved to the quorum.
func TestZooKeeperControllerCollector(t *testing.T) {
	var onQuorum atomic.Bool
	c := ZooKeeperControllerCollector(func() (ControllerStats, bool) {
		return ControllerStats{ActiveControllerCount: 1, GlobalPartitionCount: 4, ZkMigrationState: 4}, !onQuorum.Load()
	})
	names := []string{
		"kafka_controller_kafkacontroller_activecontrollercount",
		"kafka_controller_kafkacontroller_globalpartitioncount",
		"kafka_controller_kafkacontroller_zkmigrationstate",
		"kafka_controller_kafkacontroller_migratingzkbrokercount",
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP kafka_controller_kafkacontroller_activecontrollercount 1 on the active controller, 0 on the others (KafkaController ActiveControllerCount).
# TYPE kafka_controller_kafkacontroller_activecontrollercount gauge
kafka_controller_kafkacontroller_activecontrollercount 1
# HELP kafka_controller_kafkacontroller_globalpartitioncount Partitions in the cluster (KafkaController GlobalPartitionCount).
# TYPE kafka_controller_kafkacontroller_globalpartitioncount gauge
kafka_controller_kafkacontroller_globalpartitioncount 4
# HELP kafka_controller_kafkacontroller_zkmigrationstate The metadata log's ZkMigrationState: NONE 0, MIGRATION 1, PRE_MIGRATION 2, POST_MIGRATION 3; ZK 4 on a ZooKeeper-mode broker (KafkaController ZkMigrationState).
# TYPE kafka_controller_kafkacontroller_zkmigrationstate gauge
kafka_controller_kafkacontroller_zkmigrationstate 4
`), names...); err != nil {
		t.Fatal(err)
	}
	onQuorum.Store(true)
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("a broker on the quorum reports %d KafkaController metrics, want none", n)
	}
}
