package coordlog

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Record is one key and value to write; a nil Value is a tombstone.
type Record struct {
	Key   []byte
	Value []byte
}

// Producer is the transactional producer a batch is written for (Kafka writes a
// transactional offset commit in a batch carrying the producer's id and epoch, which
// the transaction's marker then commits or aborts). The zero value is no producer.
type Producer struct {
	ID    int64
	Epoch int16
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// v2 record batch layout (Kafka's DefaultRecordBatch).
const (
	batchHeaderSize   = 61
	batchLengthOff    = 8
	batchCRCOff       = 17
	batchAttrsOff     = 21
	attrCompression   = 0x07
	attrTransactional = 0x10
	attrControlBatch  = 0x20
)

// EncodeBatch builds one uncompressed v2 record batch with base offset 0, no producer
// id and every record stamped with nowMs; the log assigns the real base offset.
func EncodeBatch(recs []Record, nowMs int64) []byte {
	return encode(recs, nowMs, Producer{ID: -1, Epoch: -1}, false)
}

// EncodeTransactionalBatch is EncodeBatch for records written inside producer's
// transaction: the batch is transactional, with base sequence 0 as Kafka's group
// coordinator writes it (GroupMetadataManager.generateOffsetRecords); the log skips
// sequence checks for a coordinator's writes.
func EncodeTransactionalBatch(recs []Record, nowMs int64, producer Producer) []byte {
	return encode(recs, nowMs, producer, true)
}

func encode(recs []Record, nowMs int64, producer Producer, transactional bool) []byte {
	sequence := int32(-1)
	if transactional {
		sequence = 0
	}
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
		ProducerID:           producer.ID,
		ProducerEpoch:        producer.Epoch,
		FirstSequence:        sequence,
		NumRecords:           int32(len(recs)),
		Records:              body,
	}
	if transactional {
		b.Attributes |= attrTransactional
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
