package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
)

// cleanerTxns is Kafka's CleanedTransactionMetadata: the transactions the cleaner is
// inside of as it reads the log in order, which decide that an aborted transaction's
// data goes and when a marker may go, and which aborts the cleaned segment indexes.
type cleanerTxns struct {
	aborted   []abortedTxnEntry // the range's aborted transactions, by first offset
	next      int               // aborted[next:] start after what was read so far
	inAborted map[int64]abortedInClean
	// inCommitted holds producers whose data of a not-aborted transaction was read
	// since their last marker.
	inCommitted map[int64]bool
	indexed     []abortedTxnEntry // aborts whose markers the cleaned segment keeps
}

// abortedInClean is an aborted transaction the cleaner is inside of; dataSeen says
// some of its data was read (and removed) in this pass.
type abortedInClean struct {
	entry    abortedTxnEntry
	dataSeen bool
}

// newCleanerTxns tracks the transactions of aborted, sorted by first offset.
func newCleanerTxns(aborted []abortedTxnEntry) *cleanerTxns {
	return &cleanerTxns{aborted: aborted, inAborted: map[int64]abortedInClean{}, inCommitted: map[int64]bool{}}
}

// clone copies the state, so that a dry run over a segment can be discarded.
func (c *cleanerTxns) clone() *cleanerTxns {
	return &cleanerTxns{
		aborted: c.aborted, next: c.next,
		inAborted: maps.Clone(c.inAborted), inCommitted: maps.Clone(c.inCommitted),
		indexed: slices.Clone(c.indexed),
	}
}

func (c *cleanerTxns) reachOffset(offset int64) {
	for ; c.next < len(c.aborted) && c.aborted[c.next].firstOffset <= offset; c.next++ {
		e := c.aborted[c.next]
		if _, ok := c.inAborted[e.producerID]; !ok {
			c.inAborted[e.producerID] = abortedInClean{entry: e}
		}
	}
}

// onData reads data batch h and reports whether it belongs to an aborted
// transaction, whose records the cleaner removes regardless of their keys.
func (c *cleanerTxns) onData(h *batchHeader) bool {
	c.reachOffset(h.lastOffset())
	if !h.isTransactional() {
		return false
	}
	if a, ok := c.inAborted[h.producerID]; ok {
		a.dataSeen = true
		c.inAborted[h.producerID] = a
		return true
	}
	c.inCommitted[h.producerID] = true
	return false
}

// onControl reads control batch b and reports whether it may be discarded: a marker
// may go once no data of its transaction was read before it in this pass (the data is
// gone), which for an abort also decides whether the cleaned segment indexes it. An
// emptied marker may go; other control records stay.
func (c *cleanerTxns) onControl(b []byte, h *batchHeader) bool {
	c.reachOffset(h.lastOffset())
	if h.recordCount == 0 {
		return true
	}
	m, ok := parseTxnMarker(b, h)
	if !ok {
		return false
	}
	if m.commit {
		seen := c.inCommitted[h.producerID]
		delete(c.inCommitted, h.producerID)
		return !seen
	}
	a, ok := c.inAborted[h.producerID]
	delete(c.inAborted, h.producerID)
	if ok && a.dataSeen {
		c.indexed = append(c.indexed, a.entry)
		return false
	}
	return true
}

// lastRecord is Kafka's LastRecord: the last data offset of an active producer (-1
// when only a marker of it is left) and its epoch. The cleaner keeps the batch holding
// it, emptied if need be, so that the producer's state survives a rebuild from the log.
type lastRecord struct {
	dataOffset int64
	epoch      int16
}

// keepsProducerState reports whether h is the batch that keeps its producer's state
// (Kafka's isBatchLastRecordOfProducer): the one with its last data offset or, without
// data, a marker of its current epoch.
func (p *cleanPlan) keepsProducerState(h *batchHeader) bool {
	if h.producerID < 0 {
		return false
	}
	last, ok := p.lastRecords[h.producerID]
	switch {
	case !ok:
		return false
	case last.dataOffset >= 0:
		return h.lastOffset() == last.dataOffset
	default:
		return h.isControl() && h.producerEpoch == last.epoch
	}
}

// filterMarker decides what replaces control batch b: Kafka's LogCleaner keeps a
// marker that may not go yet; once it may, the first pass stamps a delete horizon of
// now + delete.retention.ms on it (KIP-534) and a pass after the horizon removes it,
// or only its record when the batch keeps its producer's state. tombstonesDue is
// lowered to the horizon of a marker waiting for it.
func (p *cleanPlan) filterMarker(b []byte, h *batchHeader, discardable, keepState, build bool, tombstonesDue *int64) ([]byte, bool, error) {
	horizon, stamped := h.deleteHorizon()
	expired := discardable && stamped && horizon <= p.now
	switch {
	case h.recordCount == 0:
		if keepState {
			return b, false, nil
		}
		return nil, true, nil
	case expired && keepState:
		if !build {
			return nil, true, nil
		}
		out, err := rebuildBatch(b, h, nil, 0, -1)
		return out, true, err
	case expired:
		return nil, true, nil
	case discardable && !stamped:
		horizon = addSaturating(p.now, p.cfg.DeleteRetentionMs)
		*tombstonesDue = min(*tombstonesDue, horizon)
		if !build {
			return nil, true, nil
		}
		out, err := stampDeleteHorizon(b, h, horizon)
		return out, true, err
	case discardable:
		*tombstonesDue = min(*tombstonesDue, horizon)
	}
	return b, false, nil
}

// filterAborted is what replaces data batch b of an aborted transaction: nothing, or
// an empty batch when it keeps its producer's state.
func filterAborted(b []byte, h *batchHeader, keepState, build bool) ([]byte, bool, error) {
	switch {
	case !keepState:
		return nil, true, nil
	case h.recordCount == 0:
		return b, false, nil
	case !build:
		return nil, true, nil
	}
	out, err := rebuildBatch(b, h, nil, 0, -1)
	return out, true, err
}

// stampDeleteHorizon rewrites batch b with the delete horizon in its base timestamp
// and the attribute saying so, each record's timestamp delta recomputed against it so
// that record timestamps do not change, as Kafka's MemoryRecordsBuilder does.
func stampDeleteHorizon(b []byte, h *batchHeader, horizon int64) ([]byte, error) {
	data, err := batchRecords(b, h)
	if err != nil {
		return nil, err
	}
	var recs []byte
	maxTs := int64(-1)
	err = decodeRecords(data, h.recordCount, func(r *record) error {
		ts := h.baseTimestamp + r.timestampDelta
		maxTs = max(maxTs, ts)
		_, n := binary.Varint(r.raw)
		body := r.raw[n:]
		_, m := binary.Varint(body[1:])
		rebuilt := binary.AppendVarint([]byte{body[0]}, ts-horizon)
		rebuilt = append(rebuilt, body[1+m:]...)
		recs = append(binary.AppendVarint(recs, int64(len(rebuilt))), rebuilt...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stamp delete horizon on batch at offset %d: %w", h.baseOffset, err)
	}
	out, err := rebuildBatch(b, h, recs, h.recordCount, maxTs)
	if err != nil {
		return nil, err
	}
	be.PutUint16(out[attributesOff:], uint16(h.attributes|attrDeleteHorizon))
	be.PutUint64(out[baseTimestampOff:], uint64(horizon))
	be.PutUint32(out[crcOff:], crc32.Checksum(out[attributesOff:], castagnoli))
	return out, nil
}
