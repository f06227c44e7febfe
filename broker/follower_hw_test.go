package broker

import (
	"testing"
	"time"
)

// TestFollowerHearsHighWatermarkOnceIdle: after the last acks=all produce the follower's
// high watermark reaches the leader's without another append. The leader's high
// watermark moves when it records the follower's fetch at the new log end; that fetch
// then waits for data, and its answer must still carry the high watermark the session
// has not told yet (a follower once stayed a produce behind until the next append).
func TestFollowerHearsHighWatermarkOnceIdle(t *testing.T) {
	c := newCluster(t, 2)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	for seq := range int32(3) {
		if _, p := c.produce(1, "t", -1, 5*time.Second, recordBatch(10, -1, seq)); p.ErrorCode != 0 {
			t.Fatalf("produce: error code %d", p.ErrorCode)
		}
	}
	if hw := c.partition(1, "t").HighWatermark(); hw != 30 {
		t.Fatalf("the leader's high watermark after three acknowledged batches is %d, want 30", hw)
	}
	waitFor(t, "the follower's high watermark to reach 30", func() bool {
		return c.partition(2, "t").HighWatermark() == 30
	})
}
