package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeProducersOptions are kafka-transactions describe-producers' flags.
type DescribeProducersOptions struct {
	Conn
	Topic string
	// Partition is required; a pointer, so that a missing --partition is
	// told apart from partition 0.
	Partition *int32
	// BrokerID asks that replica instead of the leader, to compare the
	// producer state replicas hold.
	BrokerID *int32
	JSON     bool
}

// ProducerState is one producer a partition's replica remembers
// (DescribeProducers, KIP-664); it is also the --output json form. The
// pointers are nil where the broker answers -1, as Kafka's admin client
// turns those into empty optionals.
type ProducerState struct {
	ProducerID    int64 `json:"producer_id"`
	ProducerEpoch int16 `json:"producer_epoch"`
	// CoordinatorEpoch is the epoch of the coordinator that wrote the
	// producer's last marker; nil before any.
	CoordinatorEpoch *int32 `json:"coordinator_epoch"`
	LastSequence     int32  `json:"last_sequence"`
	LastTimestamp    int64  `json:"last_timestamp"`
	// CurrentTransactionStartOffset is the first offset of the producer's
	// open transaction on the partition; nil when none is open.
	CurrentTransactionStartOffset *int64 `json:"current_transaction_start_offset"`
}

// describeProducersHeaders are Kafka 3.9's DescribeProducersCommand.HEADERS.
var describeProducersHeaders = []string{"ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence", "LastTimestamp", "CurrentTransactionStartOffset"}

// describeProducersBatch is how many partitions one DescribeProducers
// carries, Kafka's find-hanging MAX_BATCH_SIZE, so that searching a whole
// broker does not become one giant request.
const describeProducersBatch = 500

