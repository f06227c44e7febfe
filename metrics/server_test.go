package metrics

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestServerEndpoints: /healthz answers while the process runs, /readyz is 503 with
// every failing check's reason until they pass, and /metrics carries the Kafka-named
// gauges with the values read at the scrape.
func TestServerEndpoints(t *testing.T) {
	s, err := Listen("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	base := "http://" + s.Addr()
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz answered %d %q", code, body)
	}
	var fenced atomic.Bool
	fenced.Store(true)
	s.AddReadiness("broker", func() error {
		if fenced.Load() {
			return errors.New("fenced by the controller")
		}
		return nil
	})
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "broker: fenced by the controller") {
		t.Fatalf("/readyz of a fenced broker answered %d %q", code, body)
	}
	fenced.Store(false)
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Fatalf("/readyz of an unfenced broker answered %d %q", code, body)
	}

	var under atomic.Int64
	under.Store(2)
	if err := s.Register(ReplicaManagerCollector(func() ReplicaStats {
		return ReplicaStats{PartitionCount: 7, LeaderCount: 3, UnderReplicatedPartitions: int(under.Load()), IsrShrinks: 5}
	}),
		KafkaControllerCollector(func() ControllerStats { return ControllerStats{ActiveControllerCount: 1, GlobalPartitionCount: 9} })); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, base+"/metrics")
	for _, want := range []string{
		"kafka_server_replicamanager_partitioncount 7\n",
		"kafka_server_replicamanager_leadercount 3\n",
		"kafka_server_replicamanager_underreplicatedpartitions 2\n",
		"kafka_server_replicamanager_isrshrinks_total 5\n",
		"# TYPE kafka_server_replicamanager_isrshrinks_total counter\n",
		"kafka_controller_kafkacontroller_activecontrollercount 1\n",
		"kafka_controller_kafkacontroller_globalpartitioncount 9\n",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	under.Store(0)
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, "kafka_server_replicamanager_underreplicatedpartitions 0\n") {
		t.Error("the gauge was not read again at the next scrape")
	}
}

// TestBrokerTopicCollector: each topic's counters carry its name, all topics' an empty
// topic label, and promhttp serves them as counters.
func TestBrokerTopicCollector(t *testing.T) {
	s, err := Listen("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Register(BrokerTopicCollector(func() BrokerTopicStats {
		return BrokerTopicStats{
			All:                TopicTraffic{MessagesIn: 30, BytesOut: 700},
			Topics:             map[string]TopicTraffic{"a": {MessagesIn: 10}, "b": {MessagesIn: 20, BytesOut: 700}},
			ReplicationBytesIn: 5,
		}
	})); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{
		"# TYPE kafka_server_brokertopicmetrics_messagesin_total counter\n",
		`kafka_server_brokertopicmetrics_messagesin_total{topic=""} 30` + "\n",
		`kafka_server_brokertopicmetrics_messagesin_total{topic="a"} 10` + "\n",
		`kafka_server_brokertopicmetrics_messagesin_total{topic="b"} 20` + "\n",
		`kafka_server_brokertopicmetrics_bytesout_total{topic="b"} 700` + "\n",
		"kafka_server_brokertopicmetrics_replicationbytesin_total 5\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
