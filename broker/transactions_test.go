package broker

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// newTxnCluster is one broker with one-partition internal topics made beforehand
// (fakeSource creates no topics itself) and a topic "data".
func newTxnCluster(t *testing.T, props ...string) *testCluster {
	c := newCluster(t, 1, append([]string{
		"transaction.state.log.num.partitions=1", "transaction.state.log.replication.factor=1",
		"transaction.state.log.min.isr=1", "offsets.topic.num.partitions=1", "offsets.topic.replication.factor=1",
	}, props...)...)
	for _, topic := range []string{txnTopic, offsetsTopic, "data"} {
		c.createTopic(topic, []int32{1}, 1, []int32{1}, nil)
	}
	return c
}

func txnTestClient(t *testing.T, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("data")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// readValues reads "data" from the start with the isolation level until it has n
// values, then returns them.
func readValues(t *testing.T, addr string, level kgo.IsolationLevel, n int) []string {
	t.Helper()
	cl := txnTestClient(t, addr, kgo.ConsumeTopics("data"), kgo.FetchIsolationLevel(level),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
		cancel()
	}
	return got
}

// TestTransactionsCommitAbortAndReadCommitted runs a franz-go transactional producer
// against one in-process broker: commit, abort, and a transaction left open, which a
// read_committed consumer never reads past while a read_uncommitted one reads it all.
func TestTransactionsCommitAbortAndReadCommitted(t *testing.T) {
	c := newTxnCluster(t)
	addr := c.nodes[1].addr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := txnTestClient(t, addr, kgo.TransactionalID("in-process"))
	run := func(end *kgo.TransactionEndTry, values ...string) {
		t.Helper()
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if err := cl.ProduceSync(ctx, kgo.StringRecord(v)).FirstErr(); err != nil {
				t.Fatalf("produce %s: %v", v, err)
			}
		}
		if end != nil {
			if err := cl.EndTransaction(ctx, *end); err != nil {
				t.Fatalf("end transaction: %v", err)
			}
		}
	}
	commit, abort := kgo.TryCommit, kgo.TryAbort
	run(&commit, "c1", "c2")
	run(&abort, "a1")
	run(&commit, "c3")
	run(nil, "open")

	if got := readValues(t, addr, kgo.ReadUncommitted(), 5); !slices.Equal(got, []string{"c1", "c2", "a1", "c3", "open"}) {
		t.Fatalf("read_uncommitted read %q", got)
	}
	if got := readValues(t, addr, kgo.ReadCommitted(), 3); !slices.Equal(got, []string{"c1", "c2", "c3"}) {
		t.Fatalf("read_committed read %q", got)
	}
	p := c.partition(1, "data")
	if lso, hw := p.log.LastStableOffset(p.HighWatermark()), p.HighWatermark(); lso >= hw {
		t.Fatalf("the open transaction does not hold the last stable offset (%d) below the high watermark (%d)", lso, hw)
	}
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	if got := readValues(t, addr, kgo.ReadCommitted(), 4); !slices.Equal(got, []string{"c1", "c2", "c3", "open"}) {
		t.Fatalf("read_committed after the commit read %q", got)
	}
}
