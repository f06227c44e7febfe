package coordlog

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Batch is what a replay needs to know of the batch a record came in: whose
// transaction it belongs to, and whether it is a transaction marker.
type Batch struct {
	BaseOffset    int64
	ProducerID    int64
	ProducerEpoch int16
	Transactional bool
	// Control batches hold one transaction marker each; Key then is Kafka's
	// ControlRecordKey (version int16, type int16: 0 abort, 1 commit) and Value its
	// EndTxnMarker.
	Control bool
}

// MarkerType reads a control record's key: whether it commits (true) or aborts, and
// false for ok when the key is no transaction marker.
func MarkerType(key []byte) (commit, ok bool) {
	var k kmsg.ControlRecordKey
	if err := k.ReadFrom(key); err != nil {
		return false, false
	}
	switch k.Type {
	case kmsg.ControlRecordKeyTypeAbort:
		return false, true
	case kmsg.ControlRecordKeyTypeCommit:
		return true, true
	}
	return false, false
}

// decompressor handles every codec a producer could have used had it written to the
// topic directly; the coordinators themselves write uncompressed batches.
var decompressor = kgo.DefaultDecompressor()

// ForEachRecord calls fn with the batch, offset, key and value of every record in the
// whole batches of data, control records included, and returns the offset after the
// last batch read.
func ForEachRecord(data []byte, fn func(b *Batch, offset int64, key, value []byte) error) (int64, error) {
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
		info := Batch{
			BaseOffset: b.FirstOffset, ProducerID: b.ProducerID, ProducerEpoch: b.ProducerEpoch,
			Transactional: b.Attributes&attrTransactional != 0, Control: b.Attributes&attrControlBatch != 0,
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
			if err := fn(&info, b.FirstOffset+int64(delta), key, value); err != nil {
				return next, err
			}
		}
		if !r.Ok() {
			return next, fmt.Errorf("truncated records in batch at offset %d", b.FirstOffset)
		}
	}
	return next, nil
}

// Replay reads partition from its log start to its log end and calls fn for every
// record, as a coordinator does when it takes over a partition; it returns how many
// records it read.
func Replay(log Log, partition int32, fn func(b *Batch, offset int64, key, value []byte) error) (int, error) {
	start, end, err := log.Bounds(partition)
	if err != nil {
		return 0, fmt.Errorf("bounds of partition %d: %w", partition, err)
	}
	records := 0
	for off := start; off < end; {
		data, err := log.Read(partition, off)
		if err != nil {
			return records, fmt.Errorf("read partition %d at offset %d: %w", partition, off, err)
		}
		if len(data) == 0 {
			break
		}
		next, err := ForEachRecord(data, func(b *Batch, offset int64, key, value []byte) error {
			records++
			return fn(b, offset, key, value)
		})
		if err != nil {
			return records, fmt.Errorf("decode partition %d at offset %d: %w", partition, off, err)
		}
		if next <= off {
			break
		}
		off = next
	}
	return records, nil
}
