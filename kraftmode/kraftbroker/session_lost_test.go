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

// staleFeed is an image feed whose freshness the test sets: the image holds what the
// quorum had committed at freshAt.
type staleFeed struct {
	ImageFeed
	freshAt time.Time
}

func (f *staleFeed) CaughtUpSince(t time.Time) bool { return !f.freshAt.Before(t) }

// TestSessionRegainedOnlyWithAFreshImage: a broker that took itself for fenced does not
// trust its image again at the first answered heartbeat — the image still names it
// leader of what the controller moved while it was cut off — but once the image has
// caught up with the log as it was when that heartbeat was sent. A broker that never
// lost its session does not wait for freshness.
func TestSessionRegainedOnlyWithAFreshImage(t *testing.T) {
	feed := &staleFeed{}
	s := &BrokerSource{opts: BrokerSourceOptions{SessionTimeout: time.Second}, feed: feed}
	now := time.Now()
	s.answered.Store(now.UnixNano())
	if s.SessionLost() {
		t.Fatal("a broker answered just now, never cut off, takes itself for fenced")
	}
	s.answered.Store(now.Add(-2 * time.Second).UnixNano())
	if !s.SessionLost() {
		t.Fatal("no heartbeat answered for twice the session timeout, and the session is not lost")
	}
	answeredAgain := now.Add(-100 * time.Millisecond)
	s.answered.Store(answeredAgain.UnixNano())
	feed.freshAt = now.Add(-time.Second)
	if !s.SessionLost() {
		t.Fatal("answered again with an image older than the answer, and the broker trusts it")
	}
	// Heartbeats go on being answered, each sent after the image's last fresh fetch:
	// what counts is the first answer after the loss, not the newest.
	feed.freshAt = answeredAgain.Add(10 * time.Millisecond)
	s.answered.Store(now.UnixNano())
	if s.SessionLost() {
		t.Fatal("caught up with the log since the first answer after the loss, and the broker still takes itself for fenced")
	}
	feed.freshAt = time.Time{}
	if s.SessionLost() {
		t.Fatal("a regained session was lost again without a silent session timeout")
	}
}
