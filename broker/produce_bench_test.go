package broker

import (
	"testing"
	"time"
)

// BenchmarkProducePath sends one 100-record batch per request, acks=1, to a broker
// leading the partition, over a real connection: request decoding, the append,
// BrokerTopicMetrics and request metrics, and the response. Built with -tags nometrics
// it measures the same path without the metrics' counting, which is how the README's
// cost of metrics on the produce path is measured (make bench-metrics-cost).
func BenchmarkProducePath(b *testing.B) {
	c := newCluster(b, 1)
	c.createTopic("bench", []int32{1}, 1, []int32{1}, nil)
	c.waitForLeader(1, "bench", 1)
	batch := recordBatch(100, -1, 0)
	b.SetBytes(int64(len(batch)))
	b.ResetTimer()
	for range b.N {
		if _, p := c.produce(1, "bench", 1, 5*time.Second, batch); p.ErrorCode != 0 {
			b.Fatalf("produce: error code %d", p.ErrorCode)
		}
	}
}
