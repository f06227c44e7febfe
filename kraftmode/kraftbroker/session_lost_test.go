package kraftbroker

import (
	"context"
	"testing"
	"time"
)

// TestBrokerSourceSessionLost: a broker whose heartbeats are answered keeps its
// session past the session timeout; once no controller answers, it reports its session
// lost within the timeout (plus a heartbeat).
func TestBrokerSourceSessionLost(t *testing.T) {
	tc := startController(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const timeout = 400 * time.Millisecond
	_, s := tc.startBrokerSourceWith(t, ctx, func(o *BrokerSourceOptions) { o.SessionTimeout = timeout })
	if _, err := s.RegisterBroker(ctx, registration(101)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitUntil(t, 10*time.Second, "heartbeats answered for longer than the session timeout", func() bool {
		return time.Unix(0, s.answered.Load()).After(start.Add(timeout + 100*time.Millisecond))
	})
	if s.SessionLost() {
		t.Fatal("a broker whose heartbeats are answered reports its session lost")
	}
	tc.c.Close()
	lostBy := time.Now().Add(timeout + time.Second)
	waitUntil(t, 10*time.Second, "the session lost once no controller answers", s.SessionLost)
	if time.Now().After(lostBy) {
		t.Errorf("the session was reported lost only after %v", time.Since(lostBy)+timeout+time.Second)
	}
}

// waitUntil polls cond every 10 ms until it holds, failing the test after limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
