package metadata

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kbin"
)

// Batch is one decoded v2 record batch of the metadata log or of a snapshot.
type Batch struct {
	BaseOffset      int64
	LeaderEpoch     int32
	LastOffsetDelta int32
	BaseTimestamp   int64
	MaxTimestamp    int64
	// Control is set for control batches (attributes bit 5), whose Records are all
	// *ControlRecord.
	Control bool
	Records []Record
}

// LastOffset is the offset of the batch's last record.
func (b *Batch) LastOffset() int64 { return b.BaseOffset + int64(b.LastOffsetDelta) }

const (
	batchHeaderLen    = 61 // baseOffset through recordCount
	batchLengthOffset = 8
	batchCRCOffset    = 17
	batchAttrsOffset  = 21
	batchOverheadLen  = 12 // baseOffset and batchLength, not counted in batchLength
	attrCompression   = 0x07
	attrControl       = 0x20
	batchMagic        = 2
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// EncodeBatch writes records as one uncompressed v2 record batch, as Kafka's
// BatchAccumulator does for the metadata log: null keys, framed record values, every
// record at timestampMs, no producer id. If the first record is a *ControlRecord the
// batch is a control batch and every record must be one; records should not be empty.
func EncodeBatch(baseOffset int64, leaderEpoch int32, timestampMs int64, records []Record) []byte {
	control := false
	if len(records) > 0 {
		_, control = records[0].(*ControlRecord)
	}
	dst := make([]byte, batchHeaderLen, batchHeaderLen+len(records)*64)
	binary.BigEndian.PutUint64(dst[0:], uint64(baseOffset))
	binary.BigEndian.PutUint32(dst[12:], uint32(leaderEpoch))
	dst[16] = batchMagic
	var attrs uint16
	if control {
		attrs |= attrControl
	}
	binary.BigEndian.PutUint16(dst[batchAttrsOffset:], attrs)
	binary.BigEndian.PutUint32(dst[23:], uint32(int32(len(records)-1)))
	binary.BigEndian.PutUint64(dst[27:], uint64(timestampMs))
	binary.BigEndian.PutUint64(dst[35:], uint64(timestampMs))
	// producerId, producerEpoch and baseSequence are all -1: no idempotent producer.
	for i := 43; i < 57; i++ {
		dst[i] = 0xff
	}
	binary.BigEndian.PutUint32(dst[57:], uint32(len(records)))

	var body []byte
	for i, rec := range records {
		body = body[:0]
		body = append(body, 0) // record attributes
		body = kbin.AppendVarlong(body, 0)
		body = kbin.AppendVarint(body, int32(i))
		if c, ok := rec.(*ControlRecord); ok {
			body = kbin.AppendVarintBytes(body, controlKey(c.Type))
		} else {
			body = kbin.AppendVarint(body, -1)
		}
		body = kbin.AppendVarintBytes(body, EncodeRecord(rec))
		body = kbin.AppendVarint(body, 0) // headers
		dst = kbin.AppendVarint(dst, int32(len(body)))
		dst = append(dst, body...)
	}
	binary.BigEndian.PutUint32(dst[batchLengthOffset:], uint32(len(dst)-batchOverheadLen))
	binary.BigEndian.PutUint32(dst[batchCRCOffset:], crc32.Checksum(dst[batchAttrsOffset:], crc32c))
	return dst
}

// DecodeBatch decodes b, which must hold exactly one record batch, and returns its
// base offset and records.
func DecodeBatch(b []byte) (baseOffset int64, records []Record, err error) {
	batch, n, err := readBatch(b)
	if err != nil {
		return 0, nil, err
	}
	if n != len(b) {
		return 0, nil, fmt.Errorf("decode batch at offset %d: %d trailing byte(s)", batch.BaseOffset, len(b)-n)
	}
	return batch.BaseOffset, batch.Records, nil
}

// ErrTruncatedBatch reports a batch cut short, as a torn write at the end of a log
// segment or snapshot leaves it.
var ErrTruncatedBatch = errors.New("truncated record batch")

// DecodeBatches decodes concatenated record batches (a segment or snapshot file). On
// error it also returns the batches decoded before the bad one, so a reader can
// recover up to a torn tail (errors.Is(err, ErrTruncatedBatch)).
func DecodeBatches(b []byte) ([]Batch, error) {
	var out []Batch
	for pos := 0; pos < len(b); {
		batch, n, err := readBatch(b[pos:])
		if err != nil {
			return out, fmt.Errorf("at byte %d: %w", pos, err)
		}
		out = append(out, batch)
		pos += n
	}
	return out, nil
}

// readBatch decodes the batch at the start of b and returns its size.
func readBatch(b []byte) (Batch, int, error) {
	var batch Batch
	if len(b) < batchHeaderLen {
		return batch, 0, fmt.Errorf("decode batch: %d byte(s) of %d-byte header: %w", len(b), batchHeaderLen, ErrTruncatedBatch)
	}
	batch.BaseOffset = int64(binary.BigEndian.Uint64(b))
	length := int64(int32(binary.BigEndian.Uint32(b[batchLengthOffset:])))
	size := length + batchOverheadLen
	switch {
	case size < batchHeaderLen:
		return batch, 0, fmt.Errorf("decode batch at offset %d: batch length %d is below the header size", batch.BaseOffset, length)
	case size > int64(len(b)):
		return batch, 0, fmt.Errorf("decode batch at offset %d: %d byte(s) of %d: %w", batch.BaseOffset, len(b), size, ErrTruncatedBatch)
	}
	b = b[:size]
	batch.LeaderEpoch = int32(binary.BigEndian.Uint32(b[12:]))
	if magic := b[16]; magic != batchMagic {
		return batch, 0, fmt.Errorf("decode batch at offset %d: magic %d, want %d", batch.BaseOffset, magic, batchMagic)
	}
	if want, got := binary.BigEndian.Uint32(b[batchCRCOffset:]), crc32.Checksum(b[batchAttrsOffset:], crc32c); want != got {
		return batch, 0, fmt.Errorf("decode batch at offset %d: crc %08x, computed %08x", batch.BaseOffset, want, got)
	}
	attrs := binary.BigEndian.Uint16(b[batchAttrsOffset:])
	if attrs&attrCompression != 0 {
		return batch, 0, fmt.Errorf("decode batch at offset %d: compression codec %d is not supported in the metadata log", batch.BaseOffset, attrs&attrCompression)
	}
	batch.Control = attrs&attrControl != 0
	batch.LastOffsetDelta = int32(binary.BigEndian.Uint32(b[23:]))
	batch.BaseTimestamp = int64(binary.BigEndian.Uint64(b[27:]))
	batch.MaxTimestamp = int64(binary.BigEndian.Uint64(b[35:]))
	count := int32(binary.BigEndian.Uint32(b[57:]))
	body := b[batchHeaderLen:]
	if count < 0 || int(count) > len(body) {
		return batch, 0, fmt.Errorf("decode batch at offset %d: record count %d does not fit in %d byte(s)", batch.BaseOffset, count, len(body))
	}
	r := kbin.Reader{Src: body}
	batch.Records = make([]Record, 0, count)
	for i := int32(0); i < count; i++ {
		rec, err := readBatchRecord(&r, batch.Control)
		if err != nil {
			return batch, 0, fmt.Errorf("decode batch at offset %d, record %d: %w", batch.BaseOffset, i, err)
		}
		batch.Records = append(batch.Records, rec)
	}
	if len(r.Src) != 0 {
		return batch, 0, fmt.Errorf("decode batch at offset %d: %d byte(s) after the last record", batch.BaseOffset, len(r.Src))
	}
	return batch, int(size), nil
}

// readBatchRecord reads one record (length-prefixed) of a v2 batch.
func readBatchRecord(r *kbin.Reader, control bool) (Record, error) {
	n := r.Varint()
	raw := r.Span(int(n))
	if err := r.Complete(); err != nil {
		return nil, fmt.Errorf("record length %d: %w", n, err)
	}
	rr := kbin.Reader{Src: raw}
	rr.Int8()    // attributes, unused
	rr.Varlong() // timestamp delta
	rr.Varint()  // offset delta
	key := rr.VarintBytes()
	value := rr.VarintBytes()
	headers := rr.Varint()
	for i := int32(0); i < headers && rr.Ok(); i++ {
		rr.VarintBytes()
		rr.VarintBytes()
	}
	if err := rr.Complete(); err != nil {
		return nil, fmt.Errorf("record fields: %w", err)
	}
	if headers < 0 || len(rr.Src) != 0 {
		return nil, fmt.Errorf("malformed record: %d header(s), %d byte(s) left over", headers, len(rr.Src))
	}
	if control {
		return decodeControl(key, value)
	}
	if value == nil {
		return nil, errors.New("metadata record has a null value")
	}
	return DecodeRecord(value)
}
