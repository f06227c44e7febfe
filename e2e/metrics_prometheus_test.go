package e2e

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestPrometheusScrapesCluster is issue 18's first acceptance test: a real Prometheus
// scrapes the 3+3 KRaft cluster, and PromQL through its HTTP API sees the records
// produced, under-replicated partitions rising to what a killed broker hosted and back
// to 0 once it returns, and one active controller throughout.
func TestPrometheusScrapesCluster(t *testing.T) {
	promtool := requireTool(t, "promtool")
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 3, Metrics: true})
	nodes := append(append([]*Node(nil), c.Controllers...), c.Brokers...)
	var targets []string
	for _, n := range nodes {
		targets = append(targets, n.MetricsAddr)
	}
	prom := startPrometheus(t, targets)

	prom.WaitScalar(30*time.Second, "count(up == 1)", float64(len(nodes)))
	prom.WaitScalar(30*time.Second, "count(kafka_controller_kafkacontroller_activecontrollercount)", float64(len(c.Controllers)))
	everyControllerSeen := time.Now()
	prom.WaitScalar(10*time.Second, "sum(kafka_controller_kafkacontroller_activecontrollercount)", 1)

	// "pairs" has two replicas a partition: some of its partitions have none on the
	// broker killed below, so the expected count is not simply every partition.
	for _, topic := range []struct {
		name       string
		partitions int32
		rf         int16
	}{{"metered", 6, 3}, {"pairs", 4, 2}} {
		if err := createTopicAt(c.Brokers[0].BrokerAddr, topic.name, topic.partitions, topic.rf); err != nil {
			t.Fatal(err)
		}
	}
	const records = 300
	produceValues(t, c.Client(kgo.RecordPartitioner(kgo.ManualPartitioner())), "metered", "m", records, 6)
	prom.WaitScalar(30*time.Second, `sum(kafka_server_brokertopicmetrics_messagesin_total{topic="metered"})`, records)

	for _, n := range nodes {
		_, body := scrape(t, "http://"+n.MetricsAddr+"/metrics")
		promtoolCheckMetrics(t, promtool, body)
	}

	adm := kadm.NewClient(c.Client())
	const urp = "kafka_server_replicamanager_underreplicatedpartitions"
	prom.WaitScalar(30*time.Second, "count("+urp+" == 0)", float64(len(c.Brokers)))
	prom.WaitScalar(10*time.Second, "count(up == 1)", float64(len(nodes)))
	const killedID = 103
	killed := c.Broker(killedID)
	want := partitionsWithReplicaOn(t, adm, killedID)
	t.Logf("broker %d holds a replica of %d partitions with more than one replica", killedID, want)
	killed.Kill()
	prom.WaitScalar(30*time.Second, fmt.Sprintf("up{instance=%q}", killed.MetricsAddr), 0)
	prom.WaitScalar(60*time.Second, "sum("+urp+")", float64(want))

	killed.Start()
	prom.WaitScalar(60*time.Second, "count("+urp+" == 0)", float64(len(c.Brokers)))

	// Every controller's series is in every evaluation from everyControllerSeen on, so
	// their sum at one-second steps since then is the active controller count over the
	// whole test.
	window := fmt.Sprintf("[%ds:1s]", max(int(math.Floor(time.Since(everyControllerSeen).Seconds()))-1, 1))
	const active = "sum(kafka_controller_kafkacontroller_activecontrollercount)"
	for _, q := range []string{"min_over_time(" + active + window + ")", "max_over_time(" + active + window + ")"} {
		if v, ok := prom.Scalar(q); !ok || v != 1 {
			t.Errorf("%s = %v (data: %v), want 1: not exactly one active controller throughout", q, v, ok)
		}
	}
}

// partitionsWithReplicaOn counts the partitions, internal topics included, that have a
// replica on broker and at least one other: once broker is gone, each of them is
// under-replicated on its leader (a partition whose only replica it held has no leader
// to report it).
func partitionsWithReplicaOn(t *testing.T, adm *kadm.Client, broker int32) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topics, err := adm.ListTopicsWithInternal(ctx)
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	n := 0
	for _, td := range topics {
		if td.Err != nil {
			t.Fatalf("topic %s: %v", td.Topic, td.Err)
		}
		for _, p := range td.Partitions {
			if len(p.Replicas) > 1 && slices.Contains(p.Replicas, broker) {
				n++
			}
		}
	}
	return n
}
