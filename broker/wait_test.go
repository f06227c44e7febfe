package broker

import (
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// Issue 12: a request that found nothing to return and is about to wait must be woken
// by a change that lands between its read and its registration as a waiter. parkHook
// makes the change land exactly there; each request waits up to a minute, so only a
// wake-up can answer it within the ten seconds these tests allow.

const (
	parkedWait   = time.Minute      // what the parked request would wait without a wake-up
	answerWithin = 10 * time.Second // how long the tests give the wake-up
)

// onPark runs change once, the first time a request is about to wait.
func onPark(t *testing.T, change func()) {
	var once sync.Once
	parkHook = func() { once.Do(change) }
	t.Cleanup(func() { parkHook = nil })
}

// requestAsync sends req to addr on a connection of its own and delivers the answer.
func requestAsync(t *testing.T, addr string, req kmsg.Request) <-chan kmsg.Response {
	cl := kwire.NewClient(addr, "wait-test")
	t.Cleanup(cl.Close)
	out := make(chan kmsg.Response, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*parkedWait)
		defer cancel()
		resp, err := cl.Request(ctx, req)
		if err != nil {
			t.Errorf("%s: %v", kmsg.NameForKey(req.Key()), err)
		}
		out <- resp
	}()
	return out
}

// awaitAnswer fails the test unless the answer comes within answerWithin.
func awaitAnswer(t *testing.T, answers <-chan kmsg.Response, what string) kmsg.Response {
	t.Helper()
	select {
	case resp := <-answers:
		if resp == nil {
			t.Fatalf("%s: no answer", what)
		}
		return resp
	case <-time.After(answerWithin):
		t.Fatalf("%s: still waiting %v after the change that completes it (it waits up to %v)", what, answerWithin, parkedWait)
		return nil
	}
}

// fetchFrom is a Fetch of a topic's partition 0 from offset that waits for one byte.
func (c *testCluster) fetchFrom(topic string, offset int64, replica int32) *kmsg.FetchRequest {
	req := kmsg.NewPtrFetchRequest()
	req.SetVersion(15)
	req.ReplicaState.ID, req.ReplicaState.Epoch = replica, -1
	req.MaxWaitMillis, req.MinBytes, req.MaxBytes = int32(parkedWait/time.Millisecond), 1, 1<<20
	req.SessionEpoch = -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic, rt.TopicID = topic, c.src.Image().Topics[topic].ID
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch = offset, 1<<20, 0
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

// TestFollowerFetchWokenByAppendBeforeItParks: the leader appends after a follower's
// fetch read the log and before the fetch waits; the fetch answers with the batch at
// once instead of after replica.fetch.wait.max.ms.
func TestFollowerFetchWokenByAppendBeforeItParks(t *testing.T) {
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1}, nil)
	onPark(t, func() {
		if _, sp := c.produce(1, "t", 1, 5*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
			t.Errorf("produce: error %d", sp.ErrorCode)
		}
	})
	resp := awaitAnswer(t, requestAsync(t, c.nodes[1].addr, c.fetchFrom("t", 0, 2)), "follower fetch").(*kmsg.FetchResponse)
	sp := resp.Topics[0].Partitions[0]
	if sp.ErrorCode != 0 || len(sp.RecordBatches) == 0 {
		t.Fatalf("follower fetch: error %d, %d bytes; want the batch appended before it waited", sp.ErrorCode, len(sp.RecordBatches))
	}
}

// TestConsumerFetchWokenByHighWatermarkBeforeItParks: the high watermark moves after a
// consumer's fetch read the partition and before the fetch waits; the fetch answers
// with the records at once instead of after fetch.max.wait.ms.
func TestConsumerFetchWokenByHighWatermarkBeforeItParks(t *testing.T) {
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1}, 1, []int32{1}, nil)
	onPark(t, func() {
		if _, sp := c.produce(1, "t", 1, 5*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 {
			t.Errorf("produce: error %d", sp.ErrorCode)
		}
	})
	resp := awaitAnswer(t, requestAsync(t, c.nodes[1].addr, c.fetchFrom("t", 0, -1)), "consumer fetch").(*kmsg.FetchResponse)
	sp := resp.Topics[0].Partitions[0]
	if sp.ErrorCode != 0 || len(sp.RecordBatches) == 0 || sp.HighWatermark != 2 {
		t.Fatalf("consumer fetch: error %d, %d bytes, high watermark %d; want the records below high watermark 2", sp.ErrorCode, len(sp.RecordBatches), sp.HighWatermark)
	}
}

