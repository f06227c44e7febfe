package broker

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func (s *fakeSource) SessionLost() bool { return s.lost.Load() }

// TestSessionLossStopsAcknowledging: a leader whose source lost its session (no
// controller answered within the session timeout) ends an acks=all write waiting for a
// follower that left with NOT_LEADER_OR_FOLLOWER at once rather than at the request
// timeout, refuses new writes the same way, and acknowledges again once a controller
// answers.
func TestSessionLossStopsAcknowledging(t *testing.T) {
	c := newCluster(t, 1, "min.insync.replicas=2")
	// Broker 2 is in the ISR but never runs: the high watermark cannot move.
	c.createTopic("cut", []int32{1, 2}, 1, []int32{1, 2}, nil)

	done := make(chan int16, 1)
	go func() {
		_, p := c.produce(1, "cut", -1, 30*time.Second, recordBatch(1, -1, 0))
		done <- p.ErrorCode
	}()
	appendedBy := time.Now().Add(10 * time.Second)
	for c.partition(1, "cut").log.LogEndOffset() < 1 {
		if time.Now().After(appendedBy) {
			t.Fatal("the acks=all write was never appended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	lostAt := time.Now()
	c.src.lost.Store(true)
	select {
	case code := <-done:
		if code != kerr.NotLeaderForPartition.Code {
			t.Fatalf("the waiting acks=all write ended with code %d, want NOT_LEADER_OR_FOLLOWER", code)
		}
		if waited := time.Since(lostAt); waited > 5*time.Second {
			t.Errorf("the waiting write ended %v after the session was lost", waited)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting acks=all write did not end when the session was lost")
	}
	if _, p := c.produce(1, "cut", 1, time.Second, recordBatch(1, -1, 0)); p.ErrorCode != kerr.NotLeaderForPartition.Code {
		t.Fatalf("a write after the session was lost: code %d, want NOT_LEADER_OR_FOLLOWER", p.ErrorCode)
	}
	c.src.lost.Store(false)
	if _, p := c.produce(1, "cut", 1, time.Second, recordBatch(1, -1, 0)); p.ErrorCode != 0 {
		t.Fatalf("an acks=1 write once a controller answers again: code %d", p.ErrorCode)
	}
}
