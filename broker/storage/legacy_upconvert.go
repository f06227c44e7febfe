package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// UpConvertLegacy turns the message set of a Produce v0-2 request (message format v0
// or v1, magic 0 or 1) into the single magic 2 record batch the log stores, as Kafka's
// LogValidator builds it when the topic's format is v2 (convertAndAssignOffsetsNonCompressed
// for plain messages, validateMessagesAndAssignOffsetsCompressed for a compressed
// wrapper) before offsets are assigned: base offset 0, offset deltas 0..n-1, no
// producer id, epoch or sequence, not transactional, no headers, partition leader
// epoch -1, and, when the set was compressed, the wrapper's codec.
//
// Record timestamps are magic 1's own (for a compressed wrapper whose timestamp type is
// LogAppendTime, the wrapper's, as Kafka's deep iterator hands them out) and -1
// (NO_TIMESTAMP) for magic 0. The batch's first timestamp is the first record's and
// its max timestamp the largest record timestamp; with useLogAppendTime the batch is
// marked LogAppendTime and its max timestamp is logAppendTime, which readers then
// report for every record (the records keep their deltas, as in Kafka).
//
// Every message's CRC-32 is checked, the wrapper's and the inner ones'. A CRC
// mismatch, a truncated or malformed entry, a magic other than 0 or 1, outer messages
// of mixed magic, a compressed wrapper sharing the set with other messages, an inner
// message that is itself compressed or of another magic than its wrapper, zstd or an
// unknown codec, and an empty set or wrapper all yield an error wrapping
// ErrCorruptRecord (CORRUPT_MESSAGE). Decompression is bounded by maxDecompressedBatch.
func UpConvertLegacy(set []byte, logAppendTime int64, useLogAppendTime bool) ([]byte, error) {
	msgs, codec, err := readLegacySet(set)
	if err != nil {
		return nil, err
	}
	return buildUpConverted(msgs, codec, logAppendTime, useLogAppendTime)
}

// readLegacySet decodes a produced message set into the messages it holds — the inner
// ones of a compressed wrapper — and the codec they were compressed with.
func readLegacySet(set []byte) ([]legacyMessage, int, error) {
	if len(set) == 0 {
		return nil, 0, fmt.Errorf("%w: empty message set", ErrCorruptRecord)
	}
	var outer []legacyMessage
	for p := 0; p < len(set); {
		m, n, err := readLegacyMessage(set[p:])
		if err != nil {
			return nil, 0, err
		}
		if len(outer) > 0 && m.magic != outer[0].magic {
			return nil, 0, fmt.Errorf("%w: message at offset %d has magic %d, the first one %d",
				ErrCorruptRecord, m.offset, m.magic, outer[0].magic)
		}
		outer = append(outer, m)
		p += n
	}
	for i := range outer {
		if outer[i].codec() == codecNone {
			continue
		}
		// LogValidator: a compressed set must be one wrapper.
		if len(outer) > 1 {
			return nil, 0, fmt.Errorf("%w: compressed message at offset %d shares its set with %d other messages",
				ErrCorruptRecord, outer[i].offset, len(outer)-1)
		}
		inner, err := unwrapLegacy(&outer[i])
		return inner, outer[i].codec(), err
	}
	return outer, codecNone, nil
}