// TestAcksAllWokenByHighWatermarkBeforeItParks: the follower's fetch that moves the high
// watermark over an acks=all batch lands after the produce checked it and before the
// produce waits; the produce is answered at once instead of at its timeout.
func TestAcksAllWokenByHighWatermarkBeforeItParks(t *testing.T) {
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	follower := kwire.NewClient(c.nodes[1].addr, "follower-2")
	t.Cleanup(follower.Close)
	onPark(t, func() {
		req := c.fetchFrom("t", 4, 2)
		req.MaxWaitMillis = 0
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := follower.Request(ctx, req); err != nil {
			t.Errorf("follower fetch from the log end: %v", err)
		}
		if hw := c.partition(1, "t").HighWatermark(); hw != 4 {
			t.Errorf("high watermark %d after the follower fetched from 4", hw)
		}
	})
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = -1, int32(parkedWait/time.Millisecond)
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = "t"
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = recordBatch(4, -1, 0)
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := awaitAnswer(t, requestAsync(t, c.nodes[1].addr, req), "acks=all produce").(*kmsg.ProduceResponse)
	if sp := resp.Topics[0].Partitions[0]; sp.ErrorCode != 0 || sp.BaseOffset != 0 {
		t.Fatalf("acks=all produce: error %d, base offset %d", sp.ErrorCode, sp.BaseOffset)
	}
}

// TestPipelinedRequestsGoOnWhileAcksAllWaits: on one connection, an acks=all produce
// that waits for its follower does not hold up the request pipelined behind it, whose
// batch is appended meanwhile; the answers still come in request order, the waiting
// one first, once the follower has fetched both batches.
func TestPipelinedRequestsGoOnWhileAcksAllWaits(t *testing.T) {
	c := newCluster(t, 1)
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	conn := c.dial(1)
	produce := func(acks int16, records int) kmsg.Request {
		req := kmsg.NewPtrProduceRequest()
		req.SetVersion(8)
		req.Acks, req.TimeoutMillis = acks, int32(parkedWait/time.Millisecond)
		rt := kmsg.NewProduceRequestTopic()
		rt.Topic = "t"
		rp := kmsg.NewProduceRequestTopicPartition()
		rp.Records = recordBatch(records, -1, 0)
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		return req
	}
	frames := kwire.AppendRequest(nil, 1, "pipeline", produce(-1, 3))
	frames = kwire.AppendRequest(frames, 2, "pipeline", produce(1, 2))
	if _, err := conn.Write(frames); err != nil {
		t.Fatal(err)
	}
	leader := c.partition(1, "t")
	waitFor(t, "the pipelined batch appended while the acks=all one waits", func() bool { return leader.log.LogEndOffset() == 5 })
	if hw := leader.HighWatermark(); hw != 0 {
		t.Fatalf("high watermark %d before the follower fetched", hw)
	}
	c.follower2(t)(c.fetchFrom("t", 5, 2))
	conn.SetReadDeadline(time.Now().Add(answerWithin))
	for _, want := range []int32{1, 2} {
		var size [4]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			t.Fatalf("answer %d: %v", want, err)
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(conn, frame); err != nil {
			t.Fatalf("answer %d: %v", want, err)
		}
		if corr := int32(binary.BigEndian.Uint32(frame)); corr != want {
			t.Fatalf("answer with correlation id %d, want %d: answers out of request order", corr, want)
		}
		resp := kmsg.NewPtrProduceResponse()
		resp.SetVersion(8)
		if err := resp.ReadFrom(frame[4:]); err != nil {
			t.Fatal(err)
		}
		if sp := resp.Topics[0].Partitions[0]; sp.ErrorCode != 0 {
			t.Fatalf("answer %d: error %d", want, sp.ErrorCode)
		}
	}
}
