package txn

import (
	"context"

	"github.com/kbridge/kbridge/broker/group"
)

// Clock is the group coordinator's time source and timers: the transaction
// coordinator schedules its timeout and expiry checks and its retries on it, so
// tests drive them with a fake clock and the broker passes group.SystemClock.
type Clock = group.Clock

// ProducerIDs hands out fresh producer ids (the broker's block allocator).
type ProducerIDs interface {
	NextProducerID(ctx context.Context) (int64, error)
}

// TopicPartition names one partition of a transaction.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Marker is one transaction's markers to write: the commit or abort that partition
// leaders append for the producer, fenced by the coordinator epoch (KIP-98).
type Marker struct {
	TransactionalID  string
	ProducerID       int64
	ProducerEpoch    int16
	Commit           bool
	CoordinatorEpoch int32
	Partitions       []TopicPartition
}

// MarkerWriter writes markers to partition leaders (WriteTxnMarkers). WriteMarkers
// returns once every partition has its marker or no longer exists (the broker
// retries leader changes and NOT_ENOUGH_REPLICAS itself, as Kafka's marker channel
// does), or with an error when ctx is done (the coordinator lost the partition); the
// coordinator then completes the transaction.
type MarkerWriter interface {
	WriteMarkers(ctx context.Context, m Marker) error
}
