package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// FindHangingOptions are kafka-transactions find-hanging's flags: the
// search covers BrokerID's replicas, Topic's partitions, or both.
type FindHangingOptions struct {
	Conn
	BrokerID  *int32
	Topic     string
	Partition *int32 // only with Topic
	// MaxTransactionTimeout is how long a transaction must have been
	// silent to be a candidate; --max-transaction-timeout, in minutes,
	// defaults to Kafka's 15.
	MaxTransactionTimeout time.Duration
	JSON                  bool
}

// DefaultMaxTransactionTimeoutMinutes is find-hanging's default
// --max-transaction-timeout, Kafka's, which is also the default
// transaction.max.timeout.ms: no transaction may run longer by default.
const DefaultMaxTransactionTimeoutMinutes = 15

// FindHangingTransactions prints the transactions that are open on a
// partition but that no coordinator will ever end (KIP-664), in
// kafka-transactions 3.9's table: such a transaction pins the partition's
// last stable offset, so read_committed consumers stop there and the log
// cannot be cleaned past it. Each row is for `abort --start-offset`.
func FindHangingTransactions(ctx context.Context, out io.Writer, o FindHangingOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	partitions, err := o.partitionsToSearch(ctx, adm)
	if err != nil {
		return err
	}
	producers, err := describeProducers(ctx, cl, partitions, o.BrokerID)
	if err != nil {
		return fmt.Errorf("Failed to describe producers for %d partitions on %s: %w", len(partitions), brokerClause(o.BrokerID), err)
	}
	now := time.Now()
	hanging := []OpenTransaction{}
	if open := openTransactions(producers, now, o.MaxTransactionTimeout); len(open) > 0 {
		pids := producerIDsOf(open)
		listings, err := listTransactions(ctx, cl, pids, -1)
		if err != nil {
			return fmt.Errorf("Failed to list transactions for %d producers: %w", len(pids), err)
		}
		txnIDs, ids := transactionalIDsOf(listings, pids)
		descs, err := describeTransactions(ctx, adm, ids)
		if err != nil {
			return fmt.Errorf("Failed to describe %d transactions: %w", len(ids), err)
		}
		hanging = hangingTransactions(open, txnIDs, descs)
	}
	if o.JSON {
		return writeJSON(out, hanging)
	}
	return writeTable(out, findHangingHeaders, hangingRows(hanging, now))
}

// validate checks the scope flags in Kafka's order with its messages.
func (o FindHangingOptions) validate() error {
	if o.Topic == "" && o.BrokerID == nil {
		return errors.New("The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search")
	}
	if o.Partition != nil && o.Topic == "" {
		return errors.New("The --partition argument requires --topic to be provided")
	}
	return nil
}

// partitionsToSearch is Kafka's collectTopicPartitionsToSearch: the one
// partition given, else the topic's partitions, else every topic's
// (internal ones included), narrowed to BrokerID's replicas when it is set.
func (o FindHangingOptions) partitionsToSearch(ctx context.Context, adm *kadm.Client) ([]topicPartition, error) {
	if o.Partition != nil {
		return []topicPartition{{Topic: o.Topic, Partition: *o.Partition}}, nil
	}
	var names []string
	if o.Topic != "" {
		names = []string{o.Topic}
	}
	topics, err := adm.ListTopicsWithInternal(ctx, names...)
	if err != nil {
		if o.Topic == "" {
			return nil, fmt.Errorf("Failed to list topics: %w", err)
		}
		return nil, fmt.Errorf("Failed to describe 1 topics: %w", err)
	}
	for _, t := range topics.Sorted() {
		if t.Err != nil {
			return nil, fmt.Errorf("Failed to describe %d topics: %s: %w", len(topics), t.Topic, t.Err)
		}
	}
	return partitionsOn(topics, o.BrokerID), nil
}

// transactionalIDsOf maps the requested producer ids to their transactional
// ids and lists those ids, sorted. A broker may list producers that were not
// asked for (one that ignores the filter); Kafka skips them, and so does
// this.
func transactionalIDsOf(listings []TransactionListing, pids []int64) (map[int64]string, []string) {
	wanted := make(map[int64]bool, len(pids))
	for _, pid := range pids {
		wanted[pid] = true
	}
	byPID := make(map[int64]string)
	for _, l := range listings {
		if wanted[l.ProducerID] {
			byPID[l.ProducerID] = l.TransactionalID
		}
	}
	ids := make([]string, 0, len(byPID))
	for _, id := range byPID {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return byPID, ids
}
