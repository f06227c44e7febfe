package storage

// AbortedTxn is one aborted transaction a read_committed fetch must tell the consumer
// about, so that it drops the producer's records from FirstOffset until the abort
// marker.
type AbortedTxn struct {
	ProducerID  int64
	FirstOffset int64
}

// ReadCommitted is ReadInto for an isolation_level=read_committed fetch: whole
// batches from offset below upTo (the caller passes the LSO), and the aborted
// transactions that overlap them: marker at or after offset, first offset before the
// offset after the last batch returned. They come from the transaction indexes of the
// segment read and the ones after it, in log order, the search stopping where an
// entry's LSO proves no later abort can overlap, as Kafka's
// LocalLog.collectAbortedTransactions does. No data means no aborted transactions.
func (l *PartitionLog) ReadCommitted(buf []byte, offset int64, maxBytes int32, upTo int64) ([]byte, []AbortedTxn, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	data, seg, err := l.readLocked(buf, offset, maxBytes, upTo)
	if err != nil || len(data) == 0 {
		return nil, nil, err
	}
	upper := endOffsetOf(data)
	var aborted []AbortedTxn
	for _, s := range l.segments[seg:] {
		if err := s.txns.ensureLoaded(l.log); err != nil {
			return nil, nil, l.errorf("read committed: %w", err)
		}
		var complete bool
		if aborted, complete = s.txns.collect(offset, upper, aborted); complete {
			break
		}
	}
	return data, aborted, nil
}

// endOffsetOf is the offset after the last of the whole batches in data.
func endOffsetOf(data []byte) int64 {
	var end int64
	for p := 0; p+batchHeaderSize <= len(data); {
		h := parseHeader(data[p:])
		end = h.lastOffset() + 1
		p += h.size
	}
	return end
}
