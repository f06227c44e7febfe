package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Byte offsets into a v2 record batch (Kafka's DefaultRecordBatch). baseOffset and
// partitionLeaderEpoch sit before the CRC'd range, which is why the broker may stamp
// them without recomputing the CRC.
const (
	batchLengthOff     = 8
	leaderEpochOff     = 12
	magicOff           = 16
	crcOff             = 17
	attributesOff      = 21
	lastOffsetDeltaOff = 23
	baseTimestampOff   = 27
	maxTimestampOff    = 35
	producerIDOff      = 43
	producerEpochOff   = 51
	baseSequenceOff    = 53
	recordCountOff     = 57
	batchHeaderSize    = 61
	// logOverhead is the baseOffset and batchLength prefix that batchLength does not count.
	logOverhead = 12
)

const (
	attrCompressionMask = 0x07
	attrLogAppendTime   = 0x08
	attrTransactional   = 0x10
	attrControl         = 0x20
	// attrDeleteHorizon says the base timestamp holds the delete horizon the cleaner
	// set (KIP-534): the time after which the batch's marker may be removed.
	attrDeleteHorizon = 0x40
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var be = binary.BigEndian

// batchHeader is the part of a batch header the log acts on; parsing it copies a few
// integers and allocates nothing.
type batchHeader struct {
	baseOffset      int64
	size            int // whole batch, logOverhead included
	attributes      int16
	lastOffsetDelta int32
	baseTimestamp   int64
	maxTimestamp    int64
	producerID      int64
	producerEpoch   int16
	baseSequence    int32
	recordCount     int32
}

func parseHeader(b []byte) batchHeader {
	return batchHeader{
		baseOffset:      int64(be.Uint64(b)),
		size:            logOverhead + int(int32(be.Uint32(b[batchLengthOff:]))),
		attributes:      int16(be.Uint16(b[attributesOff:])),
		lastOffsetDelta: int32(be.Uint32(b[lastOffsetDeltaOff:])),
		baseTimestamp:   int64(be.Uint64(b[baseTimestampOff:])),
		maxTimestamp:    int64(be.Uint64(b[maxTimestampOff:])),
		producerID:      int64(be.Uint64(b[producerIDOff:])),
		producerEpoch:   int16(be.Uint16(b[producerEpochOff:])),
		baseSequence:    int32(be.Uint32(b[baseSequenceOff:])),
		recordCount:     int32(be.Uint32(b[recordCountOff:])),
	}
}

func (h *batchHeader) lastOffset() int64 { return h.baseOffset + int64(h.lastOffsetDelta) }

func (h *batchHeader) isControl() bool { return h.attributes&attrControl != 0 }

func (h *batchHeader) isTransactional() bool { return h.attributes&attrTransactional != 0 }

// deleteHorizon is the time from which the cleaner may remove the batch's transaction
// marker, if a cleaning set it (Kafka's deleteHorizonMs).
func (h *batchHeader) deleteHorizon() (int64, bool) {
	return h.baseTimestamp, h.attributes&attrDeleteHorizon != 0
}

// lastSequence wraps at MaxInt32 the way Kafka's DefaultRecordBatch.incrementSequence
// does; a batch without sequences (baseSequence -1, as a coordinator's transactional
// offset commit) has none either.
func (h *batchHeader) lastSequence() int32 {
	if h.baseSequence == noSequence {
		return noSequence
	}
	return nextSequence(h.baseSequence, h.lastOffsetDelta)
}

// noSequence and noTimestamp are Kafka's RecordBatch.NO_SEQUENCE and NO_TIMESTAMP.
const (
	noSequence  = -1
	noTimestamp = -1
)

func nextSequence(seq, delta int32) int32 {
	if seq > maxInt32-delta {
		return delta - (maxInt32 - seq) - 1
	}
	return seq + delta
}

const maxInt32 = 1<<31 - 1

// checkBatch validates the framing and CRC of one whole batch read from disk or a
// follower fetch; it trusts nothing in b.
func checkBatch(b []byte) error {
	if len(b) < batchHeaderSize {
		return fmt.Errorf("%w: %d bytes is shorter than a batch header", ErrCorruptRecord, len(b))
	}
	if n := logOverhead + int(int32(be.Uint32(b[batchLengthOff:]))); n != len(b) {
		return fmt.Errorf("%w: batchLength says %d bytes, have %d", ErrCorruptRecord, n, len(b))
	}
	if b[magicOff] != 2 {
		return fmt.Errorf("%w: magic %d, only v2 batches are stored", ErrCorruptRecord, int8(b[magicOff]))
	}
	if want, got := be.Uint32(b[crcOff:]), crc32.Checksum(b[attributesOff:], castagnoli); want != got {
		return fmt.Errorf("%w: crc %08x, computed %08x", ErrCorruptRecord, want, got)
	}
	if d := int32(be.Uint32(b[lastOffsetDeltaOff:])); d < 0 {
		return fmt.Errorf("%w: negative lastOffsetDelta %d", ErrCorruptRecord, d)
	}
	return nil
}

// checkProducedBatch adds the rules a producer's batch must meet on top of checkBatch:
// records present and offsets dense (only compaction leaves gaps, and producers never
// send compacted batches).
func checkProducedBatch(b []byte) (batchHeader, error) {
	if err := checkBatch(b); err != nil {
		return batchHeader{}, err
	}
	h := parseHeader(b)
	if h.recordCount <= 0 {
		return h, fmt.Errorf("%w: record count %d", ErrCorruptRecord, h.recordCount)
	}
	if h.lastOffsetDelta != h.recordCount-1 {
		return h, fmt.Errorf("%w: lastOffsetDelta %d with %d records", ErrCorruptRecord, h.lastOffsetDelta, h.recordCount)
	}
	return h, nil
}

// wholeBatchesPrefix returns how many leading bytes of b are complete batches, so a
// read cut at maxBytes never hands out a torn batch.
func wholeBatchesPrefix(b []byte) int {
	p := 0
	for p+logOverhead <= len(b) {
		n := logOverhead + int(int32(be.Uint32(b[p+batchLengthOff:])))
		if n < batchHeaderSize || p+n > len(b) {
			break
		}
		p += n
	}
	return p
}

// recordAtOrAfter finds the first record of batch b with timestamp >= ts and offset >=
// minOffset, for ListOffsets. Uncompressed CreateTime batches are walked record by
// record; for compressed or LogAppendTime batches (where every record carries the batch
// timestamp) the batch itself is the answer, as decompressing is not worth a lookup.
func recordAtOrAfter(b []byte, h *batchHeader, ts, minOffset int64) (offset, timestamp int64, ok bool) {
	if h.maxTimestamp < ts || h.lastOffset() < minOffset {
		return 0, 0, false
	}
	if h.attributes&(attrCompressionMask|attrLogAppendTime) != 0 {
		return max(h.baseOffset, minOffset), h.maxTimestamp, true
	}
	p := batchHeaderSize
	for i := int32(0); i < h.recordCount && p < len(b); i++ {
		length, n := binary.Varint(b[p:])
		if n <= 0 || length < 0 {
			break
		}
		body := p + n
		next := body + int(length)
		if next > len(b) || body+1 > len(b) {
			break
		}
		tsDelta, n1 := binary.Varint(b[body+1:])
		if n1 <= 0 {
			break
		}
		offDelta, n2 := binary.Varint(b[body+1+n1:])
		if n2 <= 0 {
			break
		}
		off, rts := h.baseOffset+offDelta, h.baseTimestamp+tsDelta
		if rts >= ts && off >= minOffset {
			return off, rts, true
		}
		p = next
	}
	return max(h.baseOffset, minOffset), h.maxTimestamp, true
}
