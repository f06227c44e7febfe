package broker

import (
	"strconv"
	"testing"
	"time"
)

// TestRetentionZeroDeletesClosedSegments: retention.ms=0 and retention.bytes=0 mean
// what they mean in Kafka — every closed segment is due — not "the default" (7 days,
// unlimited), all the way from the topic's config to its log.
func TestRetentionZeroDeletesClosedSegments(t *testing.T) {
	for _, key := range []string{"retention.ms", "retention.bytes"} {
		t.Run(key, func(t *testing.T) {
			c := newCluster(t, 1)
			one := []int32{1}
			batch := recordBatch(3, -1, 0)
			c.createTopic("short", one, 1, one, map[string]string{key: "0", "segment.bytes": strconv.Itoa(len(batch))})
			for range 4 {
				if _, sp := c.produce(1, "short", 1, 5*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
					t.Fatalf("produce: error %d", sp.ErrorCode)
				}
			}
			p := c.partition(1, "short")
			if start := p.log.LogStartOffset(); start != 0 {
				t.Fatalf("log start %d before retention", start)
			}
			c.broker(1).replicas.EnforceRetention(time.Now().Add(time.Second))
			if start, end := p.log.LogStartOffset(), p.log.LogEndOffset(); start != 9 || end != 12 {
				t.Fatalf("after retention: log start %d, end %d; want every closed segment gone (start 9, the active segment's base)", start, end)
			}
		})
	}
}
