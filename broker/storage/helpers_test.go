package storage

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// batchSpec describes a producer batch for tests.
type batchSpec struct {
	records   int
	valueSize int
	timestamp int64 // of the first record; record i has timestamp+i
	pid       int64 // -1: not idempotent
	epoch     int16
	seq       int32
	txn       bool // transactional
}

func plain(records int, ts int64) batchSpec {
	return batchSpec{records: records, valueSize: 10, timestamp: ts, pid: -1, epoch: -1, seq: -1}
}

// makeBatch builds a v2 batch with kmsg, computing Record.Length and the CRC-32C
// itself, as a producer does.
func makeBatch(tb testing.TB, s batchSpec) []byte {
	tb.Helper()
	var recs []byte
	for i := range s.records {
		v := make([]byte, s.valueSize)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		r := kmsg.Record{TimestampDelta64: int64(i), OffsetDelta: int32(i), Value: v}
		r.Length = int32(len(r.AppendTo(nil)) - 1) // Length 0 encodes in one byte
		recs = r.AppendTo(recs)
	}
	var attrs int16
	if s.txn {
		attrs = attrTransactional
	}
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		Attributes:           attrs,
		LastOffsetDelta:      int32(s.records - 1),
		FirstTimestamp:       s.timestamp,
		MaxTimestamp:         s.timestamp + int64(s.records-1),
		ProducerID:           s.pid,
		ProducerEpoch:        s.epoch,
		FirstSequence:        s.seq,
		NumRecords:           int32(s.records),
		Records:              recs,
	}
	b.Length = int32(batchHeaderSize - logOverhead + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[crcOff:], crc32.Checksum(raw[attributesOff:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// decodeBatches parses a Read result with kmsg, failing on anything malformed.
func decodeBatches(tb testing.TB, b []byte) []kmsg.RecordBatch {
	tb.Helper()
	var out []kmsg.RecordBatch
	for len(b) > 0 {
		if len(b) < logOverhead {
			tb.Fatalf("trailing %d bytes", len(b))
		}
		n := logOverhead + int(int32(binary.BigEndian.Uint32(b[8:])))
		if n > len(b) {
			tb.Fatalf("partial batch: %d of %d bytes", len(b), n)
		}
		if err := checkBatch(b[:n]); err != nil {
			tb.Fatalf("invalid batch: %v", err)
		}
		var rb kmsg.RecordBatch
		if err := rb.ReadFrom(b[:n]); err != nil {
			tb.Fatalf("kmsg cannot read batch: %v", err)
		}
		out = append(out, rb)
		b = b[n:]
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig is Kafka's defaults with unlimited retention.
func testConfig() Config {
	c := DefaultConfig()
	c.RetentionMs, c.RetentionBytes = -1, -1
	return c
}

func openLog(tb testing.TB, dir string, cfg Config) *PartitionLog {
	tb.Helper()
	l, err := Open(dir, "t", 0, cfg, quietLogger())
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return l
}

func mustAppend(tb testing.TB, l *PartitionLog, s batchSpec, epoch int32) AppendResult {
	tb.Helper()
	r, err := l.Append(makeBatch(tb, s), epoch)
	if err != nil {
		tb.Fatalf("Append: %v", err)
	}
	return r
}

// crash abandons the log the way kill -9 does: files are closed (the page cache keeps
// what was written) but nothing is flushed, snapshotted or marked clean.
func crash(l *PartitionLog) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, s := range l.segments {
		s.file.Close()
	}
}

// readAll reads every batch from the log start to the LEO.
func readAll(tb testing.TB, l *PartitionLog) []kmsg.RecordBatch {
	tb.Helper()
	var out []kmsg.RecordBatch
	off := l.LogStartOffset()
	for off < l.LogEndOffset() {
		b, err := l.Read(off, 1<<20, l.LogEndOffset())
		if err != nil {
			tb.Fatalf("Read(%d): %v", off, err)
		}
		bs := decodeBatches(tb, b)
		if len(bs) == 0 {
			tb.Fatalf("Read(%d) returned nothing below LEO %d", off, l.LogEndOffset())
		}
		out = append(out, bs...)
		last := bs[len(bs)-1]
		off = last.FirstOffset + int64(last.LastOffsetDelta) + 1
	}
	return out
}

// checkContiguous asserts batches cover [from, to) without gap or overlap.
func checkContiguous(tb testing.TB, bs []kmsg.RecordBatch, from, to int64) {
	tb.Helper()
	next := from
	for _, b := range bs {
		if b.FirstOffset != next {
			tb.Fatalf("batch at %d, want %d", b.FirstOffset, next)
		}
		next = b.FirstOffset + int64(b.LastOffsetDelta) + 1
	}
	if next != to {
		tb.Fatalf("batches end at %d, want %d", next, to)
	}
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }

// sameInOrder fails the test unless got and want hold equal elements in the same order.
func sameInOrder[T comparable](tb testing.TB, got, want []T) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d records, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