// unwrapLegacy decompresses and decodes the inner messages of a compressed wrapper,
// checking them as Kafka's AbstractLegacyRecordBatch deep iterator and LogValidator do.
func unwrapLegacy(w *legacyMessage) ([]legacyMessage, error) {
	if w.codec() > codecLz4 {
		return nil, fmt.Errorf("%w: message at offset %d: compression codec %d is not allowed with magic %d",
			ErrCorruptRecord, w.offset, w.codec(), w.magic)
	}
	if w.value == nil {
		return nil, fmt.Errorf("%w: compressed message at offset %d has a null value", ErrCorruptRecord, w.offset)
	}
	data, err := decompressLegacy(w)
	if err != nil {
		return nil, fmt.Errorf("%w: compressed message at offset %d: %w", ErrCorruptRecord, w.offset, err)
	}
	var inner []legacyMessage
	for p := 0; p < len(data); {
		m, n, err := readLegacyMessage(data[p:])
		switch {
		case err != nil:
			return nil, fmt.Errorf("inner message of the wrapper at offset %d: %w", w.offset, err)
		case m.codec() != codecNone:
			return nil, fmt.Errorf("%w: wrapper at offset %d: inner message at offset %d is itself compressed",
				ErrCorruptRecord, w.offset, m.offset)
		case m.magic != w.magic:
			return nil, fmt.Errorf("%w: wrapper at offset %d has magic %d, its inner message at offset %d magic %d",
				ErrCorruptRecord, w.offset, w.magic, m.offset, m.magic)
		}
		if w.logAppendTime() {
			m.timestamp = w.timestamp
		}
		inner = append(inner, m)
		p += n
	}
	if len(inner) == 0 {
		return nil, fmt.Errorf("%w: compressed message at offset %d holds no messages", ErrCorruptRecord, w.offset)
	}
	// Magic 1 inner offsets are relative to a base the wrapper's (last) offset implies;
	// 0 is tolerated because some librdkafka versions send it.
	if last := inner[len(inner)-1].offset; w.magic == 1 && w.offset != 0 && w.offset < last {
		return nil, fmt.Errorf("%w: wrapper offset %d is below its last inner offset %d", ErrCorruptRecord, w.offset, last)
	}
	return inner, nil
}

// buildUpConverted writes msgs as one magic 2 batch, as Kafka's MemoryRecordsBuilder
// does for format v2.
func buildUpConverted(msgs []legacyMessage, codec int, logAppendTime int64, useLogAppendTime bool) ([]byte, error) {
	baseTs := msgs[0].timestamp
	maxTs := int64(legacyNoTimestamp)
	var records []byte
	for i := range msgs {
		m := &msgs[i]
		records = appendUpConvertedRecord(records, int32(i), m.timestamp-baseTs, m.key, m.value)
		maxTs = max(maxTs, m.timestamp)
	}
	attributes := uint16(codec)
	if useLogAppendTime {
		attributes |= attrLogAppendTime
		maxTs = logAppendTime
	}
	payload, err := compress(codec, records)
	if err != nil {
		return nil, fmt.Errorf("compress up-converted batch: %w", err)
	}
	b := make([]byte, batchHeaderSize, batchHeaderSize+len(payload))
	be.PutUint32(b[batchLengthOff:], uint32(batchHeaderSize-logOverhead+len(payload)))
	be.PutUint32(b[leaderEpochOff:], ^uint32(0)) // -1: the log stamps it
	b[magicOff] = 2
	be.PutUint16(b[attributesOff:], attributes)
	be.PutUint32(b[lastOffsetDeltaOff:], uint32(len(msgs)-1))
	be.PutUint64(b[baseTimestampOff:], uint64(baseTs))
	be.PutUint64(b[maxTimestampOff:], uint64(maxTs))
	be.PutUint64(b[producerIDOff:], ^uint64(0))    // -1: no producer id
	be.PutUint16(b[producerEpochOff:], ^uint16(0)) // -1
	be.PutUint32(b[baseSequenceOff:], ^uint32(0))  // -1
	be.PutUint32(b[recordCountOff:], uint32(len(msgs)))
	b = append(b, payload...)
	be.PutUint32(b[crcOff:], crc32.Checksum(b[attributesOff:], castagnoli))
	return b, nil
}

// appendUpConvertedRecord appends a v2 record (Kafka's DefaultRecord) without headers.
func appendUpConvertedRecord(dst []byte, offsetDelta int32, timestampDelta int64, key, value []byte) []byte {
	var scratch [binary.MaxVarintLen64]byte
	varintLen := func(v int64) int { return len(binary.AppendVarint(scratch[:0], v)) }
	bytesLen := func(b []byte) int {
		if b == nil {
			return varintLen(-1)
		}
		return varintLen(int64(len(b))) + len(b)
	}
	size := 1 + varintLen(timestampDelta) + varintLen(int64(offsetDelta)) + bytesLen(key) + bytesLen(value) + varintLen(0)
	dst = binary.AppendVarint(dst, int64(size))
	dst = append(dst, 0) // attributes: unused by v2 records
	dst = binary.AppendVarint(dst, timestampDelta)
	dst = binary.AppendVarint(dst, int64(offsetDelta))
	dst = appendUpConvertedBytes(dst, key)
	dst = appendUpConvertedBytes(dst, value)
	return binary.AppendVarint(dst, 0) // header count
}

func appendUpConvertedBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	return append(binary.AppendVarint(dst, int64(len(b))), b...)
}
