package storage

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kv is one record of a keyed test batch; tombstone makes the value null, noKey the key.
type kv struct {
	key, value string
	tombstone  bool
	noKey      bool
}

// keyedSpec describes a keyed producer batch for the cleaner's tests.
type keyedSpec struct {
	recs      []kv
	timestamp int64 // of the first record; record i has timestamp+i
	codec     kgo.CompressionCodec
	pid       int64
	epoch     int16
	seq       int32
	txn       bool
}

func keyed(ts int64, recs ...kv) keyedSpec {
	return keyedSpec{recs: recs, timestamp: ts, codec: kgo.NoCompression(), pid: -1, epoch: -1, seq: -1}
}

// makeKeyedBatch builds a v2 batch as a producer does, compressing its records with
// franz-go's own compressor so that the cleaner is checked against a real client's bytes.
func makeKeyedBatch(tb testing.TB, s keyedSpec) []byte {
	tb.Helper()
	var recs []byte
	for i, r := range s.recs {
		rec := kmsg.Record{TimestampDelta64: int64(i), OffsetDelta: int32(i)}
		if !r.noKey {
			rec.Key = []byte(r.key)
		}
		if !r.tombstone {
			rec.Value = []byte(r.value)
		}
		rec.Length = int32(len(rec.AppendTo(nil)) - 1)
		recs = rec.AppendTo(recs)
	}
	comp, err := kgo.DefaultCompressor(s.codec)
	if err != nil {
		tb.Fatal(err)
	}
	var attrs int16
	if comp != nil {
		var buf bytes.Buffer
		out, codec := comp.Compress(&buf, recs)
		if codec < 0 {
			tb.Fatalf("compress with %v failed", s.codec)
		}
		recs, attrs = bytes.Clone(out), int16(codec)
	}
	if s.txn {
		attrs |= attrTransactional
	}
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		Attributes:           attrs,
		LastOffsetDelta:      int32(len(s.recs) - 1),
		FirstTimestamp:       s.timestamp,
		MaxTimestamp:         s.timestamp + int64(len(s.recs)-1),
		ProducerID:           s.pid,
		ProducerEpoch:        s.epoch,
		FirstSequence:        s.seq,
		NumRecords:           int32(len(s.recs)),
		Records:              recs,
	}
	b.Length = int32(batchHeaderSize - logOverhead + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[crcOff:], crc32c(raw[attributesOff:]))
	return raw
}

func appendKeyed(tb testing.TB, l *PartitionLog, s keyedSpec) AppendResult {
	tb.Helper()
	r, err := l.Append(makeKeyedBatch(tb, s), 0)
	if err != nil {
		tb.Fatalf("Append: %v", err)
	}
	return r
}

func roll(tb testing.TB, l *PartitionLog) {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.rollLocked(); err != nil {
		tb.Fatal(err)
	}
}

// recordsOf decodes a batch's records with franz-go's decompressor and kmsg.
func recordsOf(tb testing.TB, rb kmsg.RecordBatch) []kmsg.Record {
	tb.Helper()
	data, err := kgo.DefaultDecompressor().Decompress(rb.Records, kgo.CompressionCodecType(rb.Attributes&0x07))
	if err != nil {
		tb.Fatalf("decompress batch at %d: %v", rb.FirstOffset, err)
	}
	var out []kmsg.Record
	for range rb.NumRecords {
		var r kmsg.Record
		if err := r.ReadFrom(data); err != nil {
			tb.Fatalf("record in batch at %d: %v", rb.FirstOffset, err)
		}
		n := binary.PutVarint(make([]byte, binary.MaxVarintLen32), int64(r.Length)) + int(r.Length)
		data = data[n:]
		out = append(out, r)
	}
	if len(data) != 0 {
		tb.Fatalf("batch at %d: %d bytes after its records", rb.FirstOffset, len(data))
	}
	return out
}

// logRecord is one record as a consumer sees it.
type logRecord struct {
	offset    int64
	key       string
	value     string
	tombstone bool
	timestamp int64
}

// view reads the whole log as a consumer would and checks, at every offset, that a
// fetch there starts with the first record at or after it: reads across compacted
// gaps must land on the next batch.
func view(tb testing.TB, l *PartitionLog) []logRecord {
	tb.Helper()
	var out []logRecord
	for _, rb := range readAll(tb, l) {
		for _, r := range recordsOf(tb, rb) {
			out = append(out, logRecord{
				offset: rb.FirstOffset + int64(r.OffsetDelta), key: string(r.Key), value: string(r.Value),
				tombstone: r.Value == nil, timestamp: rb.FirstTimestamp + r.TimestampDelta64,
			})
		}
	}
	leo := l.LogEndOffset()
	next := 0
	for off := l.LogStartOffset(); off < leo; off++ {
		for next < len(out) && out[next].offset < off {
			next++
		}
		b, err := l.Read(off, 1<<20, leo)
		if err != nil {
			tb.Fatalf("Read(%d): %v", off, err)
		}
		first := int64(-1)
		for _, rb := range decodeBatches(tb, b) {
			for _, r := range recordsOf(tb, rb) {
				if o := rb.FirstOffset + int64(r.OffsetDelta); o >= off && first < 0 {
					first = o
				}
			}
		}
		if first >= 0 && (next >= len(out) || first != out[next].offset) {
			tb.Fatalf("Read(%d) starts at record %d, want the next record after it", off, first)
		}
	}
	return out
}

// compactedModel is what compaction must leave of records: below activeBase only the
// last record of each key, and everything from activeBase on.
func compactedModel(recs []logRecord, activeBase int64) []logRecord {
	last := map[string]int64{}
	for _, r := range recs {
		if r.offset < activeBase {
			last[r.key] = r.offset
		}
	}
	var out []logRecord
	for _, r := range recs {
		if r.offset >= activeBase || last[r.key] == r.offset {
			out = append(out, r)
		}
	}
	return out
}

func compactConfig() Config {
	c := testConfig()
	c.CleanupPolicy, c.MinCleanableDirtyRatio = CleanupPolicyCompact, 0
	return c
}
