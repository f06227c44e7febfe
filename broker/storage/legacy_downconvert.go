package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrZstdNeedsNewerFetch: UNSUPPORTED_COMPRESSION_TYPE. A fetch below v10 asks for
// message format v0 or v1, which cannot hold zstd data (zstd arrived with magic 2,
// KIP-110); Kafka's RecordsUtil.downConvert refuses such batches rather than
// recompressing them, and the fetch answers this error for the partition.
var ErrZstdNeedsNewerFetch = errors.New("zstd-compressed batches cannot be down-converted for fetch versions below 10")

// DownConvert turns magic 2 record batches, as the log stores them, into a message set
// of format v0 or v1 (magic 0 or 1) for Fetch v0-1 and v2-3, as Kafka's
// RecordsUtil.downConvert, run by LazyDownConversionRecords, does.
//
// Batches are read until the first partial one, which is dropped, as Kafka's log
// iterator does. Control batches (transaction markers) are dropped, as are headers:
// neither exists before magic 2. Every record becomes a message at its absolute offset
// with its key and value (null stays null) and, for magic 1, its timestamp and the
// batch's timestamp type (attributes bit 3, LogAppendTime, whose records all carry the
// batch's max timestamp). An uncompressed batch becomes one message per record. A
// compressed batch becomes one wrapper message compressed with the same codec, whose
// inner messages carry (magic 1) offsets relative to the first record's, the wrapper
// the last record's absolute offset and the largest timestamp, or (magic 0) absolute
// offsets. Empty batches yield nothing.
//
// As Kafka's RecordsUtil does, the records of an uncompressed batch below fetchOffset
// are dropped (some old clients cannot skip them); a compressed batch is kept whole.
//
// A zstd batch ends the conversion: if messages were converted before it they are
// returned, so that the client consumes them and fetches again from the zstd batch,
// otherwise the error wraps ErrZstdNeedsNewerFetch. A whole batch failing its checks
// yields an error wrapping ErrCorruptRecord.
func DownConvert(batches []byte, magic int8, fetchOffset int64) ([]byte, error) {
	if magic != 0 && magic != 1 {
		return nil, fmt.Errorf("down-convert to magic %d: only magic 0 and 1 are legacy formats", magic)
	}
	var out []byte
	whole := batches[:wholeBatchesPrefix(batches)]
	for len(whole) > 0 {
		n := logOverhead + int(int32(be.Uint32(whole[batchLengthOff:])))
		b := whole[:n]
		whole = whole[n:]
		if err := checkBatch(b); err != nil {
			return nil, err
		}
		h := parseHeader(b)
		if h.isControl() {
			continue
		}
		if h.attributes&attrCompressionMask == codecZstd {
			if len(out) > 0 {
				return out, nil
			}
			return nil, fmt.Errorf("batch at offset %d: %w", h.baseOffset, ErrZstdNeedsNewerFetch)
		}
		var err error
		if out, err = appendDownConverted(out, b, &h, magic, fetchOffset); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendDownConverted appends the messages one batch becomes, as Kafka's
// RecordsUtil.convertRecordBatch builds them with MemoryRecordsBuilder.
func appendDownConverted(dst, b []byte, h *batchHeader, magic int8, fetchOffset int64) ([]byte, error) {
	data, err := batchRecords(b, h)
	if err != nil {
		return nil, err
	}
	codec := int(h.attributes & attrCompressionMask)
	logAppendTime := h.attributes&attrLogAppendTime != 0
	var attributes int8
	if magic > 0 && logAppendTime {
		attributes = attrLogAppendTime
	}
	var inner []byte
	firstOffset, lastOffset, maxTs := int64(0), int64(0), int64(legacyNoTimestamp)
	err = decodeRecords(data, h.recordCount, func(r *record) error {
		m := legacyMessage{
			offset:     h.baseOffset + int64(r.offsetDelta),
			magic:      magic,
			attributes: attributes,
			timestamp:  h.baseTimestamp + r.timestampDelta,
			key:        r.key,
			value:      legacyRecordValue(r.raw),
		}
		if logAppendTime {
			m.timestamp = h.maxTimestamp
		}
		lastOffset, maxTs = m.offset, max(maxTs, m.timestamp)
		if codec == codecNone {
			if m.offset >= fetchOffset {
				dst = appendLegacyMessage(dst, &m)
			}
			return nil
		}
		if len(inner) == 0 {
			firstOffset = m.offset
		}
		if magic > 0 {
			m.offset -= firstOffset
		}
		inner = appendLegacyMessage(inner, &m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("batch at offset %d: %w", h.baseOffset, err)
	}
	if codec == codecNone || len(inner) == 0 {
		return dst, nil
	}
	value, err := compressLegacy(codec, magic, inner)
	if err != nil {
		return nil, fmt.Errorf("down-convert batch at offset %d: %w", h.baseOffset, err)
	}
	wrapper := legacyMessage{
		offset:     lastOffset,
		magic:      magic,
		attributes: attributes | int8(codec),
		timestamp:  maxTs,
		value:      value,
	}
	return appendLegacyMessage(dst, &wrapper), nil
}

// legacyRecordValue returns the value of a record decodeRecords has already checked.
func legacyRecordValue(raw []byte) []byte {
	_, n := binary.Varint(raw)
	p := recordReader{b: raw[n+1:]} // past the length and the attributes
	p.varint("timestamp delta")
	p.varint("offset delta")
	p.bytes("key", true)
	return p.bytes("value", true)
}
