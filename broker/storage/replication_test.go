package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLeaderEpochsAndEndOffsetForEpoch(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	// epoch 1: [0, 4), epoch 3: [4, 10), epoch 5: [10, 12)
	for _, a := range []struct {
		records int
		epoch   int32
	}{{2, 1}, {2, 1}, {3, 3}, {3, 3}, {2, 5}} {
		mustAppend(t, l, plain(a.records, 1), a.epoch)
	}
	data, err := os.ReadFile(filepath.Join(dir, LeaderEpochCheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0\n3\n1 0\n3 4\n5 10\n"; string(data) != want {
		t.Fatalf("leader-epoch-checkpoint:\n%q\nwant\n%q", data, want)
	}
	tests := []struct {
		epoch     int32
		wantEpoch int32
		wantEnd   int64
	}{
		{-1, -1, -1},
		{0, 0, 0},
		{1, 1, 4},
		{2, 1, 4},
		{3, 3, 10},
		{4, 3, 10},
		{5, 5, 12},
		{6, -1, -1},
	}
	check := func(l *PartitionLog) {
		t.Helper()
		for _, tt := range tests {
			e, o := l.EndOffsetForEpoch(tt.epoch)
			if e != tt.wantEpoch || o != tt.wantEnd {
				t.Errorf("EndOffsetForEpoch(%d) = %d, %d; want %d, %d", tt.epoch, e, o, tt.wantEpoch, tt.wantEnd)
			}
		}
	}
	check(l)
	crash(l)
	l = openLog(t, dir, testConfig())
	defer l.Close()
	check(l)

	if err := l.TruncateTo(7); err != nil {
		t.Fatal(err)
	}
	if e, o := l.EndOffsetForEpoch(3); e != 3 || o != 7 {
		t.Fatalf("after truncation EndOffsetForEpoch(3) = %d, %d; want 3, 7", e, o)
	}
	if e, o := l.EndOffsetForEpoch(5); e != -1 || o != -1 {
		t.Fatalf("after truncation EndOffsetForEpoch(5) = %d, %d; want -1, -1", e, o)
	}
	if _, err := l.DeleteRecordsBefore(5); err != nil {
		t.Fatal(err)
	}
	if got := l.epochs.entries; len(got) != 1 || got[0] != (epochEntry{3, 5}) {
		t.Fatalf("epochs after DeleteRecords(5): %v", got)
	}
}

func TestTruncateTo(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 300
	cfg.IndexIntervalBytes = 1
	tests := []struct {
		name     string
		offset   int64
		leo      int64 // after truncation
		logStart int64
	}{
		{"at or past the LEO does nothing", 40, 40, 0},
		{"batch boundary", 20, 20, 0},
		{"mid-batch drops the batch", 21, 20, 0},
		{"to the start", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, cfg)
			for i := range 20 {
				mustAppend(t, l, idem(7, 0, int32(2*i), 2), int32(i/5))
			}
			if err := l.TruncateTo(tt.offset); err != nil {
				t.Fatal(err)
			}
			if l.LogEndOffset() != tt.leo || l.LogStartOffset() != tt.logStart {
				t.Fatalf("LEO %d, log start %d; want %d, %d", l.LogEndOffset(), l.LogStartOffset(), tt.leo, tt.logStart)
			}
			checkContiguous(t, readAll(t, l), tt.logStart, tt.leo)
			// The producer state follows the truncation: the next sequence is the one
			// after the last batch kept.
			r, err := l.Append(makeBatch(t, idem(7, 0, int32(tt.leo), 1)), 9)
			if tt.leo > 0 && (err != nil || r.BaseOffset != tt.leo || r.Duplicate) {
				t.Fatalf("append after truncation: %+v, %v", r, err)
			}
			crash(l)
			l = openLog(t, dir, cfg)
			defer l.Close()
			checkContiguous(t, readAll(t, l), tt.logStart, l.LogEndOffset())
		})
	}
}

func TestTruncateBelowLogStartRestartsTheLog(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	for range 5 {
		mustAppend(t, l, plain(2, 1), 0)
	}
	if _, err := l.DeleteRecordsBefore(6); err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateTo(3); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 3 || l.LogEndOffset() != 3 {
		t.Fatalf("log [%d, %d), want [3, 3)", l.LogStartOffset(), l.LogEndOffset())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, testConfig())
	defer l.Close()
	if l.LogStartOffset() != 3 || l.LogEndOffset() != 3 {
		t.Fatalf("after restart log [%d, %d), want [3, 3)", l.LogStartOffset(), l.LogEndOffset())
	}
}

