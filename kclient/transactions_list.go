package kclient

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListTransactionsOptions are kafka-transactions list's flags.
type ListTransactionsOptions struct {
	Conn
	// DurationFilter, in milliseconds, keeps only transactions running
	// longer than that (KIP-994); nil or negative lists them all.
	DurationFilter *int64
	JSON           bool
}

// TransactionListing is one transactional id a coordinator holds; it is
// also the --output json form.
type TransactionListing struct {
	TransactionalID string `json:"transactional_id"`
	Coordinator     int32  `json:"coordinator"`
	ProducerID      int64  `json:"producer_id"`
	State           string `json:"state"`
}

// listTransactionsHeaders are Kafka 3.9's ListTransactionsCommand.HEADERS.
var listTransactionsHeaders = []string{"TransactionalId", "Coordinator", "ProducerId", "TransactionState"}

// ListTransactions prints every transactional id of every coordinator in
// the cluster (ListTransactions goes to all brokers, each answering for the
// __transaction_state partitions it leads), in kafka-transactions 3.9's
// table, sorted by coordinator and id.
func ListTransactions(ctx context.Context, out io.Writer, o ListTransactionsOptions) error {
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	duration := int64(-1)
	if o.DurationFilter != nil {
		duration = *o.DurationFilter
	}
	listings, err := listTransactions(ctx, cl, nil, duration)
	if err != nil {
		return fmt.Errorf("Failed to list transactions: %w", err)
	}
	if o.JSON {
		return writeJSON(out, listings)
	}
	rows := make([][]string, 0, len(listings))
	for _, l := range listings {
		rows = append(rows, []string{l.TransactionalID, strconv.Itoa(int(l.Coordinator)), strconv.FormatInt(l.ProducerID, 10), l.State})
	}
	return writeTable(out, listTransactionsHeaders, rows)
}

// listTransactions sends ListTransactions to every broker, filtered on
// producer ids when there are some and on duration when it is not
// negative. kadm's ListTransactions cannot carry the duration filter, so
// the request is built here. As in Kafka, a broker too old for the filter
// (ListTransactions v0) fails the listing rather than answering unfiltered.
func listTransactions(ctx context.Context, cl *kgo.Client, producerIDs []int64, durationMs int64) ([]TransactionListing, error) {
	req := kmsg.NewPtrListTransactionsRequest()
	req.ProducerIDFilters = producerIDs
	req.DurationFilterMillis = durationMs
	listings := []TransactionListing{}
	for _, shard := range cl.RequestSharded(ctx, req) {
		broker := shard.Meta.NodeID
		if shard.Err != nil {
			return nil, fmt.Errorf("ListTransactions request sent to broker %d: %w", broker, shard.Err)
		}
		resp := shard.Resp.(*kmsg.ListTransactionsResponse)
		if err := kafkaErr(resp.ErrorCode, nil); err != nil {
			return nil, fmt.Errorf("ListTransactions request sent to broker %d: %w", broker, err)
		}
		if durationMs >= 0 && resp.GetVersion() < 1 {
			return nil, fmt.Errorf("broker %d: Duration filter can be set only when using API version 1 or higher. "+
				"If client is connected to an older broker, do not specify duration filter or set duration filter to -1.", broker)
		}
		for _, t := range resp.TransactionStates {
			listings = append(listings, TransactionListing{TransactionalID: t.TransactionalID, Coordinator: broker,
				ProducerID: t.ProducerID, State: transactionStateName(t.TransactionState)})
		}
	}
	sort.Slice(listings, func(i, j int) bool {
		if listings[i].Coordinator != listings[j].Coordinator {
			return listings[i].Coordinator < listings[j].Coordinator
		}
		return listings[i].TransactionalID < listings[j].TransactionalID
	})
	return listings, nil
}