// DescribeProducers prints the producers one partition's leader (or the
// replica on BrokerID) remembers, in kafka-transactions 3.9's table: the
// starting point for finding the producer of a transaction that blocks
// read_committed consumers.
func DescribeProducers(ctx context.Context, out io.Writer, o DescribeProducersOptions) error {
	if err := requireTopicPartition(o.Topic, o.Partition); err != nil {
		return err
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	tp := topicPartition{Topic: o.Topic, Partition: *o.Partition}
	found, err := describeProducers(ctx, cl, []topicPartition{tp}, o.BrokerID)
	if err != nil {
		return fmt.Errorf("Failed to describe producers for partition %s on %s: %w", tp, brokerClause(o.BrokerID), err)
	}
	producers := found[tp]
	if o.JSON {
		return writeJSON(out, producers)
	}
	return writeTable(out, describeProducersHeaders, producerRows(producers))
}

// requireTopicPartition is argparse's check of the two required flags that
// name a partition, with its message.
func requireTopicPartition(topic string, partition *int32) error {
	if topic == "" {
		return errors.New("argument --topic is required")
	}
	if partition == nil {
		return errors.New("argument --partition is required")
	}
	return nil
}

// brokerClause names where DescribeProducers went, as Kafka's error does.
func brokerClause(broker *int32) string {
	if broker == nil {
		return "leader"
	}
	return "broker " + strconv.Itoa(int(*broker))
}

// producerRows renders producers as Kafka does: an unknown coordinator
// epoch as -1, no open transaction as None.
func producerRows(producers []ProducerState) [][]string {
	rows := make([][]string, 0, len(producers))
	for _, p := range producers {
		start := "None"
		if p.CurrentTransactionStartOffset != nil {
			start = strconv.FormatInt(*p.CurrentTransactionStartOffset, 10)
		}
		rows = append(rows, []string{
			strconv.FormatInt(p.ProducerID, 10),
			strconv.Itoa(int(p.ProducerEpoch)),
			strconv.Itoa(int(coordinatorEpochOr(p, -1))),
			strconv.Itoa(int(p.LastSequence)),
			strconv.FormatInt(p.LastTimestamp, 10),
			start,
		})
	}
	return rows
}

// coordinatorEpochOr is the producer's coordinator epoch, or def when the
// broker does not know one (Kafka's coordinatorEpoch().orElse(def)).
func coordinatorEpochOr(p ProducerState, def int32) int32 {
	if p.CoordinatorEpoch == nil {
		return def
	}
	return *p.CoordinatorEpoch
}

// newProducerState converts a DescribeProducers entry; negative epochs and
// offsets are the wire's "none".
func newProducerState(id int64, epoch, coordinatorEpoch, lastSequence int32, lastTimestamp, txnStart int64) ProducerState {
	p := ProducerState{ProducerID: id, ProducerEpoch: int16(epoch), LastSequence: lastSequence, LastTimestamp: lastTimestamp}
	if coordinatorEpoch >= 0 {
		p.CoordinatorEpoch = &coordinatorEpoch
	}
	if txnStart >= 0 {
		p.CurrentTransactionStartOffset = &txnStart
	}
	return p
}

// describeProducers asks each partition's leader, or the replica on broker
// when it is set, for the producers it remembers, in batches of
// describeProducersBatch partitions. Any partition's error fails the call,
// as Kafka's DescribeProducersResult.all() does; each partition's
// producers are sorted by id.
func describeProducers(ctx context.Context, cl *kgo.Client, partitions []topicPartition, broker *int32) (map[topicPartition][]ProducerState, error) {
	found := make(map[topicPartition][]ProducerState, len(partitions))
	for start := 0; start < len(partitions); start += describeProducersBatch {
		batch := partitions[start:min(start+describeProducersBatch, len(partitions))]
		var err error
		if broker == nil {
			err = describeProducersOnLeaders(ctx, kadm.NewClient(cl), batch, found)
		} else {
			err = describeProducersOnBroker(ctx, cl.Broker(int(*broker)), batch, found)
		}
		if err != nil {
			return nil, err
		}
		for _, tp := range batch {
			if _, ok := found[tp]; !ok {
				return nil, fmt.Errorf("%s: DescribeProducers response has no entry for the partition", tp)
			}
		}
	}
	for _, ps := range found {
		sort.Slice(ps, func(i, j int) bool { return ps[i].ProducerID < ps[j].ProducerID })
	}
	return found, nil
}

// describeProducersOnLeaders routes through kadm, which sends each
// partition to its leader and follows leadership changes.
func describeProducersOnLeaders(ctx context.Context, adm *kadm.Client, batch []topicPartition, found map[topicPartition][]ProducerState) error {
	set := make(kadm.TopicsSet)
	for _, tp := range batch {
		set.Add(tp.Topic, tp.Partition)
	}
	described, err := adm.DescribeProducers(ctx, set)
	if err != nil {
		return fmt.Errorf("DescribeProducers: %w", err)
	}
	for _, dp := range described.SortedPartitions() {
		tp := topicPartition{Topic: dp.Topic, Partition: dp.Partition}
		if dp.Err != nil {
			return fmt.Errorf("%s: %w", tp, errWithMessage(dp.Err, dp.ErrMessage))
		}
		producers := []ProducerState{}
		for _, p := range dp.ActiveProducers.Sorted() {
			producers = append(producers, newProducerState(p.ProducerID, int32(p.ProducerEpoch), p.CoordinatorEpoch, p.LastSequence, p.LastTimestamp, p.CurrentTxnStartOffset))
		}
		found[tp] = producers
	}
	return nil
}

// describeProducersOnBroker sends the request to one replica, which need
// not lead the partitions: Kafka's StaticBrokerStrategy for --broker-id.
func describeProducersOnBroker(ctx context.Context, broker *kgo.Broker, batch []topicPartition, found map[topicPartition][]ProducerState) error {
	req := kmsg.NewPtrDescribeProducersRequest()
	for _, topic := range topicsOf(batch) {
		rt := kmsg.NewDescribeProducersRequestTopic()
		rt.Topic = topic
		for _, tp := range batch {
			if tp.Topic == topic {
				rt.Partitions = append(rt.Partitions, tp.Partition)
			}
		}
		req.Topics = append(req.Topics, rt)
	}
	kresp, err := broker.RetriableRequest(ctx, req)
	if err != nil {
		return fmt.Errorf("DescribeProducers: %w", err)
	}
	for _, rt := range kresp.(*kmsg.DescribeProducersResponse).Topics {
		for _, rp := range rt.Partitions {
			tp := topicPartition{Topic: rt.Topic, Partition: rp.Partition}
			if err := kafkaErr(rp.ErrorCode, rp.ErrorMessage); err != nil {
				return fmt.Errorf("%s: %w", tp, err)
			}
			producers := []ProducerState{}
			for _, p := range rp.ActiveProducers {
				producers = append(producers, newProducerState(p.ProducerID, p.ProducerEpoch, p.CoordinatorEpoch, p.LastSequence, p.LastTimestamp, p.CurrentTxnStartOffset))
			}
			found[tp] = producers
		}
	}
	return nil
}

// errWithMessage adds a response's error message to its error code's error,
// as kafkaErr does for raw responses.
func errWithMessage(err error, msg string) error {
	if msg == "" {
		return err
	}
	return fmt.Errorf("%w %s", err, msg)
}
