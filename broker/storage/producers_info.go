package storage

import (
	"cmp"
	"slices"
)

// ProducerInfo is one producer's state, for DescribeProducers (API 61) and
// kafka-transactions find-hanging, which looks for transactions open far longer than
// the transaction timeout.
type ProducerInfo struct {
	ProducerID            int64
	ProducerEpoch         int16
	LastSequence          int32 // -1 when none
	LastTimestamp         int64 // max timestamp of its last batch (or marker's timestamp), -1 when none
	CoordinatorEpoch      int32 // of the last marker, -1 when none
	CurrentTxnStartOffset int64 // first offset of its open transaction, -1 when none
}

// Producers lists the producers the log has state for, sorted by producer id.
func (l *PartitionLog) Producers() []ProducerInfo {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]ProducerInfo, 0, len(l.producers.producers))
	for id, e := range l.producers.producers {
		out = append(out, ProducerInfo{
			ProducerID:            id,
			ProducerEpoch:         e.epoch,
			LastSequence:          e.lastSeq(),
			LastTimestamp:         e.lastTimestamp,
			CoordinatorEpoch:      e.coordinatorEpoch,
			CurrentTxnStartOffset: e.txnFirstOffset,
		})
	}
	slices.SortFunc(out, func(a, b ProducerInfo) int { return cmp.Compare(a.ProducerID, b.ProducerID) })
	return out
}

// ProducerCount is how many producers the log holds state for (Kafka's ProducerIdCount
// metric counts them).
func (l *PartitionLog) ProducerCount() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.producers.producers)
}
