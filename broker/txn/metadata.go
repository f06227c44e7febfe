package txn

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
)

// errIllegalTransition marks a transition Kafka's TransactionMetadata refuses with
// an IllegalStateException: a bug, answered UNKNOWN_SERVER_ERROR.
var errIllegalTransition = errors.New("illegal transaction state transition")

// partitionSet is the set of partitions in a transaction.
type partitionSet map[TopicPartition]struct{}

func (s partitionSet) sorted() []TopicPartition {
	out := make([]TopicPartition, 0, len(s))
	for tp := range s {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}

func (s partitionSet) clone() partitionSet {
	out := make(partitionSet, len(s))
	for tp := range s {
		out[tp] = struct{}{}
	}
	return out
}

func (s partitionSet) containsAll(o partitionSet) bool {
	for tp := range o {
		if _, ok := s[tp]; !ok {
			return false
		}
	}
	return true
}

// txnMetadata is one transactional id in the coordinator's cache (Kafka's
// TransactionMetadata); Coordinator.mu guards it.
type txnMetadata struct {
	id                string
	producerID        int64
	lastProducerID    int64 // -1 when unknown; not persisted, as in Kafka's v0 value
	producerEpoch     int16 // -1 until the first InitProducerId is written
	lastProducerEpoch int16 // -1 when unknown; not persisted either
	timeoutMs         int32
	state             txnState
	// pending is the state a write in flight moves to; any other request meanwhile
	// gets CONCURRENT_TRANSACTIONS.
	pending      txnState
	partitions   partitionSet
	startMs      int64 // -1 until a partition is added
	lastUpdateMs int64
	// failedEpochFence is set when writing a fencing abort failed after the epoch
	// was bumped in memory; the next fence then reuses that epoch rather than bump
	// again, since the bumped one was never handed to a producer.
	failedEpochFence bool
}

func newTxnMetadata(id string, producerID int64, timeoutMs int32, nowMs int64) *txnMetadata {
	return &txnMetadata{
		id: id, producerID: producerID, lastProducerID: -1, producerEpoch: -1, lastProducerEpoch: -1,
		timeoutMs: timeoutMs, state: stateEmpty, pending: noState, partitions: partitionSet{},
		startMs: -1, lastUpdateMs: nowMs,
	}
}

// transit is a transition being written to the log; it takes effect in memory
// only once the write is committed (Kafka's TxnTransitMetadata).
type transit struct {
	producerID        int64
	lastProducerID    int64
	producerEpoch     int16
	lastProducerEpoch int16
	timeoutMs         int32
	state             txnState
	partitions        partitionSet
	startMs           int64
	updateMs          int64
}

// epochExhausted reports an epoch no producer may be given: Kafka keeps
// Short.MaxValue for the coordinator, so it can always fence the last producer.
func epochExhausted(epoch int16) bool { return epoch >= math.MaxInt16-1 }

func (m *txnMetadata) prepareTransition(to txnState, producerID int64, epoch, lastEpoch int16, timeoutMs int32,
	partitions partitionSet, startMs, updateMs int64) (transit, error) {
	if m.pending != noState {
		return transit{}, fmt.Errorf("%w: %s to %s while moving to %s", errIllegalTransition, m.state, to, m.pending)
	}
	if !validPrevious(to, m.state) {
		return transit{}, fmt.Errorf("%w: %s to %s", errIllegalTransition, m.state, to)
	}
	m.pending = to
	return transit{
		producerID: producerID, lastProducerID: m.producerID, producerEpoch: epoch, lastProducerEpoch: lastEpoch,
		timeoutMs: timeoutMs, state: to, partitions: partitions, startMs: startMs, updateMs: updateMs,
	}, nil
}

// prepareFenceEpoch bumps the epoch of an ongoing transaction's producer so the
// abort that follows fences it.
func (m *txnMetadata) prepareFenceEpoch() (transit, error) {
	if m.producerEpoch == math.MaxInt16 {
		return transit{}, fmt.Errorf("%w: cannot fence producer %d of epoch %d", errIllegalTransition, m.producerID, m.producerEpoch)
	}
	epoch := m.producerEpoch + 1
	if m.failedEpochFence {
		epoch = m.producerEpoch
	}
	return m.prepareTransition(statePrepareEpochFence, m.producerID, epoch, -1, m.timeoutMs,
		m.partitions.clone(), m.startMs, m.lastUpdateMs)
}

// prepareIncrementEpoch is InitProducerId's epoch bump. With KIP-360's expected
// epoch, the current epoch bumps, a retry of the last bump gets the same epoch
// back, and any other epoch is fenced.
func (m *txnMetadata) prepareIncrementEpoch(timeoutMs int32, expectedEpoch *int16, nowMs int64) (transit, error) {
	epoch, lastEpoch := m.producerEpoch+1, int16(-1)
	if expectedEpoch != nil {
		switch {
		case m.producerEpoch == -1 || *expectedEpoch == m.producerEpoch:
			lastEpoch = m.producerEpoch
		case *expectedEpoch == m.lastProducerEpoch:
			epoch, lastEpoch = m.producerEpoch, m.lastProducerEpoch
		default:
			return transit{}, kerr.ProducerFenced
		}
	}
	return m.prepareTransition(stateEmpty, m.producerID, epoch, lastEpoch, timeoutMs, partitionSet{}, -1, nowMs)
}

// prepareProducerIDRotation moves an id whose epochs are exhausted to a new
// producer id at epoch 0, remembering the old epoch when the producer sent it so a
// retry is recognised.
func (m *txnMetadata) prepareProducerIDRotation(producerID int64, timeoutMs int32, nowMs int64, recordLastEpoch bool) (transit, error) {
	lastEpoch := int16(-1)
	if recordLastEpoch {
		lastEpoch = m.producerEpoch
	}
	return m.prepareTransition(stateEmpty, producerID, 0, lastEpoch, timeoutMs, partitionSet{}, -1, nowMs)
}

// prepareAddPartitions opens the transaction, or widens it; a new transaction
// starts its timeout now.
func (m *txnMetadata) prepareAddPartitions(add partitionSet, nowMs int64) (transit, error) {
	start := m.startMs
	if m.state == stateEmpty || m.state == stateCompleteCommit || m.state == stateCompleteAbort {
		start = nowMs
	}
	partitions := m.partitions.clone()
	for tp := range add {
		partitions[tp] = struct{}{}
	}
	return m.prepareTransition(stateOngoing, m.producerID, m.producerEpoch, m.lastProducerEpoch, m.timeoutMs,
		partitions, start, nowMs)
}

func (m *txnMetadata) prepareAbortOrCommit(to txnState, nowMs int64) (transit, error) {
	return m.prepareTransition(to, m.producerID, m.producerEpoch, m.lastProducerEpoch, m.timeoutMs,
		m.partitions.clone(), m.startMs, nowMs)
}

// prepareComplete follows a written PrepareCommit or PrepareAbort once its markers
// are out.
func (m *txnMetadata) prepareComplete(nowMs int64) (transit, error) {
	to := stateCompleteAbort
	if m.state == statePrepareCommit {
		to = stateCompleteCommit
	}
	m.failedEpochFence = false
	return m.prepareTransition(to, m.producerID, m.producerEpoch, m.lastProducerEpoch, m.timeoutMs,
		partitionSet{}, m.startMs, nowMs)
}
