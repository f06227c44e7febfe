package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
)

// TestTransactionsThroughMigration: transactions in ZooKeeper mode, through the
// migration's switch and after finalize. A transaction opened in ZooKeeper mode gets
// more records after the brokers moved to the quorum and commits; the figures of
// TestTransactionsReadCommittedFranzGo hold before the switch, after it and after
// finalize; and no producer id is handed out twice across the producer-id blocks
// ZooKeeper and then the quorum allocate.
func TestTransactionsThroughMigration(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	const topic, partitions = "txn-migration", 3
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	adm := kadm.NewClient(m.Client())
	if resp, err := adm.CreateTopics(ctx, partitions, 3, nil, topic); err != nil || resp.Error() != nil {
		t.Fatalf("create %s: %v %v", topic, err, resp.Error())
	}
	producerFor := func(id string) *kgo.Client {
		return m.Client(kgo.TransactionalID(id), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	}
	want := newTxnLayout()
	ids := map[int64]string{}
	recordProducerID := func(txnID string) {
		t.Helper()
		d, err := adm.DescribeTransactions(ctx, txnID)
		if err != nil || d[txnID].Err != nil {
			t.Fatalf("describe %s: %v %v", txnID, err, d[txnID].Err)
		}
		pid := d[txnID].ProducerID
		if other, ok := ids[pid]; ok {
			t.Fatalf("producer id %d handed out to %s and again to %s", pid, other, txnID)
		}
		ids[pid] = txnID
	}

	zk := producerFor("zk-alternating")
	alternateTransactions(ctx, t, zk, partitions, 6, "zk", want)
	recordProducerID("zk-alternating")
	checkTransactionFigures(ctx, t, m.Client, topic, want, openTransaction(ctx, t, zk, partitions, "zk-open"))

	// The switch takes longer than franz-go's default transaction timeout allows.
	spanning := m.Client(kgo.TransactionalID("spanning"), kgo.TransactionTimeout(3*time.Minute),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	open := openTransaction(ctx, t, spanning, partitions, "before-switch")
	recordProducerID("spanning")
	m.CommitToQuorum()
	var more []*kgo.Record
	for p := range int32(partitions) {
		more = append(more, &kgo.Record{Partition: p, Value: fmt.Appendf(nil, "after-switch-%d", p)})
	}
	if err := spanning.ProduceSync(ctx, more...).FirstErr(); err != nil {
		t.Fatalf("produce after the switch in the transaction opened before it: %v", err)
	}
	open.records = append(open.records, more...)
	checkTransactionFigures(ctx, t, m.Client, topic, want, open)

	quorum := producerFor("quorum-alternating")
	alternateTransactions(ctx, t, quorum, partitions, 6, "quorum", want)
	recordProducerID("quorum-alternating")
	checkTransactionFigures(ctx, t, m.Client, topic, want, openTransaction(ctx, t, quorum, partitions, "quorum-open"))

	WaitFor(t, 30*time.Second, "finalize accepted", func() bool {
		_, _, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "1s", "--yes")
		return err == nil
	})
	m.WaitPhase(10*time.Second, migrate.PhaseFinalized, "")
	final := producerFor("finalized-alternating")
	alternateTransactions(ctx, t, final, partitions, 4, "final", want)
	recordProducerID("finalized-alternating")
	checkTransactionFigures(ctx, t, m.Client, topic, want, openTransaction(ctx, t, final, partitions, "final-open"))
}
