package storage

import (
	"errors"
	"fmt"
	"hash/crc32"
)

// Message formats v0 and v1 (magic 0 and 1, Kafka's LegacyRecord), which Produce v0-2
// carry and Fetch v0-3 expect. A message set is a sequence of log entries, each
// [offset int64][size int32] followed by size bytes of message:
//
//	crc uint32 | magic int8 | attributes int8 | timestamp int64 (magic 1 only) |
//	key bytes (int32 length, -1 for null) | value bytes (int32 length, -1 for null)
//
// The CRC is CRC-32 (IEEE, not Castagnoli as in v2) over everything after it.
const (
	legacyCRCLen       = 4
	legacyTimestampLen = 8
	// legacyOverheadV0 is Kafka's LegacyRecord.RECORD_OVERHEAD_V0: crc, magic,
	// attributes and the two length prefixes; no entry can be smaller.
	legacyOverheadV0 = legacyCRCLen + 1 + 1 + 4 + 4
	legacyOverheadV1 = legacyOverheadV0 + legacyTimestampLen
	// legacyNoTimestamp is Kafka's RecordBatch.NO_TIMESTAMP, what magic 0 messages have.
	legacyNoTimestamp = -1
)

// legacyMessage is one decoded magic 0 or 1 message. A compressed one (a wrapper) holds
// a whole inner message set, compressed, in its value.
type legacyMessage struct {
	offset     int64
	magic      int8
	attributes int8
	timestamp  int64  // not encoded for magic 0, which decodes as legacyNoTimestamp
	key, value []byte // nil for null
}

func (m *legacyMessage) codec() int { return int(m.attributes & attrCompressionMask) }

// logAppendTime reports the timestamp-type bit, which only magic 1 has (Kafka's
// LegacyRecord.TIMESTAMP_TYPE_MASK).
func (m *legacyMessage) logAppendTime() bool {
	return m.magic > 0 && m.attributes&attrLogAppendTime != 0
}

// readLegacyMessage decodes the entry at the start of b and returns it with the number
// of bytes it takes. It checks what Kafka's AbstractLegacyRecordBatch and
// LegacyRecord.ensureValid check — a whole entry, at least the minimum overhead, a
// matching CRC, magic 0 or 1 — and also that the key and value fill the message
// exactly. Key and value alias b. Errors wrap ErrCorruptRecord (CORRUPT_MESSAGE).
func readLegacyMessage(b []byte) (legacyMessage, int, error) {
	if len(b) < logOverhead {
		return legacyMessage{}, 0, fmt.Errorf("%w: %d bytes left, too few for an entry header", ErrCorruptRecord, len(b))
	}
	m := legacyMessage{offset: int64(be.Uint64(b))}
	size := int64(int32(be.Uint32(b[8:])))
	if size < legacyOverheadV0 {
		return m, 0, fmt.Errorf("%w: message at offset %d: size %d is below the minimum %d",
			ErrCorruptRecord, m.offset, size, legacyOverheadV0)
	}
	if size > int64(len(b)-logOverhead) {
		return m, 0, fmt.Errorf("%w: message at offset %d: size %d, only %d bytes left",
			ErrCorruptRecord, m.offset, size, len(b)-logOverhead)
	}
	msg := b[logOverhead : logOverhead+size]
	if want, got := be.Uint32(msg), crc32.ChecksumIEEE(msg[legacyCRCLen:]); want != got {
		return m, 0, fmt.Errorf("%w: message at offset %d: crc %08x, computed %08x", ErrCorruptRecord, m.offset, want, got)
	}
	m.magic, m.attributes = int8(msg[4]), int8(msg[5])
	rest := msg[6:]
	switch m.magic {
	case 0:
		m.timestamp = legacyNoTimestamp
	case 1:
		if size < legacyOverheadV1 {
			return m, 0, fmt.Errorf("%w: message at offset %d: size %d is below the magic 1 minimum %d",
				ErrCorruptRecord, m.offset, size, legacyOverheadV1)
		}
		m.timestamp = int64(be.Uint64(rest))
		rest = rest[legacyTimestampLen:]
		// MemoryRecordsBuilder refuses such a timestamp, so Kafka cannot append it.
		if m.timestamp < legacyNoTimestamp {
			return m, 0, fmt.Errorf("%w: message at offset %d: timestamp %d", ErrCorruptRecord, m.offset, m.timestamp)
		}
	default:
		return m, 0, fmt.Errorf("%w: message at offset %d: magic %d is not a legacy format", ErrCorruptRecord, m.offset, m.magic)
	}
	var err error
	if m.key, rest, err = readLegacyBytes(rest); err != nil {
		return m, 0, fmt.Errorf("%w: message at offset %d: key: %w", ErrCorruptRecord, m.offset, err)
	}
	if m.value, rest, err = readLegacyBytes(rest); err != nil {
		return m, 0, fmt.Errorf("%w: message at offset %d: value: %w", ErrCorruptRecord, m.offset, err)
	}
	if len(rest) != 0 {
		return m, 0, fmt.Errorf("%w: message at offset %d: %d bytes after the value", ErrCorruptRecord, m.offset, len(rest))
	}
	return m, logOverhead + int(size), nil
}

// readLegacyBytes reads an int32 length and that many bytes; -1 is null.
func readLegacyBytes(b []byte) (v, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("truncated length")
	}
	n := int64(int32(be.Uint32(b)))
	b = b[4:]
	switch {
	case n == -1:
		return nil, b, nil
	case n < 0 || n > int64(len(b)):
		return nil, nil, fmt.Errorf("length %d with %d bytes left", n, len(b))
	}
	return b[:n:n], b[n:], nil
}

// appendLegacyMessage appends m as a log entry, computing its size and CRC as
// LegacyRecord.write does. The timestamp is written for magic 1 only.
func appendLegacyMessage(dst []byte, m *legacyMessage) []byte {
	start := len(dst)
	dst = be.AppendUint64(dst, uint64(m.offset))
	dst = be.AppendUint32(dst, 0) // size, filled in below
	dst = be.AppendUint32(dst, 0) // crc, filled in below
	dst = append(dst, byte(m.magic), byte(m.attributes))
	if m.magic > 0 {
		dst = be.AppendUint64(dst, uint64(m.timestamp))
	}
	dst = appendLegacyBytes(dst, m.key)
	dst = appendLegacyBytes(dst, m.value)
	msg := dst[start+logOverhead:]
	be.PutUint32(dst[start+8:], uint32(len(msg)))
	be.PutUint32(msg, crc32.ChecksumIEEE(msg[legacyCRCLen:]))
	return dst
}

func appendLegacyBytes(dst, v []byte) []byte {
	if v == nil {
		return be.AppendUint32(dst, ^uint32(0)) // -1: null
	}
	return append(be.AppendUint32(dst, uint32(len(v))), v...)
}
