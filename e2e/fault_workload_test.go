package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/internal/checker"
)

// faultWorkload is the load of the network-fault scenarios and the chaos run: an
// idempotent acks=all producer sending unique values at a fixed rate over a topic's
// partitions and a consumer group reading it, both recorded in a checker history, so
// that a scenario ends by asking the checker, not by comparing counts.
type faultWorkload struct {
	t       testing.TB
	seeds   []string
	topic   string
	History checker.History

	mu sync.Mutex
	// lastAck is when each partition last had a record acknowledged, and maxGap the
	// longest time a partition went without one while records were waiting: how long
	// a client stalled at worst.
	lastAck map[int32]time.Time
	maxGap  map[int32]time.Duration
	failed  []error
	acked   int

	stopProduce, stopConsume context.CancelFunc
	produced, consumed       chan struct{}
}

// startFaultWorkload produces rate records a second to topic through seeds, and reads
// them in group "<topic>-readers", until finish.
func startFaultWorkload(t testing.TB, seeds []string, topic string, rate int) *faultWorkload {
	t.Helper()
	w := &faultWorkload{
		t: t, seeds: seeds, topic: topic,
		lastAck: map[int32]time.Time{}, maxGap: map[int32]time.Duration{},
		produced: make(chan struct{}), consumed: make(chan struct{}),
	}
	producer := w.client(kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	consumer := w.client(kgo.ConsumeTopics(topic), kgo.ConsumerGroup(topic+"-readers"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AutoCommitInterval(500*time.Millisecond),
		kgo.AutoCommitCallback(w.History.CommitCallback("group")))
	var pctx, cctx context.Context
	pctx, w.stopProduce = context.WithCancel(context.Background())
	cctx, w.stopConsume = context.WithCancel(context.Background())
	go w.produce(pctx, producer, rate)
	go w.consume(cctx, consumer)
	return w
}

func (w *faultWorkload) client(opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(w.seeds...)}, opts...)...)
	if err != nil {
		w.t.Fatal(err)
	}
	return cl
}

// produce sends records until ctx ends and then waits for every one of them to be
// answered: an idempotent record is never abandoned, so each ends acknowledged or
// failed, and the history holds every acknowledgement.
func (w *faultWorkload) produce(ctx context.Context, cl *kgo.Client, rate int) {
	defer close(w.produced)
	defer cl.Close()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		inflight.Add(1)
		cl.Produce(context.Background(), &kgo.Record{Value: fmt.Appendf(nil, "p1-%d", seq)}, func(r *kgo.Record, err error) {
			defer inflight.Done()
			w.mu.Lock()
			defer w.mu.Unlock()
			if err != nil {
				w.failed = append(w.failed, err)
				return
			}
			now := time.Now()
			if last, ok := w.lastAck[r.Partition]; ok {
				w.maxGap[r.Partition] = max(w.maxGap[r.Partition], now.Sub(last))
			}
			w.lastAck[r.Partition] = now
			w.acked++
			w.History.AckRecord("p1", r)
		})
	}
}

func (w *faultWorkload) consume(ctx context.Context, cl *kgo.Client) {
	defer close(w.consumed)
	defer cl.Close()
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(r *kgo.Record) { w.History.ReadRecord("group", r) })
	}
}

// Acked is how many records were acknowledged so far.
func (w *faultWorkload) Acked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked
}

// WaitAcked waits until n more records than now are acknowledged: the load is moving.
func (w *faultWorkload) WaitAcked(timeout time.Duration, n int, what string) {
	w.t.Helper()
	if !w.ackedWithin(timeout, n) {
		w.t.Fatalf("timed out after %v waiting for %d more records acknowledged (%s)", timeout, n, what)
	}
}

// ackedWithin reports whether n more records than now are acknowledged within timeout.
func (w *faultWorkload) ackedWithin(timeout time.Duration, n int) bool {
	target := w.Acked() + n
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if w.Acked() >= target {
			return true
		}
	}
	return false
}

// ResetGaps forgets the gaps measured so far, so that MaxGap measures from now.
func (w *faultWorkload) ResetGaps() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.maxGap)
	now := time.Now()
	for p := range w.lastAck {
		w.lastAck[p] = now
	}
}

// MaxGap is the longest a partition waited for an acknowledgement since the last
// ResetGaps (or the start), a wait still going on included, and which partition that
// was. Every partition has records waiting at every moment (the load sends to each in
// turn), so a partition without an acknowledgement is a partition stalled.
func (w *faultWorkload) MaxGap() (time.Duration, int32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var worst time.Duration
	var at int32 = -1
	now := time.Now()
	for p, last := range w.lastAck {
		if g := max(w.maxGap[p], now.Sub(last)); g > worst {
			worst, at = g, p
		}
	}
	return worst, at
}

// WaitEveryPartitionAcked waits until every partition has had a record acknowledged
// after since: whatever stalled them is over.
func (w *faultWorkload) WaitEveryPartitionAcked(timeout time.Duration, since time.Time, what string) {
	w.t.Helper()
	WaitFor(w.t, timeout, "a record acknowledged on every partition "+what, func() bool {
		n, of := w.partitionsAckedSince(since)
		return n > 0 && n == of
	})
}

// partitionsAckedSince counts the partitions that had a record acknowledged after
// since, of those that had one at all.
func (w *faultWorkload) partitionsAckedSince(since time.Time) (n, of int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, last := range w.lastAck {
		if last.After(since) {
			n++
		}
	}
	return n, len(w.lastAck)
}

// Failed are the produce calls that failed so far.
func (w *faultWorkload) Failed() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]error(nil), w.failed...)
}

// waitConverged waits until every broker names the same leader, in the same epoch, for
// every partition of the topic. The final read must read the log as the cluster has
// it: a broker that has not yet learnt of a leader change still serves its old
// leadership, with a high watermark frozen when it was cut off.
func (w *faultWorkload) waitConverged() {
	w.t.Helper()
	WaitFor(w.t, 30*time.Second, "every broker agreeing on the leaders of "+w.topic, func() bool {
		var first map[int32]partitionView
		for _, addr := range w.seeds {
			ps, err := topicSeenBy(addr, w.topic)
			if err != nil || len(ps) == 0 {
				return false
			}
			if first == nil {
				first = ps
				continue
			}
			if len(ps) != len(first) {
				return false
			}
			for p, v := range ps {
				if f := first[p]; f.Leader != v.Leader || f.Epoch != v.Epoch || v.Leader < 0 {
					return false
				}
			}
		}
		return true
	})
}

// finish stops producing (waiting for every record in flight to be answered) and
// consuming, reads the whole topic once more, and fails the test with the checker's
// report if the history shows any anomaly; it returns the number of acknowledged
// records. allowFailed says whether produce calls may fail: only where a fault makes
// a partition unwritable past the delivery timeout.
func (w *faultWorkload) finish(allowFailed bool) int {
	w.t.Helper()
	w.stopProduce()
	select {
	case <-w.produced:
	case <-time.After(2 * time.Minute):
		w.t.Fatalf("records of %s still unanswered 2 minutes after producing stopped", w.topic)
	}
	w.stopConsume()
	<-w.consumed
	w.waitConverged()
	readAll(w.t, &w.History, w.seeds[0], w.topic)
	if vs := checker.CheckAll(w.History.Ops()); len(vs) > 0 {
		w.t.Fatal(checker.Report(vs))
	}
	if failed := w.Failed(); len(failed) > 0 && !allowFailed {
		w.t.Fatalf("%d produce calls failed, the first: %v", len(failed), failed[0])
	}
	return w.Acked()
}
