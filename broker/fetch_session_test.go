package broker

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// follower2 sends fetches to broker 1 as its follower 2 would, on a connection of its
// own, answered without waiting.
func (c *testCluster) follower2(t *testing.T) func(*kmsg.FetchRequest) *kmsg.FetchResponse {
	cl := kwire.NewClient(c.nodes[1].addr, "follower-2")
	t.Cleanup(cl.Close)
	return func(req *kmsg.FetchRequest) *kmsg.FetchResponse {
		t.Helper()
		req.MaxWaitMillis = 0
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := cl.Request(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.(*kmsg.FetchResponse)
	}
}

// TestFetchSessions (KIP-227): a follower's initial fetch opens a session; incremental
// fetches name only what changed and are answered with only what changed; forgotten
// partitions leave the session; a wrong epoch or an unknown session is refused with
// the codes that make a follower start again; consumers get no session.
func TestFetchSessions(t *testing.T) {
	c := newCluster(t, 1)
	c.createTopic("a", []int32{1, 2}, 1, []int32{1}, nil)
	c.createTopic("b", []int32{1, 2}, 1, []int32{1}, nil)
	fetch := c.follower2(t)
	answered := func(resp *kmsg.FetchResponse) map[string]kmsg.FetchResponseTopicPartition {
		out := make(map[string]kmsg.FetchResponseTopicPartition)
		for _, st := range resp.Topics {
			for _, sp := range st.Partitions {
				out[c.src.Image().TopicsByID[st.TopicID].Name] = sp
			}
		}
		return out
	}

	initial := c.fetchFrom("a", 0, 2)
	initial.Topics = append(initial.Topics, c.fetchFrom("b", 0, 2).Topics...)
	initial.SessionEpoch = 0
	resp := fetch(initial)
	if resp.SessionID == 0 || len(answered(resp)) != 2 {
		t.Fatalf("initial fetch: session %d, %d partitions answered; want a session and both", resp.SessionID, len(answered(resp)))
	}
	id := resp.SessionID

	incremental := func(epoch int32) *kmsg.FetchRequest {
		req := c.fetchFrom("a", 0, 2)
		req.Topics = nil
		req.SessionID, req.SessionEpoch = id, epoch
		return req
	}
	if got := answered(fetch(incremental(1))); len(got) != 0 {
		t.Fatalf("incremental fetch with nothing new answered %v", got)
	}
	c.produce(1, "b", 1, 5*time.Second, recordBatch(2, -1, 0))
	got := answered(fetch(incremental(2)))
	if len(got) != 1 || len(got["b"].RecordBatches) == 0 || got["b"].HighWatermark != 2 {
		t.Fatalf("incremental fetch after a produce to b answered %v; want b's records alone", got)
	}

	moved := incremental(3)
	moved.Topics = c.fetchFrom("b", 2, 2).Topics
	if got := answered(fetch(moved)); len(got) != 0 {
		t.Fatalf("fetch from b's new log end answered %v", got)
	}
	forget := incremental(4)
	ft := kmsg.NewFetchRequestForgottenTopic()
	ft.TopicID, ft.Partitions = c.src.Image().Topics["b"].ID, []int32{0}
	forget.ForgottenTopics = append(forget.ForgottenTopics, ft)
	fetch(forget)
	c.produce(1, "b", 1, 5*time.Second, recordBatch(1, -1, 0))
	if got := answered(fetch(incremental(5))); len(got) != 0 {
		t.Fatalf("a forgotten partition was answered: %v", got)
	}

	if code := fetch(incremental(3)).ErrorCode; code != kerr.InvalidFetchSessionEpoch.Code {
		t.Fatalf("stale epoch: error %d, want INVALID_FETCH_SESSION_EPOCH", code)
	}
	stranger := incremental(6)
	stranger.SessionID = id + 1
	if code := fetch(stranger).ErrorCode; code != kerr.FetchSessionIDNotFound.Code {
		t.Fatalf("unknown session: error %d, want FETCH_SESSION_ID_NOT_FOUND", code)
	}
	consumer := c.fetchFrom("a", 0, -1)
	consumer.SessionEpoch = 0
	if resp := fetch(consumer); resp.SessionID != 0 || resp.ErrorCode != 0 {
		t.Fatalf("consumer fetch: session %d, error %d; want no session", resp.SessionID, resp.ErrorCode)
	}
}

// TestQuietSessionPartitionStaysCaughtUp: a follower whose session fetches find nothing
// new (so the leader need not read its partition again) still has its fetches recorded
// often enough that, when the next record arrives after several
// replica.lag.time.max.ms of quiet, it counts as caught up until it fetches that record,
// instead of being due to leave the ISR at once.
func TestQuietSessionPartitionStaysCaughtUp(t *testing.T) {
	c := newCluster(t, 1, "replica.lag.time.max.ms=400")
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	fetch := c.follower2(t)
	initial := c.fetchFrom("t", 0, 2)
	initial.SessionEpoch = 0
	id := fetch(initial).SessionID
	leader := c.partition(1, "t")
	epoch := int32(1)
	for start := time.Now(); time.Since(start) < 3*leader.lagTime; epoch++ {
		req := c.fetchFrom("t", 0, 2)
		req.Topics, req.SessionID, req.SessionEpoch = nil, id, epoch
		if resp := fetch(req); resp.ErrorCode != 0 {
			t.Fatalf("incremental fetch %d: error %d", epoch, resp.ErrorCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.produce(1, "t", 1, 5*time.Second, recordBatch(1, -1, 0))
	leo := leader.log.LogEndOffset()
	leader.mu.Lock()
	f := leader.followers[2]
	caughtUp, since := f.isCaughtUp(leo, time.Now(), leader.lagTime), time.Since(f.lastCaughtUpTime)
	leader.mu.Unlock()
	if !caughtUp {
		t.Fatalf("follower 2, fetching every 20 ms, was last caught up %v ago (replica.lag.time.max.ms %v): it would leave the ISR", since, leader.lagTime)
	}
}
