package group

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Record is one key and value to write to __consumer_offsets; a nil Value is a tombstone.
type Record struct {
	Key   []byte
	Value []byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// v2 record batch layout (Kafka's DefaultRecordBatch).
const (
	batchHeaderSize  = 61
	batchLengthOff   = 8
	batchCRCOff      = 17
	batchAttrsOff    = 21
	attrCompression  = 0x07
	attrControlBatch = 0x20
)

// encodeBatch builds one uncompressed v2 record batch with base offset 0, no producer
// id and every record stamped with nowMs; the log assigns the real base offset.
func encodeBatch(recs []Record, nowMs int64) []byte {
	var body []byte
	var rec []byte
	for i, r := range recs {
		rec = rec[:0]
		rec = append(rec, 0)                   // attributes
		rec = kbin.AppendVarlong(rec, 0)       // timestamp delta
		rec = kbin.AppendVarint(rec, int32(i)) // offset delta
		rec = appendVarintNullableBytes(rec, r.Key)
		rec = appendVarintNullableBytes(rec, r.Value)
		rec = kbin.AppendVarint(rec, 0) // headers
		body = kbin.AppendVarint(body, int32(len(rec)))
		body = append(body, rec...)
	}
	b := kmsg.RecordBatch{
		FirstOffset:          0,
		Length:               int32(batchHeaderSize - 12 + len(body)),
		PartitionLeaderEpoch: -1,
		Magic:                2,
		LastOffsetDelta:      int32(len(recs) - 1),
		FirstTimestamp:       nowMs,
		MaxTimestamp:         nowMs,
		ProducerID:           -1,
		ProducerEpoch:        -1,
		FirstSequence:        -1,
		NumRecords:           int32(len(recs)),
		Records:              body,
	}
	out := b.AppendTo(make([]byte, 0, batchHeaderSize+len(body)))
	binary.BigEndian.PutUint32(out[batchCRCOff:], crc32.Checksum(out[batchAttrsOff:], castagnoli))
	return out
}

func appendVarintNullableBytes(dst, b []byte) []byte {
	if b == nil {
		return kbin.AppendVarint(dst, -1)
	}
	return kbin.AppendVarintBytes(dst, b)
}

// decompressor handles every codec a producer could have used had it written to the
// topic directly; the coordinator itself writes uncompressed batches.
var decompressor = kgo.DefaultDecompressor()

// forEachRecord calls fn with the offset, key and value of every data record in the
// whole batches of data, and returns the offset after the last batch read.
func forEachRecord(data []byte, fn func(offset int64, key, value []byte) error) (int64, error) {
	next := int64(-1)
	for len(data) >= batchHeaderSize {
		size := 12 + int(int32(binary.BigEndian.Uint32(data[batchLengthOff:])))
		if size < batchHeaderSize || size > len(data) {
			break
		}
		var b kmsg.RecordBatch
		if err := b.ReadFrom(data[:size]); err != nil {
			return next, fmt.Errorf("read batch at offset %d: %w", int64(binary.BigEndian.Uint64(data)), err)
		}
		data = data[size:]
		next = b.FirstOffset + int64(b.LastOffsetDelta) + 1
		if b.Attributes&attrControlBatch != 0 {
			continue
		}
		records := b.Records
		if codec := b.Attributes & attrCompression; codec != 0 {
			raw, err := decompressor.Decompress(records, kgo.CompressionCodecType(codec))
			if err != nil {
				return next, fmt.Errorf("decompress batch at offset %d: %w", b.FirstOffset, err)
			}
			records = raw
		}
		r := kbin.Reader{Src: records}
		for i := int32(0); i < b.NumRecords && r.Ok(); i++ {
			rec := kbin.Reader{Src: r.Span(int(r.Varint()))}
			rec.Int8()
			rec.Varlong()
			delta := rec.Varint()
			key := rec.VarintBytes()
			value := rec.VarintBytes()
			if !rec.Ok() {
				break
			}
			if err := fn(b.FirstOffset+int64(delta), key, value); err != nil {
				return next, err
			}
		}
		if !r.Ok() {
			return next, fmt.Errorf("truncated records in batch at offset %d", b.FirstOffset)
		}
	}
	return next, nil
}
