package storage

import (
	"os"
	"slices"
	"testing"
	"time"
)

// TestOffsetsBefore is ListOffsets v0's answer as Kafka's legacyFetchOffsetsBefore
// gives it: segment base offsets by their files' modification times plus the log end
// offset stamped now, newest first, at most maxNum of them.
func TestOffsetsBefore(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = int64(len(makeBatch(t, plain(2, 1000)))) // every batch rolls a new segment
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	for range 3 {
		mustAppend(t, l, plain(2, 1000), 0)
	}
	if n := len(l.segments); n != 3 {
		t.Fatalf("%d segments, want 3", n)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range l.segments {
		mod := base.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(s.file.Name(), mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	now := base.Add(10 * time.Hour)
	ms := func(h int) int64 { return base.Add(time.Duration(h)*time.Hour).UnixMilli() + 1 }
	cases := []struct {
		name      string
		timestamp int64
		maxNum    int32
		want      []int64
	}{
		{"latest, all", -1, 10, []int64{6, 4, 2, 0}},
		{"latest, one", -1, 1, []int64{6}},
		{"earliest", -2, 10, []int64{0}},
		{"before the second segment's time", ms(1), 10, []int64{2, 0}},
		{"before any segment", base.UnixMilli() - 1, 10, []int64{}},
		{"after everything", now.UnixMilli(), 2, []int64{6, 4}},
	}
	for _, c := range cases {
		got, err := l.OffsetsBefore(c.timestamp, c.maxNum, now)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
}
