package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTransactionsFencing: a second producer with the same transactional id fences the
// first, whose open transaction is aborted; a transaction left open past its timeout is
// aborted by the coordinator, which fences its producer. Neither's records are ever
// read with read_committed: the records of a later committed transaction are, after
// nothing else.
func TestTransactionsFencing(t *testing.T) {
	n := StartSingleNode(t, "transaction.abort.timed.out.transaction.cleanup.interval.ms=200")
	const topic, partitions = "txn-fencing", 2
	createTopic(t, n.BrokerAddr, topic, partitions, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	txnClient := func(id string, opts ...kgo.Opt) *kgo.Client {
		return newClient(t, n.BrokerAddr, append([]kgo.Opt{kgo.TransactionalID(id),
			kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic)}, opts...)...)
	}
	produce := func(cl *kgo.Client, prefix string) error {
		if err := cl.BeginTransaction(); err != nil {
			return err
		}
		var recs []*kgo.Record
		for p := range int32(partitions) {
			for r := range 3 {
				recs = append(recs, &kgo.Record{Partition: p, Value: fmt.Appendf(nil, "%s-%d-%d", prefix, p, r)})
			}
		}
		return cl.ProduceSync(ctx, recs...).FirstErr()
	}
	fenced := func(err error) bool {
		return errors.Is(err, kerr.ProducerFenced) || errors.Is(err, kerr.InvalidProducerEpoch)
	}
	want := newTxnLayout()

	zombie := txnClient("fenced-id")
	if err := produce(zombie, "zombie"); err != nil {
		t.Fatalf("the first producer's writes: %v", err)
	}
	successor := txnClient("fenced-id")
	produceTransaction(ctx, t, successor, partitions, 3, func(p int32, r int) string {
		return fmt.Sprintf("successor-%d-%d", p, r)
	}, want, true)
	if err := zombie.EndTransaction(ctx, kgo.TryCommit); !fenced(err) {
		t.Fatalf("the fenced producer's commit answered %v, want PRODUCER_FENCED or INVALID_PRODUCER_EPOCH", err)
	}

	slow := txnClient("timed-out-id", kgo.TransactionTimeout(time.Second))
	if err := produce(slow, "stale"); err != nil {
		t.Fatalf("the slow producer's writes: %v", err)
	}
	adm := kadm.NewClient(newClient(t, n.BrokerAddr))
	WaitFor(t, 30*time.Second, "the coordinator aborting the timed-out transaction", func() bool {
		d, err := adm.DescribeTransactions(ctx, "timed-out-id")
		if err != nil {
			return false
		}
		s, ok := d["timed-out-id"]
		return ok && s.State == "CompleteAbort" && s.ProducerEpoch > 0
	})
	if err := slow.EndTransaction(ctx, kgo.TryCommit); !fenced(err) {
		t.Fatalf("the timed-out producer's commit answered %v, want PRODUCER_FENCED or INVALID_PRODUCER_EPOCH", err)
	}

	after := txnClient("after-id")
	produceTransaction(ctx, t, after, partitions, 3, func(p int32, r int) string {
		return fmt.Sprintf("after-%d-%d", p, r)
	}, want, true)
	startIsolatedConsumer(t, n.BrokerAddr, topic, kgo.ReadCommitted()).waitExactly(t, want.committed)
}
