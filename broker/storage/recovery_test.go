package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryTruncatesTornTail(t *testing.T) {
	next := makeBatch(t, plain(4, 500))
	be.PutUint64(next, 12) // what the broker would have stamped
	flipped := bytes.Clone(next)
	flipped[len(flipped)-3] ^= 0x40
	tests := []struct {
		name string
		tail []byte
	}{
		{"nothing", nil},
		{"half a batch", next[:len(next)/2]},
		{"only the length prefix", next[:logOverhead]},
		{"whole batch with a bad crc", flipped},
		{"zeros (preallocated or unwritten page)", make([]byte, 4096)},
		{"garbage", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 100)},
		{"huge length", append(append([]byte{}, next[:8]...), 0x7f, 0xff, 0xff, 0xff, 1, 2, 3)},
		{"valid batch with an offset going backwards", func() []byte {
			b := bytes.Clone(next)
			be.PutUint64(b, 3)
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig()
			cfg.SegmentBytes = 400
			cfg.IndexIntervalBytes = 50
			l := openLog(t, dir, cfg)
			for i := range 6 {
				mustAppend(t, l, plain(2, int64(100*i)), 0)
			}
			if l.LogEndOffset() != 12 {
				t.Fatalf("LEO %d", l.LogEndOffset())
			}
			active := l.active().file.Name()
			crash(l)
			appendFile(t, active, tt.tail)

			l = openLog(t, dir, cfg)
			if got := l.LogEndOffset(); got != 12 {
				t.Fatalf("LEO after recovery %d, want 12", got)
			}
			r := mustAppend(t, l, plain(3, 900), 0)
			if r.BaseOffset != 12 {
				t.Fatalf("first append after recovery at %d, want 12", r.BaseOffset)
			}
			checkContiguous(t, readAll(t, l), 0, 15)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = openLog(t, dir, cfg)
			defer l.Close()
			checkContiguous(t, readAll(t, l), 0, 15)
			if off, ts := l.MaxTimestamp(); off != 14 || ts != 902 {
				t.Fatalf("MaxTimestamp %d, %d", off, ts)
			}
		})
	}
}

// A crash leaves index files behind their logs (they are written on flush and roll
// only); recovery must not trust them.
func TestRecoveryRebuildsStaleIndexes(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.IndexIntervalBytes = 1
	l := openLog(t, dir, cfg)
	for i := range 20 {
		mustAppend(t, l, plain(3, int64(i)), 0)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		mustAppend(t, l, plain(3, int64(100+i)), 0)
	}
	crash(l)
	// Make the index lie as well: point its last entry past the log.
	idx := segmentPath(dir, 0, indexSuffix)
	appendFile(t, idx, []byte{0, 0, 0, 200, 0, 0, 0xff, 0xff})

	l = openLog(t, dir, cfg)
	defer l.Close()
	if l.LogEndOffset() != 120 {
		t.Fatalf("LEO %d, want 120", l.LogEndOffset())
	}
	for off := range int64(120) {
		b, err := l.Read(off, 1, 120)
		if err != nil {
			t.Fatal(err)
		}
		bs := decodeBatches(t, b)
		if len(bs) != 1 || bs[0].FirstOffset != off/3*3 {
			t.Fatalf("Read(%d) wrong batch", off)
		}
	}
}

// Segments after a cut one cannot follow on and are deleted; the recovery point keeps
// segments that were flushed on roll from being rescanned.
func TestRecoveryAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentBytes = 300
	l := openLog(t, dir, cfg)
	for i := range 30 {
		mustAppend(t, l, plain(2, int64(i)), 0)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	segs := len(l.segments)
	if segs < 4 {
		t.Fatalf("only %d segments", segs)
	}
	second := l.segments[1]
	cut := second.size - 10
	crash(l)
	rp, _ := ReadOffsetCheckpoint(filepath.Join(dir, RecoveryPointCheckpointFile))
	if rp[TopicPartition{"t", 0}] != l.segments[segs-1].base {
		t.Fatalf("recovery point %v, want the active segment's base %d", rp, l.segments[segs-1].base)
	}
	// Damage a segment below the recovery point: a clean-shutdown-less open trusts it
	// (it was flushed), so move the recovery point back to force its rescan.
	if err := os.Truncate(segmentPath(dir, second.base, logSuffix), cut); err != nil {
		t.Fatal(err)
	}
	if err := WriteOffsetCheckpoint(filepath.Join(dir, RecoveryPointCheckpointFile), map[TopicPartition]int64{{"t", 0}: 0}); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, cfg)
	defer l.Close()
	if len(l.segments) != 2 {
		t.Fatalf("%d segments after recovery, want 2", len(l.segments))
	}
	leo := l.LogEndOffset()
	checkContiguous(t, readAll(t, l), 0, leo)
	if r := mustAppend(t, l, plain(1, 1), 0); r.BaseOffset != leo {
		t.Fatalf("append after recovery at %d, want %d", r.BaseOffset, leo)
	}
}

func TestOpenRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	mustAppend(t, l, plain(1, 1), 0)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	stray := []string{
		segmentPath(dir, 500, indexSuffix),
		segmentPath(dir, 500, timeIndexSuffix),
		segmentPath(dir, 500, txnIndexSuffix),
		filepath.Join(dir, LeaderEpochCheckpointFile+".tmp"),
	}
	for _, p := range stray {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(dir, "partition.metadata")
	if err := os.WriteFile(keep, []byte("version: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, testConfig())
	defer l.Close()
	for _, p := range stray {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not removed", p)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file storage does not own was touched: %v", err)
	}
}
