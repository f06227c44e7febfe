package kraftmode

import (
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// fakeClock is a quorumProgress clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) advance(d time.Duration) int64 {
	c.t = c.t.Add(d)
	return c.t.UnixMilli()
}

func TestVoterProgressFollowsKafkasCaughtUpRule(t *testing.T) {
	clock := &fakeClock{t: time.UnixMilli(1_700_000_000_000)}
	q := newQuorumProgress(clock.now)
	const id, term = raft.ServerID("2"), uint64(3)

	if got := q.voter(id, 2, term); got != (metadata.QuorumReplica{ID: 2, LogEndOffset: -1, LastFetchTimestamp: -1, LastCaughtUpTimestamp: -1}) {
		t.Fatalf("unknown voter %+v, want -1 everywhere", got)
	}

	t1 := clock.advance(time.Second)
	q.voterFetched(id, term, 0, 10) // a heartbeat: alive, position unknown
	want := metadata.QuorumReplica{ID: 2, LogEndOffset: -1, LastFetchTimestamp: t1, LastCaughtUpTimestamp: -1}
	if got := q.voter(id, 2, term); got != want {
		t.Fatalf("after heartbeat %+v, want %+v", got, want)
	}

	t2 := clock.advance(time.Second)
	q.voterFetched(id, term, 10, 10) // holds the leader's whole log
	want = metadata.QuorumReplica{ID: 2, LogEndOffset: 10, LastFetchTimestamp: t2, LastCaughtUpTimestamp: t2}
	if got := q.voter(id, 2, term); got != want {
		t.Fatalf("after catching up %+v, want %+v", got, want)
	}

	t3 := clock.advance(time.Second)
	q.voterFetched(id, term, 10, 15) // the leader moved on
	t4 := clock.advance(time.Second)
	q.voterFetched(id, term, 15, 20) // reached the end of the previous fetch, not this one
	want = metadata.QuorumReplica{ID: 2, LogEndOffset: 15, LastFetchTimestamp: t4, LastCaughtUpTimestamp: t3}
	if got := q.voter(id, 2, term); got != want {
		t.Fatalf("chasing a busy leader %+v, want caught up as of the previous fetch %+v", got, want)
	}

	clock.advance(time.Second)
	q.voterFetched(id, term, 12, 20) // an older append answered late never moves the end back
	if got := q.voter(id, 2, term).LogEndOffset; got != 15 {
		t.Fatalf("LogEndOffset %d after a late response, want 15", got)
	}

	clock.advance(time.Second)
	q.voterFetched(id, term-1, 30, 30) // a response to an earlier leadership
	if got := q.voter(id, 2, term).LogEndOffset; got != 15 {
		t.Fatalf("LogEndOffset %d after a stale term's response, want 15", got)
	}
	if got := q.voter(id, 2, term+1); got.LogEndOffset != -1 || got.LastFetchTimestamp != -1 {
		t.Fatalf("a new term starts knowing %+v, want nothing", got)
	}
	t5 := clock.advance(time.Second)
	q.voterFetched(id, term+1, 0, 20)
	if got := q.voter(id, 2, term+1); got.LogEndOffset != -1 || got.LastFetchTimestamp != t5 {
		t.Fatalf("first heartbeat of a new term %+v, want only its fetch time", got)
	}
}

func TestObserversExpireAndLeaveOutVoters(t *testing.T) {
	clock := &fakeClock{t: time.UnixMilli(1_700_000_000_000)}
	q := newQuorumProgress(clock.now)
	const term = uint64(5)
	voters := map[int32]bool{1: true, 2: true, 3: true}

	t0 := clock.advance(time.Second)
	q.observerFetched(7, term, 40, 40)
	q.observerFetched(1, term, 40, 40)   // a combined node's broker
	q.observerFetched(9, term-1, 40, 40) // fetched from this node in an earlier term
	t1 := clock.advance(observerTimeout / 2)
	q.observerFetched(8, term, 35, 40)

	got := q.observersIn(term, voters)
	want := []metadata.QuorumReplica{
		{ID: 7, LogEndOffset: 40, LastFetchTimestamp: t0, LastCaughtUpTimestamp: t0},
		{ID: 8, LogEndOffset: 35, LastFetchTimestamp: t1, LastCaughtUpTimestamp: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("observers %+v, want %+v", got, want)
	}

	t2 := clock.advance(time.Millisecond)
	q.observerFetched(8, term, 0, 40) // restarted without its log: fetches from the start
	if got := q.observersIn(term, voters); len(got) != 2 || got[1] != (metadata.QuorumReplica{ID: 8, LogEndOffset: 0, LastFetchTimestamp: t2, LastCaughtUpTimestamp: -1}) {
		t.Fatalf("observers %+v after broker 8 restarted, want its log end back at 0", got)
	}

	clock.advance(observerTimeout / 2)
	got = q.observersIn(term, voters)
	if len(got) != 1 || got[0].ID != 8 {
		t.Fatalf("observers %+v a minute after broker 7's last fetch, want only 8", got)
	}
	clock.advance(observerTimeout)
	if got := q.observersIn(term, voters); len(got) != 0 {
		t.Fatalf("observers %+v after every broker went silent, want none", got)
	}
	if len(q.observers) != 0 {
		t.Fatalf("silent observers still held: %v", q.observers)
	}
}
