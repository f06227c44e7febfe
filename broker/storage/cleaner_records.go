package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// record is one v2 record as the cleaner sees it: its bytes, untouched, so that a
// retained record is copied rather than re-encoded, and the few fields compaction
// decides on.
type record struct {
	raw            []byte // the whole record, its length varint included
	timestampDelta int64
	offsetDelta    int32
	key            []byte // nil for a null key
	value          []byte // nil for a null value
	nullValue      bool   // a tombstone
}

// decodeRecords walks the records section of a batch (already decompressed) and hands
// each of its count records to visit. It checks the framing of every field, headers
// included, and that the records fill data exactly, as Kafka's DefaultRecordBatch
// iterator does: a batch whose CRC holds but whose records do not parse is corrupt.
func decodeRecords(data []byte, count int32, visit func(*record) error) error {
	if count < 0 {
		return fmt.Errorf("%w: record count %d", ErrCorruptRecord, count)
	}
	var r record
	for i := range count {
		length, n := binary.Varint(data)
		if n <= 0 || length < 0 || length > int64(len(data)-n) {
			return fmt.Errorf("%w: record %d: bad length", ErrCorruptRecord, i)
		}
		if err := parseRecordBody(data[n:n+int(length)], &r); err != nil {
			return fmt.Errorf("%w: record %d: %s", ErrCorruptRecord, i, err)
		}
		r.raw = data[:n+int(length)]
		if err := visit(&r); err != nil {
			return err
		}
		data = data[n+int(length):]
	}
	if len(data) != 0 {
		return fmt.Errorf("%w: %d bytes after the last of %d records", ErrCorruptRecord, len(data), count)
	}
	return nil
}

// recordReader consumes one record body; the first framing error sticks.
type recordReader struct {
	b   []byte
	err string
}

func (p *recordReader) varint(what string) int64 {
	if p.err != "" {
		return 0
	}
	v, n := binary.Varint(p.b)
	if n <= 0 {
		p.err = "bad " + what
		return 0
	}
	p.b = p.b[n:]
	return v
}

// bytes reads a varint length and that many bytes; -1 is null where nullable allows.
func (p *recordReader) bytes(what string, nullable bool) []byte {
	n := p.varint(what + " length")
	switch {
	case p.err != "":
		return nil
	case n == -1 && nullable:
		return nil
	case n < 0 || n > int64(len(p.b)):
		p.err = "bad " + what + " length"
		return nil
	}
	v := p.b[:n:n]
	p.b = p.b[n:]
	return v
}

func parseRecordBody(body []byte, r *record) error {
	if len(body) < 1 {
		return errors.New("empty record")
	}
	p := recordReader{b: body[1:]} // attributes: unused by v2 records
	r.timestampDelta = p.varint("timestamp delta")
	od := p.varint("offset delta")
	if od < 0 || od > maxInt32 {
		p.err = "offset delta out of range"
	}
	r.offsetDelta = int32(od)
	r.key = p.bytes("key", true)
	r.value = p.bytes("value", true)
	r.nullValue = r.value == nil
	headers := p.varint("header count")
	if headers < 0 || headers > int64(len(p.b)) {
		p.err = "bad header count"
	}
	for range headers {
		if p.err != "" {
			break
		}
		p.bytes("header key", false)
		p.bytes("header value", true)
	}
	switch {
	case p.err != "":
		return errors.New(p.err)
	case len(p.b) != 0:
		return fmt.Errorf("%d bytes after the headers", len(p.b))
	}
	return nil
}

// batchRecords returns the decompressed records section of a whole, CRC-checked batch.
func batchRecords(b []byte, h *batchHeader) ([]byte, error) {
	out, err := decompress(int(h.attributes&attrCompressionMask), b[batchHeaderSize:])
	if err != nil {
		return nil, fmt.Errorf("%w: batch at offset %d: %w", ErrCorruptRecord, h.baseOffset, err)
	}
	return out, nil
}

// ValidateCompactedBatch is the produce-time check Kafka makes for a topic whose
// cleanup.policy includes compact: every record must have a key, or the cleaner could
// never tell which value is a key's latest. It returns an error wrapping ErrMissingKey
// for a keyless record and ErrCorruptRecord for a batch that does not parse.
// Compressed batches are decompressed for it, the one place the produce path does.
func ValidateCompactedBatch(batch []byte) error {
	if err := checkBatch(batch); err != nil {
		return err
	}
	h := parseHeader(batch)
	if h.isControl() {
		return nil
	}
	data, err := batchRecords(batch, &h)
	if err != nil {
		return err
	}
	return decodeRecords(data, h.recordCount, func(r *record) error {
		if r.key == nil {
			return fmt.Errorf("%w: record at offset delta %d", ErrMissingKey, r.offsetDelta)
		}
		return nil
	})
}
