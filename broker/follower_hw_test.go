package broker

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbridge/kbridge/metrics"
)

// newThirtyRecordTopic is two brokers with topic "t" led by 1 and followed by 2, which
// three acks=all batches of ten records have reached.
func newThirtyRecordTopic(t *testing.T) *testCluster {
	c := newCluster(t, 2)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	for seq := range int32(3) {
		if _, p := c.produce(1, "t", -1, 5*time.Second, recordBatch(10, -1, seq)); p.ErrorCode != 0 {
			t.Fatalf("produce: error code %d", p.ErrorCode)
		}
	}
	return c
}

// TestFollowerHearsHighWatermarkOnceIdle: after the last acks=all produce the follower's
// high watermark reaches the leader's without another append. The leader's high
// watermark moves when it records the follower's fetch at the new log end; that fetch
// then waits for data, and its answer must still carry the high watermark the session
// has not told yet (a follower once stayed a produce behind until the next append).
func TestFollowerHearsHighWatermarkOnceIdle(t *testing.T) {
	c := newThirtyRecordTopic(t)
	if hw := c.partition(1, "t").HighWatermark(); hw != 30 {
		t.Fatalf("the leader's high watermark after three acknowledged batches is %d, want 30", hw)
	}
	waitFor(t, "the follower's high watermark to reach 30", func() bool {
		return c.partition(2, "t").HighWatermark() == 30
	})
}

// followerFetches is how many follower fetches broker b has answered.
func followerFetches(t *testing.T, b *Broker) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.RequestCollector(b.RequestMetrics()))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "kafka_network_requestmetrics_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "request" && l.GetValue() == "FetchFollower" {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}

// TestIdleFollowerSessionKeepsServing: a follower's incremental fetch of several quiet
// partitions leaves them out of its first read, waits, and reads again; the answer of
// that read must come from each partition's own read, not from its place in a response
// that left partitions out (which once panicked the handler on every idle fetch, closing
// the follower's connection). Replication goes on after idle fetches.
func TestIdleFollowerSessionKeepsServing(t *testing.T) {
	c := newCluster(t, 2)
	topics := []string{"a", "b", "c"}
	for _, topic := range topics {
		c.createTopic(topic, []int32{1, 2}, 1, []int32{1, 2}, nil)
		if _, p := c.produce(1, topic, -1, 5*time.Second, recordBatch(10, -1, 0)); p.ErrorCode != 0 {
			t.Fatalf("produce to %s: error code %d", topic, p.ErrorCode)
		}
	}
	for _, topic := range topics {
		c.waitForLogs(topic, 10, 1, 2)
	}
	start := followerFetches(t, c.broker(1))
	waitFor(t, "five more follower fetches answered while every partition is idle", func() bool {
		return followerFetches(t, c.broker(1)) >= start+5
	})
	if logs := c.logs.String(); strings.Contains(logs, "panicked") {
		t.Fatalf("a fetch handler panicked:\n%s", logs)
	}
	if _, p := c.produce(1, "b", -1, 5*time.Second, recordBatch(10, -1, 1)); p.ErrorCode != 0 {
		t.Fatalf("produce to b after the idle fetches: error code %d", p.ErrorCode)
	}
	c.waitForLogs("b", 20, 1, 2)
}
