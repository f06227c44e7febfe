package storage

import (
	"cmp"
	"slices"
)

// txnRange is one transaction in the log, Kafka's TxnMetadata: lastOffset is its
// marker's offset once completed.
type txnRange struct {
	producerID, firstOffset, lastOffset int64
}

// txnTracker holds the transactions that keep the last stable offset back: those
// open, and those completed by a marker not yet known to be below the high watermark
// (Kafka's ongoingTxns and unreplicatedTxns), each ordered by first offset. Both are
// as long as the number of producers with a transaction in flight on the partition.
type txnTracker struct {
	ongoing      []txnRange
	unreplicated []txnRange
}

func byFirstOffset(a, b txnRange) int { return cmp.Compare(a.firstOffset, b.firstOffset) }

func insertByFirstOffset(s []txnRange, t txnRange) []txnRange {
	i, _ := slices.BinarySearchFunc(s, t, byFirstOffset)
	return slices.Insert(s, i, t)
}

// begin records a transaction opened at firstOffset.
func (t *txnTracker) begin(producerID, firstOffset int64) {
	t.ongoing = insertByFirstOffset(t.ongoing, txnRange{producerID: producerID, firstOffset: firstOffset, lastOffset: -1})
}

// lastStableOffsetAfter is the LSO once done completes (Kafka's
// ProducerStateManager.lastStableOffset(completedTxn)): the start of the earliest
// transaction another producer has open, or the offset after the marker.
func (t *txnTracker) lastStableOffsetAfter(done completedTxn) int64 {
	for _, o := range t.ongoing {
		if o.producerID != done.producerID {
			return o.firstOffset
		}
	}
	return done.lastOffset + 1
}

// complete moves an open transaction to those awaiting the high watermark.
func (t *txnTracker) complete(done completedTxn) {
	t.ongoing = slices.DeleteFunc(t.ongoing, func(o txnRange) bool {
		return o.producerID == done.producerID && o.firstOffset == done.firstOffset
	})
	t.unreplicated = insertByFirstOffset(t.unreplicated, txnRange{producerID: done.producerID, firstOffset: done.firstOffset, lastOffset: done.lastOffset})
}

// firstUnstableOffset is Kafka's firstUnstableOffset with the completed transactions
// whose marker is below hw counted as replicated: the earliest first offset of a
// transaction still open or with its marker at or above hw.
func (t *txnTracker) firstUnstableOffset(hw int64) (int64, bool) {
	first, ok := int64(0), false
	if len(t.ongoing) > 0 {
		first, ok = t.ongoing[0].firstOffset, true
	}
	for _, u := range t.unreplicated {
		if u.lastOffset >= hw {
			if !ok || u.firstOffset < first {
				first, ok = u.firstOffset, true
			}
			break
		}
	}
	return first, ok
}

// replicatedBelow reports whether a completed transaction's marker is below offset,
// so that forgetBelow would drop something.
func (t *txnTracker) replicatedBelow(offset int64) bool {
	return slices.ContainsFunc(t.unreplicated, func(u txnRange) bool { return u.lastOffset < offset })
}

// forgetBelow drops the completed transactions whose marker is below offset (Kafka's
// removeUnreplicatedTransactions): the high watermark or the log start passed them.
func (t *txnTracker) forgetBelow(offset int64) {
	t.unreplicated = slices.DeleteFunc(t.unreplicated, func(u txnRange) bool { return u.lastOffset < offset })
}
