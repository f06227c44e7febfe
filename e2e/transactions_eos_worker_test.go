package e2e

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The consume-transform-produce worker of TestTransactionsExactlyOnce runs in its own
// process (this test binary, started with eosWorkerEnv set), so that the test can kill
// it with kill -9 mid-stream.
const (
	eosWorkerEnv  = "KBRIDGE_E2E_EOS_WORKER"  // the worker's id; its transactional id is made of it
	eosBrokersEnv = "KBRIDGE_E2E_EOS_BROKERS" // comma-separated bootstrap brokers
	eosInput      = "eos-in"
	eosOutput     = "eos-out"
	eosGroup      = "eos-group"
)

// runEOSWorker copies every record of eosInput to eosOutput, prefixed with "out-", in
// the partition it came from, with franz-go's GroupTransactSession: each poll's records
// and the group's offsets commit in one transaction (KIP-447), so the output holds each
// input record exactly once whatever the worker or the brokers go through. A session
// that fails for good (fenced after a transaction timed out while a leader was down, a
// producer id the client gave up on) is closed and a new one started with the same
// transactional id, as Kafka's documentation tells an application to do.
func runEOSWorker(id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	for ctx.Err() == nil {
		err := runEOSSession(ctx, id)
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(os.Stderr, "eos worker %s: %v; starting a new session\n", id, err)
		time.Sleep(500 * time.Millisecond)
	}
	return 0
}

// runEOSSession runs one GroupTransactSession until ctx ends (nil) or a transaction
// cannot go on (its error).
func runEOSSession(ctx context.Context, id string) error {
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(strings.Split(os.Getenv(eosBrokersEnv), ",")...),
		kgo.TransactionalID("eos-worker-"+id),
		kgo.TransactionTimeout(5*time.Second),
		kgo.ConsumerGroup(eosGroup),
		kgo.ConsumeTopics(eosInput),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
		kgo.SessionTimeout(6*time.Second),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.MaxBufferedRecords(1000),
	)
	if err != nil {
		return err
	}
	defer sess.Close()
	for ctx.Err() == nil {
		fetches := sess.PollFetches(ctx)
		if fetches.IsClientClosed() || ctx.Err() != nil {
			return nil
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			fmt.Fprintf(os.Stderr, "eos worker %s: fetch %s-%d: %v\n", id, topic, partition, err)
		})
		if fetches.NumRecords() == 0 {
			continue
		}
		if err := sess.Begin(); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		promise := kgo.AbortingFirstErrPromise(sess.Client())
		fetches.EachRecord(func(r *kgo.Record) {
			out := &kgo.Record{Topic: eosOutput, Partition: r.Partition, Key: r.Key, Value: append([]byte("out-"), r.Value...)}
			sess.Produce(ctx, out, promise.Promise())
		})
		committed, err := sess.End(ctx, kgo.TransactionEndTry(promise.Err() == nil))
		if err != nil {
			return fmt.Errorf("end transaction (committed %v): %w", committed, err)
		}
	}
	return nil
}
