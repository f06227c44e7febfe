package storage

// applyProducerBatchLocked records batch b of producer h.producerID, just written to
// seg or replayed from it, in the producer state. When b is an abort marker that ends
// an open transaction, the transaction goes into seg's transaction index, the segment
// that holds the marker, as Kafka's LogSegment.updateTxnIndex does; seg is nil on a
// replay of segments whose index already has it.
func (l *PartitionLog) applyProducerBatchLocked(b []byte, h *batchHeader, seg *segment) error {
	if !h.isControl() {
		l.producers.applyData(h)
		return nil
	}
	m, ok := parseTxnMarker(b, h)
	if !ok {
		l.producers.endVerification(h)
		return nil
	}
	done, lso, ok := l.producers.applyMarker(h, m)
	if !ok || !done.aborted || seg == nil {
		return nil
	}
	if err := seg.txns.ensureLoaded(l.log); err != nil {
		return l.errorf("index aborted transaction: %w", err)
	}
	e := abortedTxnEntry{producerID: done.producerID, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: lso}
	seg.txns.add(e)
	if err := seg.txns.persist(false); err != nil {
		return l.errorf("index aborted transaction: %w", err)
	}
	return nil
}
