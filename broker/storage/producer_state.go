package storage

import (
	"fmt"
)

// maxCachedBatches is how many in-flight batches an idempotent producer may have
// (max.in.flight.requests.per.connection <= 5), so any retry is one of these.
const maxCachedBatches = 5

// noProducerEpoch is Kafka's RecordBatch.NO_PRODUCER_EPOCH.
const noProducerEpoch = -1

type batchMetadata struct {
	firstSeq, lastSeq      int32
	baseOffset, lastOffset int64
}

// producerEntry is one producer's state, Kafka's ProducerStateEntry: its epoch, its
// last five batches, the coordinator epoch and timestamp of its last write, and the
// first offset of its open transaction.
type producerEntry struct {
	epoch            int16
	batches          [maxCachedBatches]batchMetadata
	n                int
	coordinatorEpoch int32 // of the last transaction marker; -1 before any
	lastTimestamp    int64 // of the last batch or marker; -1 before any
	txnFirstOffset   int64 // first offset of the open transaction; -1 when none is open
}

func newProducerEntry(epoch int16) *producerEntry {
	return &producerEntry{epoch: epoch, coordinatorEpoch: -1, lastTimestamp: -1, txnFirstOffset: -1}
}

func (e *producerEntry) push(m batchMetadata) {
	if e.n == maxCachedBatches {
		copy(e.batches[:], e.batches[1:])
		e.n--
	}
	e.batches[e.n] = m
	e.n++
}

// setEpoch is Kafka's maybeUpdateProducerEpoch: another epoch's batches say nothing
// about this one's sequences.
func (e *producerEntry) setEpoch(epoch int16) {
	if e.epoch != epoch {
		e.epoch, e.n = epoch, 0
	}
}

func (e *producerEntry) lastSeq() int32 {
	if e.n == 0 {
		return noSequence
	}
	return e.batches[e.n-1].lastSeq
}

func (e *producerEntry) hasOpenTxn() bool { return e.txnFirstOffset >= 0 }

// findDuplicate returns the cached batch with exactly h's sequence range, if any.
func (e *producerEntry) findDuplicate(h *batchHeader) *batchMetadata {
	if h.producerEpoch != e.epoch {
		return nil
	}
	last := h.lastSequence()
	for i := range e.n {
		if b := &e.batches[i]; b.firstSeq == h.baseSequence && b.lastSeq == last {
			return b
		}
	}
	return nil
}

// checkSequence is Kafka's ProducerAppendInfo.checkSequence: a new epoch starts at
// sequence 0, and within an epoch each batch continues the last one.
func (e *producerEntry) checkSequence(id int64, h *batchHeader) error {
	if h.producerEpoch != e.epoch {
		if h.baseSequence != 0 && e.epoch != noProducerEpoch {
			return fmt.Errorf("%w: producer %d new epoch %d must start at sequence 0, got %d", ErrOutOfOrderSequence, id, h.producerEpoch, h.baseSequence)
		}
		return nil
	}
	if e.epoch == noProducerEpoch {
		return nil
	}
	if want := nextSequence(e.lastSeq(), 1); h.baseSequence != want {
		return fmt.Errorf("%w: producer %d epoch %d expected sequence %d, got %d", ErrOutOfOrderSequence, id, h.producerEpoch, want, h.baseSequence)
	}
	return nil
}

// producerState is Kafka's ProducerStateManager: per producer id its entry, the
// transactions in the log that keep the last stable offset back, and the producers
// whose first transactional write is being verified with the coordinator (KIP-890).
type producerState struct {
	producers map[int64]*producerEntry
	txns      txnTracker
	verifying map[int64]txnVerification
}

func newProducerState() *producerState {
	return &producerState{producers: make(map[int64]*producerEntry), verifying: make(map[int64]txnVerification)}
}

