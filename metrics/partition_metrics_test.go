package metrics

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestPartitionCollector: each hosted partition's gauges carry topic and partition
// labels, flags read 0 or 1, and the fetchers' lag and the broker state are single
// series.
func TestPartitionCollector(t *testing.T) {
	s, err := Listen("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Register(PartitionCollector(func() HostedPartitions {
		return HostedPartitions{MaxFollowerLag: 42, Partitions: []PartitionStats{
			{Topic: "a", Partition: 0, Size: 4096, Segments: 2, LogStartOffset: 10, LogEndOffset: 99, UnderReplicated: true, InSyncReplicas: 2, Replicas: 3, LastStableOffsetLag: 5},
			{Topic: "a", Partition: 1, LogEndOffset: 7},
		}}
	}), BrokerStateCollector(func() int { return 3 })); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{
		`kafka_log_log_size{partition="0",topic="a"} 4096`,
		`kafka_log_log_numlogsegments{partition="0",topic="a"} 2`,
		`kafka_log_log_logstartoffset{partition="0",topic="a"} 10`,
		`kafka_log_log_logendoffset{partition="0",topic="a"} 99`,
		`kafka_log_log_logendoffset{partition="1",topic="a"} 7`,
		`kafka_cluster_partition_underreplicated{partition="0",topic="a"} 1`,
		`kafka_cluster_partition_underreplicated{partition="1",topic="a"} 0`,
		`kafka_cluster_partition_insyncreplicascount{partition="0",topic="a"} 2`,
		`kafka_cluster_partition_replicascount{partition="0",topic="a"} 3`,
		`kafka_cluster_partition_laststableoffsetlag{partition="0",topic="a"} 5`,
		`kafka_server_replicafetchermanager_maxlag{clientid="Replica"} 42`,
		"kafka_server_kafkaserver_brokerstate 3",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
