package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTransactionCoordinatorFailoverDuringPrepareCommit: the transaction coordinator
// is killed (kill -9) after it wrote PrepareCommit and before it could write the
// markers (one partition's leader is paused, so its marker waits). The broker that
// takes over the coordinator's __transaction_state partition loads PrepareCommit,
// writes the markers and completes the commit: a read_committed consumer reads every
// record of the transaction.
func TestTransactionCoordinatorFailoverDuringPrepareCommit(t *testing.T) {
	c := StartCluster(t, 3, 3)
	const topic, txnID, partitions = "txn-failover", "failover-id", 3
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := kadm.NewClient(c.Client())
	if resp, err := adm.CreateTopics(ctx, partitions, 3, nil, topic); err != nil || resp.Error() != nil {
		t.Fatalf("create %s: %v %v", topic, err, resp.Error())
	}
	producer := c.Client(kgo.TransactionalID(txnID), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	want := newTxnLayout()
	produceTransaction(ctx, t, producer, partitions, 5, func(p int32, r int) string {
		return fmt.Sprintf("first-%d-%d", p, r)
	}, want, true)

	if err := producer.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var recs []*kgo.Record
	for p := range int32(partitions) {
		for r := range 5 {
			v := fmt.Sprintf("failover-%d-%d", p, r)
			recs = append(recs, &kgo.Record{Partition: p, Value: []byte(v)})
			want.add(p, v, true)
		}
	}
	if err := producer.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	described, err := adm.DescribeTransactions(ctx, txnID)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := described[txnID].Coordinator
	var paused *Node
	for p := range int32(partitions) {
		d, err := c.Partition(adm, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		if d.Leader != coordinator {
			paused = c.Broker(d.Leader)
			break
		}
	}
	if paused == nil {
		t.Fatalf("the coordinator %d leads every partition of %s", coordinator, topic)
	}
	paused.Pause()
	resumed := false
	defer func() {
		if !resumed {
			paused.Resume()
		}
	}()
	if err := producer.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatalf("commit: %v", err)
	}
	WaitFor(t, 10*time.Second, "the coordinator in PrepareCommit", func() bool {
		d, err := adm.DescribeTransactions(ctx, txnID)
		return err == nil && d[txnID].State == "PrepareCommit"
	})
	c.Broker(coordinator).Kill()
	paused.Resume()
	resumed = true

	// franz-go keeps asking a coordinator it cannot dial, so each look is made by a
	// new client, which finds the coordinator afresh.
	last := ""
	WaitFor(t, time.Minute, "another coordinator completing the commit", func() bool {
		cl := c.Client()
		defer cl.Close()
		d, err := kadm.NewClient(cl).DescribeTransactions(ctx, txnID)
		if seen := fmt.Sprintf("%+v %v", d[txnID], err); seen != last {
			t.Logf("DescribeTransactions: %s", seen)
			last = seen
		}
		return err == nil && d[txnID].Coordinator != coordinator && d[txnID].State == "CompleteCommit"
	})
	consumer := newIsolatedConsumer(c.Client(isolatedConsumerOpts(topic, kgo.ReadCommitted())...))
	consumer.waitExactly(t, want.committed)
}