// checkData validates a data batch before it is written, as Kafka's
// UnifiedLog.analyzeAndValidateProducerState and ProducerAppendInfo do for a leader's
// append, and returns the batch it duplicates, if any. A client's batch is matched
// against the cached batches and its sequence checked; a coordinator's (a
// transactional offset commit, which carries no sequence) only against the epoch and
// the transaction. A producer the log does not know is accepted at any sequence: since
// KIP-360 (Kafka 2.5) that is what happens after retention or DeleteRecords removed
// its state, and refusing would wedge the producer for good.
func (p *producerState) checkData(h *batchHeader, opts AppendOptions) (*batchMetadata, error) {
	id := h.producerID
	e := p.producers[id]
	if opts.Origin == OriginClient && e != nil {
		if dup := e.findDuplicate(h); dup != nil {
			return dup, nil
		}
	}
	if h.isTransactional() && opts.VerificationGuard != 0 && (e == nil || !e.hasOpenTxn()) &&
		p.verifying[id].guard != opts.VerificationGuard {
		return nil, fmt.Errorf("%w: producer %d has no transaction open here and verification guard %d is not current", ErrInvalidTxnState, id, opts.VerificationGuard)
	}
	if e == nil {
		return nil, nil
	}
	if h.producerEpoch < e.epoch {
		return nil, fmt.Errorf("%w: producer %d epoch %d, current %d", ErrInvalidProducerEpoch, id, h.producerEpoch, e.epoch)
	}
	if opts.Origin == OriginClient {
		if err := e.checkSequence(id, h); err != nil {
			return nil, err
		}
	}
	if !h.isTransactional() && e.hasOpenTxn() {
		return nil, fmt.Errorf("%w: non-transactional batch from producer %d, whose transaction from offset %d is open", ErrInvalidTxnState, id, e.txnFirstOffset)
	}
	return nil, nil
}

// checkMarker validates a transaction marker before it is written, as Kafka's
// ProducerAppendInfo.appendEndTxnMarker does for a coordinator's write. A producer
// the log does not know, or one without an open transaction, still gets its marker.
func (p *producerState) checkMarker(id int64, epoch int16, coordinatorEpoch int32) error {
	e := p.producers[id]
	switch {
	case e == nil:
		return nil
	case epoch < e.epoch:
		return fmt.Errorf("%w: marker for producer %d epoch %d, current %d", ErrInvalidProducerEpoch, id, epoch, e.epoch)
	case coordinatorEpoch < e.coordinatorEpoch:
		return fmt.Errorf("%w: marker for producer %d from coordinator epoch %d, last %d", ErrTransactionCoordinatorFenced, id, coordinatorEpoch, e.coordinatorEpoch)
	}
	return nil
}

func (p *producerState) entry(id int64, epoch int16) *producerEntry {
	e := p.producers[id]
	if e == nil {
		e = newProducerEntry(epoch)
		p.producers[id] = e
	}
	return e
}

// applyData records data batch h, now at h.baseOffset. Every origin changes the state
// the same way, follower and recovery included, which check nothing (Kafka's
// REPLICATION origin): a transactional batch opens its producer's transaction if
// none is open.
func (p *producerState) applyData(h *batchHeader) {
	e := p.entry(h.producerID, h.producerEpoch)
	e.setEpoch(h.producerEpoch)
	e.push(batchMetadata{
		firstSeq:   h.baseSequence,
		lastSeq:    h.lastSequence(),
		baseOffset: h.baseOffset,
		lastOffset: h.lastOffset(),
	})
	e.lastTimestamp = h.maxTimestamp
	if h.isTransactional() && !e.hasOpenTxn() {
		e.txnFirstOffset = h.baseOffset
		p.txns.begin(h.producerID, h.baseOffset)
	}
	p.endVerification(h)
}

// completedTxn is a transaction a marker ended, Kafka's CompletedTxn: lastOffset is
// the marker's offset.
type completedTxn struct {
	producerID, firstOffset, lastOffset int64
	aborted                             bool
}

// applyMarker records the transaction marker m in control batch h. If it ended an
// open transaction, it returns it and the last stable offset right after it, which
// the transaction index keeps for an abort. A marker for a producer without an open
// transaction (one whose data never reached this partition) only moves its epochs on.
func (p *producerState) applyMarker(h *batchHeader, m txnMarkerRecord) (completedTxn, int64, bool) {
	e := p.entry(h.producerID, h.producerEpoch)
	done := completedTxn{producerID: h.producerID, firstOffset: e.txnFirstOffset, lastOffset: h.baseOffset, aborted: !m.commit}
	open := e.hasOpenTxn()
	e.setEpoch(h.producerEpoch)
	e.coordinatorEpoch, e.lastTimestamp, e.txnFirstOffset = m.coordinatorEpoch, m.timestamp, -1
	p.endVerification(h)
	if !open {
		return completedTxn{}, 0, false
	}
	lso := p.txns.lastStableOffsetAfter(done)
	p.txns.complete(done)
	return done, lso, true
}
