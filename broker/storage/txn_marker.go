package storage

import (
	"encoding/binary"
	"hash/crc32"
	"time"
)

// TxnMarker is a transaction marker a partition leader writes for WriteTxnMarkers:
// the coordinator's decision on the producer's transaction, which read_committed
// consumers wait for.
type TxnMarker struct {
	ProducerID       int64
	ProducerEpoch    int16
	Commit           bool
	CoordinatorEpoch int32
	Timestamp        int64 // unix ms, stamped on the control batch
}

// Kafka's control record key (ControlRecordType: version int16, type int16) and
// end-transaction marker value (EndTransactionMarker: version int16, coordinatorEpoch
// int32), both version 0.
const (
	controlTypeAbort  = 0
	controlTypeCommit = 1
	controlKeySize    = 4
	markerValueSize   = 6
)

// AppendTxnMarker writes the control batch Kafka writes for a marker (a v2 batch with
// attributes control|transactional, the producer's id and epoch, baseSequence -1 and
// one record: key ControlRecordKey{0, abort 0 / commit 1}, value EndTxnMarker{0,
// coordinatorEpoch}) at the LEO with leaderEpoch, completing the producer's open
// transaction if it has one. A marker from an older producer epoch is refused with
// ErrInvalidProducerEpoch, one from an older coordinator epoch than the producer's
// last marker with ErrTransactionCoordinatorFenced (a zombie coordinator, as Kafka's
// ProducerAppendInfo.checkCoordinatorEpoch).
func (l *PartitionLog) AppendTxnMarker(m TxnMarker, leaderEpoch int32) (AppendResult, error) {
	if m.ProducerID < 0 {
		return AppendResult{}, l.errorf("append transaction marker: %w: producer id %d", ErrInvalidRecord, m.ProducerID)
	}
	b := encodeTxnMarker(m)
	h := parseHeader(b)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return AppendResult{}, l.errorf("append transaction marker: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return AppendResult{}, err
	}
	if err := l.producers.checkMarker(m.ProducerID, m.ProducerEpoch, m.CoordinatorEpoch); err != nil {
		return AppendResult{}, l.errorf("append transaction marker: %w", err)
	}
	base := l.leo()
	be.PutUint64(b, uint64(base))
	be.PutUint32(b[leaderEpochOff:], uint32(leaderEpoch))
	h.baseOffset = base
	now := time.Now()
	if err := l.appendLocked(b, &h, now); err != nil {
		return AppendResult{}, err
	}
	l.assignEpochLocked(leaderEpoch, base)
	if err := l.maybeFlushLocked(1, now); err != nil {
		return AppendResult{}, err
	}
	return AppendResult{BaseOffset: base, LastOffset: base, LogAppendTime: -1, LogStartOffset: l.logStartOffset}, nil
}

// encodeTxnMarker builds the marker's control batch at offset 0, as Kafka's
// MemoryRecords.withEndTransactionMarker does (CreateTime, uncompressed).
func encodeTxnMarker(m TxnMarker) []byte {
	controlType := uint16(controlTypeAbort)
	if m.Commit {
		controlType = controlTypeCommit
	}
	body := []byte{0}                   // record attributes
	body = binary.AppendVarint(body, 0) // timestamp delta
	body = binary.AppendVarint(body, 0) // offset delta
	body = binary.AppendVarint(body, controlKeySize)
	body = be.AppendUint16(be.AppendUint16(body, 0), controlType)
	body = binary.AppendVarint(body, markerValueSize)
	body = be.AppendUint32(be.AppendUint16(body, 0), uint32(m.CoordinatorEpoch))
	body = binary.AppendVarint(body, 0) // header count

	b := make([]byte, batchHeaderSize, batchHeaderSize+binary.MaxVarintLen32+len(body))
	b = binary.AppendVarint(b, int64(len(body)))
	b = append(b, body...)
	be.PutUint32(b[batchLengthOff:], uint32(len(b)-logOverhead))
	be.PutUint32(b[leaderEpochOff:], uint32(0xffffffff))
	b[magicOff] = 2
	be.PutUint16(b[attributesOff:], attrControl|attrTransactional)
	be.PutUint64(b[baseTimestampOff:], uint64(m.Timestamp))
	be.PutUint64(b[maxTimestampOff:], uint64(m.Timestamp))
	be.PutUint64(b[producerIDOff:], uint64(m.ProducerID))
	be.PutUint16(b[producerEpochOff:], uint16(m.ProducerEpoch))
	be.PutUint32(b[baseSequenceOff:], uint32(0xffffffff))
	be.PutUint32(b[recordCountOff:], 1)
	be.PutUint32(b[crcOff:], crc32.Checksum(b[attributesOff:], castagnoli))
	return b
}

// txnMarkerRecord is what a transaction marker's control record says.
type txnMarkerRecord struct {
	commit           bool
	coordinatorEpoch int32
	timestamp        int64
}

// parseTxnMarker reads the control record of control batch b. false means b is no
// transaction marker: an empty control batch (the cleaner removed its record, as Kafka
// does once the transaction's data is gone), another control type, or a record Kafka
// would refuse to parse; none of them changes producer state.
func parseTxnMarker(b []byte, h *batchHeader) (txnMarkerRecord, bool) {
	if h.recordCount < 1 {
		return txnMarkerRecord{}, false
	}
	data, err := batchRecords(b, h)
	if err != nil {
		return txnMarkerRecord{}, false
	}
	length, n := binary.Varint(data)
	if n <= 0 || length < 0 || length > int64(len(data)-n) {
		return txnMarkerRecord{}, false
	}
	var r record
	if parseRecordBody(data[n:n+int(length)], &r) != nil ||
		len(r.key) < controlKeySize || int16(be.Uint16(r.key)) < 0 ||
		len(r.value) < markerValueSize || int16(be.Uint16(r.value)) < 0 {
		return txnMarkerRecord{}, false
	}
	m := txnMarkerRecord{coordinatorEpoch: int32(be.Uint32(r.value[2:])), timestamp: h.baseTimestamp + r.timestampDelta}
	if h.attributes&attrLogAppendTime != 0 {
		m.timestamp = h.maxTimestamp
	}
	switch be.Uint16(r.key[2:]) {
	case controlTypeAbort:
	case controlTypeCommit:
		m.commit = true
	default:
		return txnMarkerRecord{}, false
	}
	return m, true
}
