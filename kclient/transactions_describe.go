package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// DescribeTransactionOptions are kafka-transactions describe's flags.
type DescribeTransactionOptions struct {
	Conn
	TransactionalID string
	JSON            bool
}

// TransactionDescription is what a transactional id's coordinator knows of
// it (DescribeTransactions, KIP-664); it is also the --output json form.
type TransactionDescription struct {
	CoordinatorID   int32  `json:"coordinator_id"`
	TransactionalID string `json:"transactional_id"`
	ProducerID      int64  `json:"producer_id"`
	ProducerEpoch   int16  `json:"producer_epoch"`
	State           string `json:"state"`
	TimeoutMs       int32  `json:"transaction_timeout_ms"`
	// StartTimeMs is when the current transaction started; nil when none
	// is running (the coordinator's -1).
	StartTimeMs *int64 `json:"current_transaction_start_time_ms"`
	// TopicPartitions are the partitions of the ongoing transaction, or
	// those still waiting for their marker in PrepareCommit/PrepareAbort.
	TopicPartitions []TopicPartitions `json:"topic_partitions"`
}

// describeTransactionHeaders are Kafka 3.9's DescribeTransactionsCommand.HEADERS.
var describeTransactionHeaders = []string{"CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch", "TransactionState",
	"TransactionTimeoutMs", "CurrentTransactionStartTimeMs", "TransactionDurationMs", "TopicPartitions"}

// DescribeTransaction prints one transactional id's state as its coordinator
// sees it, in kafka-transactions 3.9's table, with how long the current
// transaction has run.
func DescribeTransaction(ctx context.Context, out io.Writer, o DescribeTransactionOptions) error {
	if o.TransactionalID == "" {
		return errors.New("argument --transactional-id is required")
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	descs, err := describeTransactions(ctx, kadm.NewClient(cl), []string{o.TransactionalID})
	if err == nil && descs[o.TransactionalID] == nil {
		err = kerr.TransactionalIDNotFound
	}
	if err != nil {
		return fmt.Errorf("Failed to describe transaction state of transactional-id `%s`: %w", o.TransactionalID, err)
	}
	d := *descs[o.TransactionalID]
	if o.JSON {
		return writeJSON(out, d)
	}
	return writeTable(out, describeTransactionHeaders, [][]string{descriptionRow(d, time.Now())})
}

// descriptionRow renders a description as Kafka does: without a running
// transaction the start time and duration read None; partitions are
// topic-partition, comma-separated.
func descriptionRow(d TransactionDescription, now time.Time) []string {
	start, duration := "None", "None"
	if d.StartTimeMs != nil {
		start = strconv.FormatInt(*d.StartTimeMs, 10)
		duration = strconv.FormatInt(now.UnixMilli()-*d.StartTimeMs, 10)
	}
	var tps []string
	for _, t := range d.TopicPartitions {
		for _, p := range t.Partitions {
			tps = append(tps, topicPartition{Topic: t.Topic, Partition: p}.String())
		}
	}
	return []string{
		strconv.Itoa(int(d.CoordinatorID)),
		d.TransactionalID,
		strconv.FormatInt(d.ProducerID, 10),
		strconv.Itoa(int(d.ProducerEpoch)),
		d.State,
		strconv.Itoa(int(d.TimeoutMs)),
		start,
		duration,
		strings.Join(tps, ","),
	}
}

// includes says whether tp is among the description's partitions.
func (d TransactionDescription) includes(tp topicPartition) bool {
	for _, t := range d.TopicPartitions {
		if t.Topic == tp.Topic {
			for _, p := range t.Partitions {
				if p == tp.Partition {
					return true
				}
			}
		}
	}
	return false
}

// describeTransactions asks the ids' coordinators (FindCoordinator, then
// DescribeTransactions). An id its coordinator does not know
// (TRANSACTIONAL_ID_NOT_FOUND) maps to nil, which find-hanging reads as
// "no transaction there", as Kafka's does; any other error fails the call.
func describeTransactions(ctx context.Context, adm *kadm.Client, ids []string) (map[string]*TransactionDescription, error) {
	descs := make(map[string]*TransactionDescription, len(ids))
	if len(ids) == 0 {
		// kadm describes every listed transaction when given no ids.
		return descs, nil
	}
	described, err := adm.DescribeTransactions(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("DescribeTransactions: %w", err)
	}
	for _, id := range ids {
		dt, ok := described[id]
		switch {
		case !ok:
			return nil, fmt.Errorf("DescribeTransactions response has no entry for transactional id %s", id)
		case errors.Is(dt.Err, kerr.TransactionalIDNotFound):
			descs[id] = nil
		case dt.Err != nil:
			return nil, fmt.Errorf("transactional id %s: %w", id, dt.Err)
		default:
			d := newTransactionDescription(dt)
			descs[id] = &d
		}
	}
	return descs, nil
}

func newTransactionDescription(dt kadm.DescribedTransaction) TransactionDescription {
	d := TransactionDescription{
		CoordinatorID: dt.Coordinator, TransactionalID: dt.TxnID, ProducerID: dt.ProducerID, ProducerEpoch: dt.ProducerEpoch,
		State: transactionStateName(dt.State), TimeoutMs: dt.TimeoutMillis, TopicPartitions: []TopicPartitions{},
	}
	if dt.StartTimestamp >= 0 {
		start := dt.StartTimestamp
		d.StartTimeMs = &start
	}
	for _, t := range dt.Topics.Sorted() {
		d.TopicPartitions = append(d.TopicPartitions, TopicPartitions{Topic: t.Topic, Partitions: t.Partitions})
	}
	return d
}
