package storage

import (
	"bytes"
	"os"
	"testing"
)

// FuzzSegmentRecovery feeds arbitrary bytes as the only segment of a partition that was
// not shut down cleanly. Open must not panic, and every batch the log then serves must
// be valid, in offset order, and followed by a working append. (Run with a short
// -fuzzminimizetime: every execution touches the disk.)
func FuzzSegmentRecovery(f *testing.F) {
	var valid []byte
	for i := range 4 {
		b := makeBatch(f, plain(i+1, int64(i)))
		be.PutUint64(b, uint64(i*(i+1)/2))
		valid = append(valid, b...)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-7])
	f.Add(append(bytes.Clone(valid), 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff))
	f.Add([]byte{})
	f.Add(make([]byte, 200))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(segmentPath(dir, 0, logSuffix), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := testConfig()
		cfg.IndexIntervalBytes = 64
		l := openLog(t, dir, cfg)
		defer crash(l) // no Close: its fsyncs would dominate every execution
		leo := l.LogEndOffset()
		next := int64(0)
		for off := int64(0); off < leo; {
			b, err := l.Read(off, 1<<20, leo)
			if err != nil {
				t.Fatalf("Read(%d): %v", off, err)
			}
			bs := decodeBatches(t, b)
			if len(bs) == 0 {
				t.Fatalf("nothing at %d below LEO %d", off, leo)
			}
			for _, rb := range bs {
				if rb.FirstOffset < next {
					t.Fatalf("batch at %d after offset %d", rb.FirstOffset, next)
				}
				next = rb.FirstOffset + int64(rb.LastOffsetDelta) + 1
			}
			off = next
		}
		if next != leo {
			t.Fatalf("batches end at %d, LEO %d", next, leo)
		}
		l.OffsetForTimestamp(0)
		l.MaxTimestamp()
		if r := mustAppend(t, l, plain(2, 5), -1); r.BaseOffset != leo {
			t.Fatalf("append at %d, want LEO %d", r.BaseOffset, leo)
		}
	})
}
