package storage

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// A kill -9 at any step of a swap leaves a directory that Open turns back into either
// the old segments or the cleaned one, and the cleaner can run again afterwards.
func TestCompactInterruptedSwap(t *testing.T) {
	now := time.UnixMilli(10_000)
	cfg := compactConfig()
	ref := buildKeyedLog(t, t.TempDir(), cfg, kgo.ZstdCompression())
	before := view(t, ref)
	if _, err := ref.Compact(now); err != nil {
		t.Fatal(err)
	}
	after := view(t, ref)
	ref.Close()

	rename := func(t *testing.T, from, to string) {
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		stage     func(t *testing.T, dir string, bases []int64)
		committed bool
	}{
		{"cleaned files written", func(*testing.T, string, []int64) {}, false},
		{"replaced segments marked", func(t *testing.T, dir string, bases []int64) {
			if err := markReplaced(dir, bases); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"indexes renamed to swap, log not yet", func(t *testing.T, dir string, bases []int64) {
			if err := markReplaced(dir, bases); err != nil {
				t.Fatal(err)
			}
			p := segmentPath(dir, bases[0], indexSuffix)
			rename(t, p+cleanedSuffix, p+swapSuffix)
		}, false},
		{"swap committed", func(t *testing.T, dir string, bases []int64) {
			if err := markReplaced(dir, bases); err != nil {
				t.Fatal(err)
			}
			if err := commitSwap(dir, bases[0]); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"swap half completed", func(t *testing.T, dir string, bases []int64) {
			if err := markReplaced(dir, bases); err != nil {
				t.Fatal(err)
			}
			if err := commitSwap(dir, bases[0]); err != nil {
				t.Fatal(err)
			}
			for _, b := range bases {
				if err := os.Remove(segmentPath(dir, b, logSuffix) + deletedSuffix); err != nil {
					t.Fatal(err)
				}
			}
			p := segmentPath(dir, bases[0], indexSuffix)
			rename(t, p+swapSuffix, p)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := buildKeyedLog(t, dir, cfg, kgo.ZstdCompression())
			bases := writeCleanedGroup(t, l, now)
			crash(l)
			tt.stage(t, dir, bases)

			l = openLog(t, dir, cfg)
			defer l.Close()
			want := before
			if tt.committed {
				want = after
			}
			sameInOrder(t, view(t, l), want)
			names, err := dirNames(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if strings.HasSuffix(n, cleanedSuffix) || strings.HasSuffix(n, swapSuffix) || strings.HasSuffix(n, deletedSuffix) {
					t.Fatalf("%s left after recovery", n)
				}
			}
			if _, err := l.Compact(now); err != nil {
				t.Fatal(err)
			}
			sameInOrder(t, view(t, l), after)
		})
	}
}

// writeCleanedGroup does step 1 of compacting l's first group and returns the bases
// of the segments it replaces.
func writeCleanedGroup(t *testing.T, l *PartitionLog, now time.Time) []int64 {
	t.Helper()
	p, _, err := l.planCompaction(now)
	if err != nil || p == nil {
		t.Fatalf("plan: %v, %v", p, err)
	}
	offsets, err := p.buildOffsetMap()
	if err != nil {
		t.Fatal(err)
	}
	g := p.groups()[0]
	group := p.segments[g[0]:g[1]]
	if len(group) < 2 {
		t.Fatalf("group of %d segments", len(group))
	}
	w, err := newCleanedWriter(p.dir, group[0].base, p.cfg.IndexIntervalBytes)
	if err != nil {
		t.Fatal(err)
	}
	var stats CompactionResult
	due := int64(math.MaxInt64)
	var bases []int64
	txns := newCleanerTxns(p.aborted)
	for i := g[0]; i < g[1]; i++ {
		if _, err := p.filterSegment(i, offsets, w, txns, &stats, &due); err != nil {
			t.Fatal(err)
		}
		bases = append(bases, p.segments[i].base)
	}
	for _, e := range txns.indexed {
		w.seg.txns.add(e)
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	return bases
}
