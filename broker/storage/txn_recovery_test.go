package storage

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

// txnLogState is what a restart, a truncation or a follower must reproduce.
type txnLogState struct {
	producers []ProducerInfo
	lso       int64
	aborted   [][]AbortedTxn
	indexes   map[int64][]byte
}

func txnStateOf(t *testing.T, l *PartitionLog) txnLogState {
	t.Helper()
	leo := l.LogEndOffset()
	st := txnLogState{producers: l.Producers(), lso: l.LastStableOffset(leo), aborted: readCommittedAll(t, l, 1<<20, leo), indexes: map[int64][]byte{}}
	l.mu.RLock()
	bases := make([]int64, len(l.segments))
	for i, s := range l.segments {
		bases[i] = s.base
	}
	l.mu.RUnlock()
	for _, b := range bases {
		st.indexes[b] = txnIndexBytes(t, l.Dir(), b)
	}
	return st
}

func TestTxnStateSurvivesRestart(t *testing.T) {
	tests := []struct {
		name string
		// flush before the kill (the recovery point moves to the active segment, whose
		// rescan then starts from the snapshot taken when it was rolled); nil damage
		// means a clean close.
		flush  bool
		damage func(t *testing.T, dir string)
	}{
		{name: "clean close"},
		{name: "kill -9", damage: func(*testing.T, string) {}},
		{name: "kill -9 before the roll was flushed; every transaction index lost", damage: func(t *testing.T, dir string) {
			tp := TopicPartition{Topic: "t", Partition: 0}
			if err := WriteOffsetCheckpoint(dir+"/"+RecoveryPointCheckpointFile, map[TopicPartition]int64{tp: 0}); err != nil {
				t.Fatal(err)
			}
			for _, base := range []int64{0, 4} {
				if err := os.Remove(segmentPath(dir, base, txnIndexSuffix)); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "kill -9 after the roll was flushed; active index lost", flush: true, damage: func(t *testing.T, dir string) {
			if err := os.Remove(segmentPath(dir, 4, txnIndexSuffix)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "kill -9 with a torn index entry", flush: true, damage: func(t *testing.T, dir string) {
			appendFile(t, segmentPath(dir, 4, txnIndexSuffix), make([]byte, 10))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, testConfig())
			mustAppend(t, l, txn(1, 0, 0, 2), 0)   // 0-1: stays open across the restart
			mustAppend(t, l, txn(2, 0, 0, 1), 0)   // 2
			mustMarker(t, l, abortMarker(2, 0, 3)) // 3
			roll(t, l)                             // segment 4; its snapshot has producer 1's open transaction
			mustAppend(t, l, txn(3, 0, 0, 1), 0)   // 4
			mustMarker(t, l, abortMarker(3, 0, 3)) // 5
			mustAppend(t, l, plain(1, 9), 0)       // 6
			before := txnStateOf(t, l)
			wantIndexes := map[int64][]abortedTxnEntry{
				0: {{producerID: 2, firstOffset: 2, lastOffset: 3, lastStableOffset: 0}},
				4: {{producerID: 3, firstOffset: 4, lastOffset: 5, lastStableOffset: 0}},
			}
			for base, want := range wantIndexes {
				if got := abortedInIndex(t, before.indexes[base]); !slices.Equal(got, want) {
					t.Fatalf("segment %d index %+v, want %+v", base, got, want)
				}
			}
			if before.lso != 0 || before.producers[0].CurrentTxnStartOffset != 0 {
				t.Fatalf("before the restart: %+v", before)
			}

			if tt.damage == nil {
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
			} else {
				if tt.flush {
					if err := l.Flush(); err != nil {
						t.Fatal(err)
					}
				}
				crash(l)
				tt.damage(t, dir)
			}
			l = openLog(t, dir, testConfig())
			defer l.Close()
			if after := txnStateOf(t, l); !reflect.DeepEqual(after, before) {
				t.Fatalf("after the restart\n got %+v\nwant %+v", after, before)
			}
			mustMarker(t, l, abortMarker(1, 0, 3)) // 7
			want := append(wantIndexes[4], abortedTxnEntry{producerID: 1, firstOffset: 0, lastOffset: 7, lastStableOffset: 8})
			if got := abortedInIndex(t, txnIndexBytes(t, dir, 4)); !slices.Equal(got, want) {
				t.Fatalf("index after the open transaction's abort %+v, want %+v", got, want)
			}
			if got := l.LastStableOffset(8); got != 8 {
				t.Fatalf("LastStableOffset(8) = %d after every transaction ended", got)
			}
		})
	}
}

func TestTruncateBelowMarkerReopensTransaction(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	mustAppend(t, l, txn(1, 0, 0, 2), 0)    // 0-1
	mustMarker(t, l, abortMarker(1, 0, 0))  // 2
	mustAppend(t, l, plain(1, 5), 0)        // 3
	roll(t, l)                              // segment 4
	mustAppend(t, l, txn(2, 0, 0, 1), 0)    // 4
	mustMarker(t, l, commitMarker(2, 0, 0)) // 5
	open := func(id int64) int64 {
		for _, p := range l.Producers() {
			if p.ProducerID == id {
				return p.CurrentTxnStartOffset
			}
		}
		t.Fatalf("producer %d unknown", id)
		return 0
	}

	if err := l.TruncateTo(5); err != nil {
		t.Fatal(err)
	}
	if open(2) != 4 || l.LastStableOffset(5) != 4 {
		t.Fatalf("after cutting the commit: producer 2 open at %d, LSO %d", open(2), l.LastStableOffset(5))
	}
	if err := l.TruncateTo(2); err != nil {
		t.Fatal(err)
	}
	if b := txnIndexBytes(t, dir, 0); b != nil {
		t.Fatalf("the cut abort is still indexed: %x", b)
	}
	if open(1) != 0 || l.LastStableOffset(2) != 0 {
		t.Fatalf("after cutting the abort: producer 1 open at %d, LSO %d", open(1), l.LastStableOffset(2))
	}
	if _, aborted, err := l.ReadCommitted(nil, 0, 1<<20, 2); err != nil || aborted != nil {
		t.Fatalf("ReadCommitted after the truncation: %v, %v", aborted, err)
	}
	mustMarker(t, l, abortMarker(1, 0, 0)) // 2 again
	want := []abortedTxnEntry{{producerID: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3}}
	if got := abortedInIndex(t, txnIndexBytes(t, dir, 0)); !slices.Equal(got, want) {
		t.Fatalf("index after the abort is rewritten %+v, want %+v", got, want)
	}

	if err := l.TruncateFullyAndStartAt(10); err != nil {
		t.Fatal(err)
	}
	if b := txnIndexBytes(t, dir, 0); b != nil || len(l.Producers()) != 0 || l.LastStableOffset(10) != 10 {
		t.Fatalf("after a full truncation: index %x, producers %+v, LSO %d", b, l.Producers(), l.LastStableOffset(10))
	}
}

func TestAppendAsFollowerAppliesMarkers(t *testing.T) {
	leader := openLog(t, t.TempDir(), testConfig())
	defer leader.Close()
	mustAppend(t, leader, txn(1, 0, 0, 2), 0)    // 0-1
	mustAppend(t, leader, txn(2, 0, 0, 1), 0)    // 2
	mustMarker(t, leader, abortMarker(1, 0, 4))  // 3
	mustAppend(t, leader, txn(3, 0, 0, 1), 0)    // 4
	mustMarker(t, leader, commitMarker(2, 0, 4)) // 5
	mustMarker(t, leader, abortMarker(9, 0, 4))  // 6: a producer with nothing here
	mustAppend(t, leader, txn(2, 1, 0, 1), 0)    // 7: a new epoch's transaction

	f := openLog(t, t.TempDir(), testConfig())
	defer f.Close()
	for f.LogEndOffset() < leader.LogEndOffset() {
		b, err := leader.Read(f.LogEndOffset(), 100, leader.LogEndOffset())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.AppendAsFollower(b); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := txnStateOf(t, f), txnStateOf(t, leader); !reflect.DeepEqual(got, want) {
		t.Fatalf("follower\n got %+v\nwant %+v", got, want)
	}

	// The follower checks nothing: a marker from a fenced coordinator and a
	// non-transactional batch inside a transaction are the leader's business.
	stale := encodeTxnMarker(abortMarker(1, 0, 2))
	be.PutUint64(stale, uint64(f.LogEndOffset()))
	if err := f.AppendAsFollower(stale); err != nil {
		t.Fatalf("stale marker: %v", err)
	}
	plainInTxn := makeBatch(t, idem(2, 1, 1, 1))
	be.PutUint64(plainInTxn, uint64(f.LogEndOffset()))
	if err := f.AppendAsFollower(plainInTxn); err != nil {
		t.Fatalf("non-transactional batch in a transaction: %v", err)
	}
	ps := f.Producers()
	if p := ps[0]; p.ProducerID != 1 || p.CoordinatorEpoch != 2 || p.CurrentTxnStartOffset != -1 {
		t.Fatalf("producer 1 after the stale marker: %+v", p)
	}
	if p := ps[1]; p.ProducerID != 2 || p.CurrentTxnStartOffset != 7 || p.LastSequence != 1 {
		t.Fatalf("producer 2 after the non-transactional batch: %+v", p)
	}
}
