package broker

import (
	"encoding/binary"
	"hash/crc32"
)

// Byte offsets of the v2 record batch header fields (Kafka's DefaultRecordBatch).
const (
	batchLengthOffset      = 8
	batchMagicOffset       = 16
	batchCRCOffset         = 17
	batchAttributesOffset  = 21
	batchMaxTimestampOff   = 35
	batchProducerIDOffset  = 43
	batchProducerEpochOff  = 51
	batchRecordCountOffset = 57
	batchHeaderSize        = 61

	attrTimestampLogAppend = 1 << 3
	attrTransactional      = 1 << 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// batchInfo is what the produce path reads from a batch header without decoding records.
type batchInfo struct {
	size          int // bytes of the first batch
	magic         int8
	transactional bool
	producerID    int64
	producerEpoch int16
	recordCount   int32
}

// peekBatch reads the header of the first batch in b. ok is false if b does not hold
// one complete batch header and body.
func peekBatch(b []byte) (batchInfo, bool) {
	if len(b) < batchHeaderSize {
		if len(b) > batchMagicOffset {
			return batchInfo{magic: int8(b[batchMagicOffset])}, false
		}
		return batchInfo{}, false
	}
	length := int(int32(binary.BigEndian.Uint32(b[batchLengthOffset:])))
	info := batchInfo{
		size:          12 + length,
		magic:         int8(b[batchMagicOffset]),
		transactional: binary.BigEndian.Uint16(b[batchAttributesOffset:])&attrTransactional != 0,
		producerID:    int64(binary.BigEndian.Uint64(b[batchProducerIDOffset:])),
		producerEpoch: int16(binary.BigEndian.Uint16(b[batchProducerEpochOff:])),
		recordCount:   int32(binary.BigEndian.Uint32(b[batchRecordCountOffset:])),
	}
	if length < batchHeaderSize-12 || info.size > len(b) {
		return info, false
	}
	return info, true
}

// stampLogAppendTime sets a batch to LogAppendTime with the broker's clock, as Kafka does
// for topics with message.timestamp.type=LogAppendTime; the CRC covers both fields.
func stampLogAppendTime(batch []byte, nowMs int64) {
	attrs := binary.BigEndian.Uint16(batch[batchAttributesOffset:])
	binary.BigEndian.PutUint16(batch[batchAttributesOffset:], attrs|attrTimestampLogAppend)
	binary.BigEndian.PutUint64(batch[batchMaxTimestampOff:], uint64(nowMs))
	crc := crc32.Checksum(batch[batchAttributesOffset:], castagnoli)
	binary.BigEndian.PutUint32(batch[batchCRCOffset:], crc)
}
