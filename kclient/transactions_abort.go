package kclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

// AbortTransactionOptions are kafka-transactions abort's flags. The
// transaction is named by StartOffset (brokers 3.0+, which answer
// DescribeProducers) or by ProducerID, ProducerEpoch and CoordinatorEpoch
// (older brokers); as in Kafka, StartOffset wins when both are given.
type AbortTransactionOptions struct {
	Conn
	Topic            string
	Partition        *int32
	StartOffset      *int64
	ProducerID       *int64
	ProducerEpoch    *int16
	CoordinatorEpoch *int32
}

// abortSpec is Kafka's AbortTransactionSpec: the ABORT marker to write.
type abortSpec struct {
	partition        topicPartition
	producerID       int64
	producerEpoch    int16
	coordinatorEpoch int32
}

// String is Kafka's AbortTransactionSpec.toString, which its errors print.
func (s abortSpec) String() string {
	return fmt.Sprintf("AbortTransactionSpec(topicPartition=%s, producerId=%d, producerEpoch=%d, coordinatorEpoch=%d)",
		s.partition, s.producerID, s.producerEpoch, s.coordinatorEpoch)
}

// AbortTransaction ends a hanging transaction on one partition, as Kafka's
// Admin.abortTransaction does (KIP-664): an ABORT marker for its producer,
// written by WriteTxnMarkers to the partition's leader, which moves the
// partition's last stable offset past the transaction so read_committed
// consumers go on. Like Kafka's tool it prints nothing on success.
func AbortTransaction(ctx context.Context, o AbortTransactionOptions) error {
	spec, err := o.explicitSpec()
	if err != nil {
		return err
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	if spec == nil {
		tp := topicPartition{Topic: o.Topic, Partition: *o.Partition}
		found, err := describeProducers(ctx, cl, []topicPartition{tp}, nil)
		if err != nil {
			return fmt.Errorf("Failed to validate producer state for partition %s: %w", tp, err)
		}
		s, err := specAtStartOffset(tp, found[tp], *o.StartOffset)
		if err != nil {
			return err
		}
		spec = &s
	}
	if err := writeAbortMarker(ctx, kadm.NewClient(cl), *spec); err != nil {
		return fmt.Errorf("Failed to abort transaction %s: %w", spec, err)
	}
	return nil
}

// explicitSpec checks the flags in Kafka's order with its messages and,
// without --start-offset, builds the spec from them; it is nil when the
// producer is to be looked up by its start offset.
func (o AbortTransactionOptions) explicitSpec() (*abortSpec, error) {
	if err := requireTopicPartition(o.Topic, o.Partition); err != nil {
		return nil, err
	}
	switch {
	case o.StartOffset != nil:
		return nil, nil
	case o.ProducerID == nil:
		return nil, errors.New("The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) " +
			"or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)")
	case o.ProducerEpoch == nil:
		return nil, errors.New("Missing required argument --producer-epoch")
	case o.CoordinatorEpoch == nil:
		return nil, errors.New("Missing required argument --coordinator-epoch")
	}
	return &abortSpec{
		partition:        topicPartition{Topic: o.Topic, Partition: *o.Partition},
		producerID:       *o.ProducerID,
		producerEpoch:    *o.ProducerEpoch,
		coordinatorEpoch: max(*o.CoordinatorEpoch, 0),
	}, nil
}

// specAtStartOffset finds the producer whose open transaction on tp starts
// at offset. A producer whose transaction hung before any marker was
// written has no coordinator epoch (-1); 0 is used then, as in Kafka,
// being no greater than any epoch the leader may have recorded.
func specAtStartOffset(tp topicPartition, producers []ProducerState, offset int64) (abortSpec, error) {
	for _, p := range producers {
		if start := p.CurrentTransactionStartOffset; start != nil && *start == offset {
			return abortSpec{partition: tp, producerID: p.ProducerID, producerEpoch: p.ProducerEpoch,
				coordinatorEpoch: coordinatorEpochOr(p, 0)}, nil
		}
	}
	return abortSpec{}, fmt.Errorf("Could not find any open transactions starting at offset %d on partition %s", offset, tp)
}

// writeAbortMarker sends the spec's WriteTxnMarkers (an ABORT) through
// kadm, which routes it to the partition's leader and follows leadership
// changes, and checks the leader answered for exactly that producer and
// partition.
func writeAbortMarker(ctx context.Context, adm *kadm.Client, spec abortSpec) error {
	topics := make(kadm.TopicsSet)
	topics.Add(spec.partition.Topic, spec.partition.Partition)
	resps, err := adm.WriteTxnMarkers(ctx, kadm.TxnMarkers{
		ProducerID:       spec.producerID,
		ProducerEpoch:    spec.producerEpoch,
		Commit:           false,
		CoordinatorEpoch: spec.coordinatorEpoch,
		Topics:           topics,
	})
	if err != nil {
		return fmt.Errorf("WriteTxnMarkers: %w", err)
	}
	result, ok := resps[spec.producerID].Topics[spec.partition.Topic].Partitions[spec.partition.Partition]
	if !ok {
		return fmt.Errorf("WriteTxnMarkers response has no entry for producer %d on %s", spec.producerID, spec.partition)
	}
	if result.Err != nil {
		return fmt.Errorf("WriteTxnMarkers: %w", result.Err)
	}
	return nil
}