func TestAppendAsFollower(t *testing.T) {
	leader := openLog(t, t.TempDir(), testConfig())
	defer leader.Close()
	for i := range 8 {
		mustAppend(t, leader, idem(3, 0, int32(3*i), 3), int32(1+i/4))
	}
	all, err := leader.Read(0, 1<<20, leader.LogEndOffset())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := openLog(t, dir, testConfig())
	defer f.Close()
	first, _ := leader.Read(0, 200, 24)
	// A fetch response cut at its byte limit ends in a partial batch.
	if err := f.AppendAsFollower(append(bytes.Clone(first), all[len(first):len(first)+20]...)); err != nil {
		t.Fatal(err)
	}
	rest, _ := leader.Read(f.LogEndOffset(), 1<<20, 24)
	if err := f.AppendAsFollower(rest); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Read(0, 1<<20, f.LogEndOffset())
	if !bytes.Equal(got, all) {
		t.Fatal("follower log differs from the leader's")
	}
	if e, o := f.EndOffsetForEpoch(1); e != 1 || o != 12 {
		t.Fatalf("follower EndOffsetForEpoch(1) = %d, %d", e, o)
	}
	if err := f.AppendAsFollower(first); !errors.Is(err, ErrOffsetsOutOfOrder) {
		t.Fatalf("re-append of old batches: %v", err)
	}
	// The follower's producer state lets it take over as leader.
	if r, err := f.Append(makeBatch(t, idem(3, 0, 21, 3)), 3); err != nil || !r.Duplicate || r.BaseOffset != 21 {
		t.Fatalf("retry against the new leader: %+v, %v", r, err)
	}
}

func TestAssignEpochStartOffset(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	if _, ok := l.LatestEpoch(); ok {
		t.Fatal("an empty log has a latest epoch")
	}
	mustAppend(t, l, plain(3, 1), 1)
	// A new leader records its epoch before it appends anything.
	if start, err := l.AssignEpochStartOffset(4); err != nil || start != 3 {
		t.Fatalf("AssignEpochStartOffset(4) = %d, %v; want 3", start, err)
	}
	if e, ok := l.LatestEpoch(); !ok || e != 4 {
		t.Fatalf("LatestEpoch = %d, %v; want 4", e, ok)
	}
	// A follower that wrote epoch 2 records learns that epoch 1 ended at 3.
	if e, o := l.EndOffsetForEpoch(2); e != 1 || o != 3 {
		t.Fatalf("EndOffsetForEpoch(2) = %d, %d; want 1, 3", e, o)
	}
	if e, o := l.EndOffsetForEpoch(4); e != 4 || o != 3 {
		t.Fatalf("EndOffsetForEpoch(4) = %d, %d; want 4, 3", e, o)
	}
	// Losing leadership without having written in the epoch: truncating at the log
	// end forgets it, as the new leader's log has no such epoch.
	if err := l.TruncateTo(3); err != nil {
		t.Fatal(err)
	}
	if e, _ := l.LatestEpoch(); e != 1 || l.LogEndOffset() != 3 {
		t.Fatalf("after TruncateTo(LEO): latest epoch %d, LEO %d; want 1, 3", e, l.LogEndOffset())
	}
}

func TestTruncateFullyAndStartAt(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentBytes = 300
	l := openLog(t, dir, cfg)
	for i := range 6 {
		mustAppend(t, l, idem(5, 0, int32(2*i), 2), 2)
	}
	if snaps, err := snapshotOffsets(dir); err != nil || len(snaps) == 0 {
		t.Fatalf("no producer snapshots from rolls to test with: %v, %v", snaps, err)
	}
	if err := l.TruncateFullyAndStartAt(100); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 100 || l.LogEndOffset() != 100 {
		t.Fatalf("log [%d, %d), want [100, 100)", l.LogStartOffset(), l.LogEndOffset())
	}
	if _, ok := l.LatestEpoch(); ok {
		t.Fatal("epoch history survived a full truncation")
	}
	if snaps, err := snapshotOffsets(dir); err != nil || len(snaps) != 0 {
		t.Fatalf("producer snapshots of the old log survived: %v, %v", snaps, err)
	}
	// The producer's state went with its batches: a sequence that continues the
	// leader's log, not ours, is taken.
	if r, err := l.Append(makeBatch(t, idem(5, 0, 40, 2)), 3); err != nil || r.BaseOffset != 100 {
		t.Fatalf("append after full truncation: %+v, %v", r, err)
	}
	crash(l)
	l = openLog(t, dir, cfg)
	defer l.Close()
	if l.LogStartOffset() != 100 || l.LogEndOffset() != 102 {
		t.Fatalf("after restart log [%d, %d), want [100, 102)", l.LogStartOffset(), l.LogEndOffset())
	}
	if e, o := l.EndOffsetForEpoch(3); e != 3 || o != 102 {
		t.Fatalf("after restart EndOffsetForEpoch(3) = %d, %d; want 3, 102", e, o)
	}
	if r, err := l.Append(makeBatch(t, idem(5, 0, 40, 2)), 3); err != nil || !r.Duplicate || r.BaseOffset != 100 {
		t.Fatalf("retry after restart: %+v, %v; want a duplicate at 100", r, err)
	}
}
