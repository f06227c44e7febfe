package storage

import (
	"testing"
	"time"
)

// fiveSegments builds a log of five segments, each holding four single-record batches
// with timestamps seg*1000+i, the last one active.
func fiveSegments(t *testing.T, dir string, cfg Config) *PartitionLog {
	t.Helper()
	l := openLog(t, dir, cfg)
	for seg := range 5 {
		for i := range 4 {
			mustAppend(t, l, plain(1, int64(seg*1000+i)), 0)
		}
		if seg < 4 {
			l.mu.Lock()
			if err := l.rollLocked(); err != nil {
				t.Fatal(err)
			}
			l.mu.Unlock()
		}
	}
	if len(l.segments) != 5 {
		t.Fatalf("%d segments", len(l.segments))
	}
	return l
}

func TestRetention(t *testing.T) {
	segBytes := int64(len(makeBatch(t, plain(1, 0))) * 4)
	tests := []struct {
		name           string
		retentionMs    int64
		retentionBytes int64
		now            int64
		deleted        int
	}{
		{"unlimited", -1, -1, 1 << 40, 0},
		{"time: nothing old enough", 10_000, -1, 10_000, 0},
		{"time: two segments", 1_000, -1, 2_004, 2},
		{"time: never the active segment", 1, -1, 1 << 40, 4},
		{"bytes: under the limit", -1, 5 * segBytes, 0, 0},
		{"bytes: a partial segment over keeps it", -1, 4*segBytes + 1, 0, 0},
		{"bytes: one segment over", -1, 4 * segBytes, 0, 1},
		{"bytes: three and a half over", -1, segBytes + segBytes/2, 0, 3},
		{"bytes: never the active segment", -1, 1, 0, 4},
		{"time and bytes: the larger wins", 1_000, 4 * segBytes, 2_004, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.RetentionMs, cfg.RetentionBytes = tt.retentionMs, tt.retentionBytes
			l := fiveSegments(t, t.TempDir(), cfg)
			defer l.Close()
			leo := l.LogEndOffset()
			n, err := l.EnforceRetention(time.UnixMilli(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.deleted {
				t.Fatalf("deleted %d segments, want %d", n, tt.deleted)
			}
			if got, want := l.LogStartOffset(), int64(4*tt.deleted); got != want {
				t.Fatalf("log start %d, want %d", got, want)
			}
			if l.LogEndOffset() != leo {
				t.Fatal("retention moved the LEO")
			}
			if got := len(segmentFiles(t, l.dir)); got != 5-tt.deleted {
				t.Fatalf("%d segment files left", got)
			}
			checkContiguous(t, readAll(t, l), int64(4*tt.deleted), leo)
		})
	}
}

func TestDeleteRecordsBefore(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	l := fiveSegments(t, dir, cfg)
	for _, step := range []struct {
		offset, logStart int64
		segments         int
	}{
		{2, 2, 5},
		{1, 2, 5}, // never lowers
		{8, 8, 3}, // exactly at a segment boundary
		{13, 13, 2},
		{20, 20, 1}, // everything: the active segment stays, empty of fetchable data
	} {
		got, err := l.DeleteRecordsBefore(step.offset)
		if err != nil {
			t.Fatal(err)
		}
		if got != step.logStart || l.LogStartOffset() != step.logStart || len(l.segments) != step.segments {
			t.Fatalf("DeleteRecordsBefore(%d) = %d with %d segments; want %d with %d",
				step.offset, got, len(l.segments), step.logStart, step.segments)
		}
	}
	if _, err := l.DeleteRecordsBefore(21); err == nil {
		t.Fatal("DeleteRecordsBefore past the LEO succeeded")
	}
	crash(l)
	l = openLog(t, dir, cfg)
	defer l.Close()
	if l.LogStartOffset() != 20 || l.LogEndOffset() != 20 {
		t.Fatalf("after restart: log start %d, LEO %d; want 20, 20", l.LogStartOffset(), l.LogEndOffset())
	}
}

func TestDeleteRecordsMidSegmentSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	l := fiveSegments(t, dir, testConfig())
	if _, err := l.DeleteRecordsBefore(6); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, testConfig())
	defer l.Close()
	if l.LogStartOffset() != 6 {
		t.Fatalf("log start %d after restart, want 6", l.LogStartOffset())
	}
	b, err := l.Read(6, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if bs := decodeBatches(t, b); bs[0].FirstOffset != 6 {
		t.Fatalf("read from log start returned batch %d", bs[0].FirstOffset)
	}
}
