package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppendReadRoundTrip(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	var sent [][]byte
	for i := range 10 {
		b := makeBatch(t, plain(i+1, 1000+int64(i)))
		r, err := l.Append(b, 3)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(i * (i + 1) / 2)
		if r.BaseOffset != want || r.LastOffset != want+int64(i) || r.LogAppendTime != -1 || r.Duplicate {
			t.Fatalf("append %d: %+v, want base %d", i, r, want)
		}
		sent = append(sent, b)
	}
	if got := l.LogEndOffset(); got != 55 {
		t.Fatalf("LEO %d, want 55", got)
	}
	got, err := l.Read(0, 1<<20, l.LogEndOffset())
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Join(sent, nil); !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes differ from the %d appended (with stamped offsets)", len(got), len(want))
	}
	bs := decodeBatches(t, got)
	checkContiguous(t, bs, 0, 55)
	for _, b := range bs {
		if b.PartitionLeaderEpoch != 3 {
			t.Fatalf("batch %d leader epoch %d, want 3", b.FirstOffset, b.PartitionLeaderEpoch)
		}
	}
}

func TestAppendRejectsInvalidBatches(t *testing.T) {
	good := func() []byte { return makeBatch(t, plain(3, 1)) }
	tests := []struct {
		name  string
		batch func() []byte
		want  error
	}{
		{"short", func() []byte { return good()[:40] }, ErrCorruptRecord},
		{"length mismatch", func() []byte { return good()[:len(good())-1] }, ErrCorruptRecord},
		{"magic 1", func() []byte { b := good(); b[magicOff] = 1; return b }, ErrCorruptRecord},
		{"bad crc", func() []byte { b := good(); b[len(b)-1] ^= 0xff; return b }, ErrCorruptRecord},
		{"zero records", func() []byte {
			b := good()
			be.PutUint32(b[recordCountOff:], 0)
			be.PutUint32(b[crcOff:], crc32c(b[attributesOff:]))
			return b
		}, ErrCorruptRecord},
		{"lastOffsetDelta mismatch", func() []byte {
			b := good()
			be.PutUint32(b[lastOffsetDeltaOff:], 7)
			be.PutUint32(b[crcOff:], crc32c(b[attributesOff:]))
			return b
		}, ErrCorruptRecord},
		{"too large", func() []byte { return makeBatch(t, batchSpec{records: 2, valueSize: 600, pid: -1, seq: -1}) }, ErrRecordTooLarge},
	}
	cfg := testConfig()
	cfg.MaxMessageBytes = 1000
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := l.Append(tt.batch(), 0); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if l.LogEndOffset() != 0 {
				t.Fatal("rejected batch moved the LEO")
			}
		})
	}
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRollBySizeAndIndexLookup(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentBytes = 2000
	cfg.IndexIntervalBytes = 300
	l := openLog(t, dir, cfg)
	for i := range 60 {
		mustAppend(t, l, plain(1+i%4, int64(i)), 0)
	}
	leo := l.LogEndOffset()
	check := func(l *PartitionLog) {
		t.Helper()
		for off := int64(0); off < leo; off++ {
			b, err := l.Read(off, 1, leo)
			if err != nil {
				t.Fatalf("Read(%d): %v", off, err)
			}
			bs := decodeBatches(t, b)
			if len(bs) != 1 {
				t.Fatalf("Read(%d, maxBytes 1) returned %d batches, want exactly 1", off, len(bs))
			}
			if first, last := bs[0].FirstOffset, bs[0].FirstOffset+int64(bs[0].LastOffsetDelta); off < first || off > last {
				t.Fatalf("Read(%d) returned batch [%d, %d]", off, first, last)
			}
		}
		checkContiguous(t, readAll(t, l), 0, leo)
	}
	check(l)
	if n := len(segmentFiles(t, dir)); n < 3 {
		t.Fatalf("%d segments, expected size-based rolls", n)
	}
	for _, s := range l.segments {
		if s.size > cfg.SegmentBytes {
			t.Fatalf("segment %d has %d bytes > segment.bytes", s.base, s.size)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened cleanly, sealed segments load their index files lazily.
	l = openLog(t, dir, cfg)
	defer l.Close()
	check(l)
}

func TestRollByTime(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentMs = 1000
	l := openLog(t, dir, cfg)
	defer l.Close()
	mustAppend(t, l, plain(1, 10_000), 0)
	mustAppend(t, l, plain(1, 10_500), 0)
	if n := len(l.segments); n != 1 {
		t.Fatalf("%d segments after 500 ms, want 1", n)
	}
	mustAppend(t, l, plain(1, 11_000), 0)
	if n := len(l.segments); n != 2 || l.active().base != 2 {
		t.Fatalf("%d segments, active base %d; want a roll at offset 2", n, l.active().base)
	}
	if err := l.Maintain(time.UnixMilli(11_500)); err != nil {
		t.Fatal(err)
	}
	if n := len(l.segments); n != 2 {
		t.Fatalf("Maintain rolled too early: %d segments", n)
	}
	if err := l.Maintain(time.UnixMilli(12_000)); err != nil {
		t.Fatal(err)
	}
	if n := len(l.segments); n != 3 || !l.active().isEmpty() {
		t.Fatalf("Maintain did not roll the idle segment: %d segments", n)
	}
	if err := l.Maintain(time.UnixMilli(100_000)); err != nil {
		t.Fatal(err)
	}
	if n := len(l.segments); n != 3 {
		t.Fatalf("Maintain rolled an empty segment: %d segments", n)
	}
}

func TestReadLimits(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	var sizes []int
	for i := range 5 {
		b := makeBatch(t, plain(2, int64(i)))
		sizes = append(sizes, len(b))
		if _, err := l.Append(b, 0); err != nil {
			t.Fatal(err)
		}
	}
	// Offsets 0..9, two per batch.
	tests := []struct {
		name     string
		offset   int64
		maxBytes int32
		upTo     int64
		batches  []int64 // base offsets returned
	}{
		{"all", 0, 1 << 20, 10, []int64{0, 2, 4, 6, 8}},
		{"from mid-batch", 3, 1 << 20, 10, []int64{2, 4, 6, 8}},
		{"maxBytes below one batch still returns one (KIP-74)", 4, 10, 10, []int64{4}},
		{"maxBytes zero", 0, 0, 10, []int64{0}},
		{"maxBytes two and a half batches", 0, int32(sizes[0] + sizes[1] + sizes[2]/2), 10, []int64{0, 2}},
		{"upTo at a batch boundary", 0, 1 << 20, 6, []int64{0, 2, 4}},
		{"upTo mid-batch excludes the batch", 0, 1 << 20, 7, []int64{0, 2, 4}},
		{"offset at upTo", 6, 1 << 20, 6, nil},
		{"offset at LEO", 10, 1 << 20, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := l.Read(tt.offset, tt.maxBytes, tt.upTo)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, rb := range decodeBatches(t, b) {
				got = append(got, rb.FirstOffset)
			}
			if !equalInts(got, tt.batches) {
				t.Fatalf("batches %v, want %v", got, tt.batches)
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadOutOfRange(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	for i := range 4 {
		mustAppend(t, l, plain(5, int64(i)), 0)
	}
	if _, err := l.DeleteRecordsBefore(7); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{-1, 0, 6, 21, 1000} {
		if _, err := l.Read(off, 100, 20); !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("Read(%d): %v, want ErrOffsetOutOfRange", off, err)
		}
	}
	for _, off := range []int64{7, 19, 20} {
		if _, err := l.Read(off, 100, 20); err != nil {
			t.Errorf("Read(%d): %v", off, err)
		}
	}
}

func TestOffsetForTimestampAndMaxTimestamp(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentBytes = 300
	cfg.IndexIntervalBytes = 1
	l := openLog(t, dir, cfg)
	// Batch i holds offsets 3i..3i+2 with timestamps 100i..100i+2, except batch 5,
	// whose timestamps go back in time (a producer clock step).
	for i := range 10 {
		ts := int64(100 * i)
		if i == 5 {
			ts = 50
		}
		mustAppend(t, l, plain(3, ts), 0)
	}
	tests := []struct {
		ts      int64
		offset  int64
		stamp   int64
		present bool
	}{
		{0, 0, 0, true},
		{1, 1, 1, true},
		{2, 2, 2, true},
		{3, 3, 100, true},
		{101, 4, 101, true},
		{450, 18, 600, true},
		{902, 29, 902, true},
		{903, -1, -1, false},
	}
	run := func(l *PartitionLog) {
		t.Helper()
		for _, tt := range tests {
			off, ts, ok := l.OffsetForTimestamp(tt.ts)
			if off != tt.offset || ts != tt.stamp || ok != tt.present {
				t.Errorf("OffsetForTimestamp(%d) = %d, %d, %v; want %d, %d, %v", tt.ts, off, ts, ok, tt.offset, tt.stamp, tt.present)
			}
		}
		if off, ts := l.MaxTimestamp(); off != 29 || ts != 902 {
			t.Errorf("MaxTimestamp = %d, %d; want 29, 902", off, ts)
		}
	}
	run(l)
	if len(l.segments) < 3 {
		t.Fatalf("want several segments, have %d", len(l.segments))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, cfg)
	defer l.Close()
	run(l)
	if _, err := l.DeleteRecordsBefore(4); err != nil {
		t.Fatal(err)
	}
	if off, ts, _ := l.OffsetForTimestamp(0); off != 4 || ts != 101 {
		t.Errorf("after DeleteRecords(4): OffsetForTimestamp(0) = %d, %d; want 4, 101", off, ts)
	}
}

func TestEmptyLog(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	if off, ts := l.MaxTimestamp(); off != -1 || ts != -1 {
		t.Fatalf("MaxTimestamp of empty log = %d, %d", off, ts)
	}
	if b, err := l.Read(0, 100, 0); err != nil || b != nil {
		t.Fatalf("Read of empty log = %v, %v", b, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, cleanShutdownFile)); err != nil {
		t.Fatalf("no clean shutdown marker: %v", err)
	}
	l = openLog(t, dir, testConfig())
	defer l.Close()
	if l.LogEndOffset() != 0 {
		t.Fatal("LEO moved")
	}
}

// TestCleanMarkerGoesBeforeTheFirstChange: after a clean start the marker stays while
// the log is only read, and is gone (durably) before the first append, so a crash
// after that append is recovered on the next start.
func TestCleanMarkerGoesBeforeTheFirstChange(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	if _, err := l.Append(makeBatch(t, plain(3, 1000)), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, cleanShutdownFile)
	l = openLog(t, dir, testConfig())
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("clean shutdown marker gone after a read-only start: %v", err)
	}
	if _, err := l.Append(makeBatch(t, plain(2, 2000)), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("clean shutdown marker survived the first append: %v", err)
	}
	crash(l)
	l = openLog(t, dir, testConfig())
	defer l.Close()
	if l.LogEndOffset() != 5 {
		t.Fatalf("LEO %d after the crash, want 5", l.LogEndOffset())
	}
}
