package storage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// batchesOf summarises every batch of the log as "offset pPID what": the key=value
// records of a data batch ([] when emptied), or commit/abort for a marker, with a *
// when the cleaner stamped a delete horizon on it.
func batchesOf(t *testing.T, l *PartitionLog) []string {
	t.Helper()
	var out []string
	for _, rb := range readAll(t, l) {
		what := ""
		recs := recordsOf(t, rb)
		switch {
		case rb.Attributes&attrControl != 0 && len(recs) == 1 && recs[0].Key[3] == 1:
			what = "commit"
		case rb.Attributes&attrControl != 0 && len(recs) == 1:
			what = "abort"
		default:
			var kvs []string
			for _, r := range recs {
				kvs = append(kvs, string(r.Key)+"="+string(r.Value))
			}
			what = "[" + strings.Join(kvs, " ") + "]"
		}
		if rb.Attributes&attrDeleteHorizon != 0 {
			what += "*"
		}
		out = append(out, fmt.Sprintf("%d p%d %s", rb.FirstOffset, rb.ProducerID, what))
	}
	return out
}

func txnKeyed(pid int64, seq int32, recs ...kv) keyedSpec {
	s := keyed(100, recs...)
	s.pid, s.epoch, s.seq, s.txn = pid, 0, seq, true
	return s
}

// compactNow runs the cleaner as the broker does: the high watermark (the LEO here)
// has been seen by LastStableOffset, so completed transactions no longer hold it back.
func compactNow(t *testing.T, l *PartitionLog, now int64) CompactionResult {
	t.Helper()
	l.LastStableOffset(l.LogEndOffset())
	res, err := l.Compact(time.UnixMilli(now))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The cleaner removes an aborted transaction's records whatever their keys, without
// letting them supersede committed values; it keeps a marker while its transaction's
// data may remain before it, stamps a delete horizon on it once the data is gone, and
// removes it after the horizon. The cleaned segments index the aborts they keep.
func TestCompactTransactions(t *testing.T) {
	dir := t.TempDir()
	cfg := compactConfig()
	cfg.DeleteRetentionMs = 1000
	l := openLog(t, dir, cfg)
	defer func() { l.Close() }()
	appendKeyed(t, l, txnKeyed(1, 0, kv{key: "k1", value: "a1"}, kv{key: "k2", value: "a2"})) // 0-1
	appendKeyed(t, l, txnKeyed(2, 0, kv{key: "k1", value: "b1"}))                             // 2
	mustMarker(t, l, commitMarker(1, 0, 0))                                                   // 3
	mustMarker(t, l, abortMarker(2, 0, 0))                                                    // 4
	appendKeyed(t, l, keyed(100, kv{key: "k3", value: "c3"}))                                 // 5
	roll(t, l)
	appendKeyed(t, l, keyed(100, kv{key: "k2", value: "d2"})) // 6
	roll(t, l)
	// The producers' last batches are in the active segment, so the cleaner need not
	// keep the ones above for their state.
	appendKeyed(t, l, txnKeyed(1, 2, kv{key: "k4", value: "x"})) // 7
	mustMarker(t, l, commitMarker(1, 0, 0))                      // 8
	appendKeyed(t, l, txnKeyed(2, 1, kv{key: "k5", value: "y"})) // 9
	mustMarker(t, l, commitMarker(2, 0, 0))                      // 10
	abort2 := abortedTxnEntry{producerID: 2, firstOffset: 2, lastOffset: 4, lastStableOffset: 5}
	active := []string{"7 p1 [k4=x]", "8 p1 commit", "9 p2 [k5=y]", "10 p2 commit"}

	res := compactNow(t, l, 10_000)
	if !res.Cleaned || res.SegmentsReplaced != 2 || res.RecordsRemoved != 2 {
		t.Fatalf("first pass: %+v", res)
	}
	want := append([]string{
		"0 p1 [k1=a1]", // k2=a2 superseded; the aborted k1=b1 does not supersede k1=a1
		"3 p1 commit",  // its transaction's data remains
		"4 p2 abort",   // its data was read in this pass
		"5 p-1 [k3=c3]",
		"6 p-1 [k2=d2]",
	}, active...)
	sameInOrder(t, batchesOf(t, l), want)
	if got := abortedInIndex(t, txnIndexBytes(t, dir, 0)); !slices.Equal(got, []abortedTxnEntry{abort2}) {
		t.Fatalf("cleaned segment's transaction index %+v", got)
	}
	_, aborted, err := l.ReadCommitted(nil, 0, 1<<20, l.LogEndOffset())
	if err != nil {
		t.Fatal(err)
	}
	sameInOrder(t, aborted, []AbortedTxn{{ProducerID: 2, FirstOffset: 2}})

	// The next pass finds no data before the abort marker: it stamps the horizon and
	// stops indexing the abort, which has nothing left to filter.
	roll(t, l)
	appendKeyed(t, l, keyed(100, kv{key: "k6", value: "z"})) // 11
	active = append(active, "11 p-1 [k6=z]")
	compactNow(t, l, 20_000)
	want = append([]string{"0 p1 [k1=a1]", "3 p1 commit", "4 p2 abort*", "5 p-1 [k3=c3]", "6 p-1 [k2=d2]"}, active...)
	sameInOrder(t, batchesOf(t, l), want)
	if b := txnIndexBytes(t, dir, 0); b != nil {
		t.Fatalf("a marker without data is still indexed: %x", b)
	}
	marker := readAll(t, l)[2]
	if rec := recordsOf(t, marker)[0]; marker.FirstTimestamp != 21_000 || marker.FirstTimestamp+rec.TimestampDelta64 != 7000 || marker.MaxTimestamp != 7000 {
		t.Fatalf("stamped marker: base timestamp %d, record timestamp %d, max %d; want the horizon 21000 and 7000",
			marker.FirstTimestamp, marker.FirstTimestamp+rec.TimestampDelta64, marker.MaxTimestamp)
	}
	if res := compactNow(t, l, 20_999); res.Cleaned {
		t.Fatalf("pass before the horizon: %+v", res)
	}

	// Once the horizon has passed, the abort marker goes; the commit marker stays
	// while k1=a1 does.
	res = compactNow(t, l, 21_000)
	if !res.Cleaned || res.SegmentsReplaced == 0 {
		t.Fatalf("pass at the horizon: %+v", res)
	}
	want = append([]string{"0 p1 [k1=a1]", "3 p1 commit", "5 p-1 [k3=c3]", "6 p-1 [k2=d2]"}, active...)
	sameInOrder(t, batchesOf(t, l), want)

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, cfg)
	sameInOrder(t, batchesOf(t, l), want)
}

// The cleaner stops at the first unstable offset: an undecided transaction's records
// may yet be aborted, and a completed one counts until its marker is known to be below
// the high watermark. An aborted batch that is its producer's last is kept, emptied.
func TestCompactStopsAtFirstUnstableOffset(t *testing.T) {
	l := openLog(t, t.TempDir(), compactConfig())
	defer l.Close()
	appendKeyed(t, l, keyed(100, kv{key: "k1", value: "a"}))     // 0
	appendKeyed(t, l, txnKeyed(3, 0, kv{key: "k1", value: "b"})) // 1
	roll(t, l)
	appendKeyed(t, l, keyed(100, kv{key: "k1", value: "c"})) // 2
	roll(t, l)
	appendKeyed(t, l, keyed(100, kv{key: "k9", value: "z"})) // 3
	before := []string{"0 p-1 [k1=a]", "1 p3 [k1=b]", "2 p-1 [k1=c]", "3 p-1 [k9=z]"}

	if res := compactNow(t, l, 10_000); res.Cleaned {
		t.Fatalf("pass with the transaction open: %+v", res)
	}
	mustMarker(t, l, abortMarker(3, 0, 0)) // 4
	before = append(before, "4 p3 abort")
	if res, err := l.Compact(time.UnixMilli(10_000)); err != nil || res.Cleaned {
		t.Fatalf("pass before the high watermark passed the marker: %+v, %v", res, err)
	}
	sameInOrder(t, batchesOf(t, l), before)

	if res := compactNow(t, l, 10_000); !res.Cleaned {
		t.Fatalf("pass after the high watermark passed the marker: %+v", res)
	}
	sameInOrder(t, batchesOf(t, l), []string{"1 p3 []", "2 p-1 [k1=c]", "3 p-1 [k9=z]", "4 p3 abort"})
}

// The cleaned segment's transaction index takes part in the swap: after a kill -9 the
// directory holds either the old segments with their indexes or the cleaned segment
// with its own.
func TestCompactInterruptedSwapWithTxnIndex(t *testing.T) {
	entry := abortedTxnEntry{producerID: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3}
	tests := []struct {
		name      string
		committed bool
	}{{"cleaned files written", false}, {"swap committed", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := compactConfig()
			l := openLog(t, dir, cfg)
			appendKeyed(t, l, txnKeyed(1, 0, kv{key: "k1", value: "x"})) // 0
			appendKeyed(t, l, keyed(100, kv{key: "k1", value: "w"}))     // 1
			roll(t, l)
			mustMarker(t, l, abortMarker(1, 0, 0))                   // 2
			appendKeyed(t, l, keyed(100, kv{key: "k2", value: "y"})) // 3
			roll(t, l)
			appendKeyed(t, l, txnKeyed(1, 1, kv{key: "k3", value: "z"})) // 4: open
			l.LastStableOffset(l.LogEndOffset())
			// Only the active segment is rescanned after the kill: the sealed ones keep
			// the transaction indexes the swap left.
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
			bases := writeCleanedGroup(t, l, time.UnixMilli(10_000))
			if got := abortedInIndex(t, txnIndexBytesAt(t, segmentPath(dir, 0, txnIndexSuffix)+cleanedSuffix)); !slices.Equal(got, []abortedTxnEntry{entry}) {
				t.Fatalf("cleaned transaction index %+v", got)
			}
			crash(l)
			if tt.committed {
				if err := markReplaced(dir, bases); err != nil {
					t.Fatal(err)
				}
				if err := commitSwap(dir, bases[0]); err != nil {
					t.Fatal(err)
				}
			}
			l = openLog(t, dir, cfg)
			defer l.Close()
			indexes := map[int64][]abortedTxnEntry{0: nil, 2: {entry}}
			if tt.committed {
				indexes = map[int64][]abortedTxnEntry{0: {entry}, 2: nil}
			}
			for base, want := range indexes {
				if got := abortedInIndex(t, txnIndexBytes(t, dir, base)); !slices.Equal(got, want) {
					t.Fatalf("segment %d transaction index %+v, want %+v", base, got, want)
				}
			}
			_, aborted, err := l.ReadCommitted(nil, 0, 1<<20, 4)
			if err != nil {
				t.Fatal(err)
			}
			sameInOrder(t, aborted, []AbortedTxn{{ProducerID: 1, FirstOffset: 0}})
			names, err := dirNames(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				if strings.HasSuffix(n, cleanedSuffix) || strings.HasSuffix(n, swapSuffix) || strings.HasSuffix(n, deletedSuffix) {
					t.Fatalf("%s left after recovery", n)
				}
			}
		})
	}
}

// A marker that is its producer's last record (the abort bumped the epoch, so no data
// batch holds its state) loses only its record once its horizon passes: the empty
// batch is written as Kafka writes one, without a base timestamp or horizon.
func TestCompactEmptiesProducersLastMarker(t *testing.T) {
	cfg := compactConfig()
	cfg.DeleteRetentionMs = 1000
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	appendKeyed(t, l, txnKeyed(5, 0, kv{key: "k", value: "a"})) // 0
	mustMarker(t, l, abortMarker(5, 1, 0))                      // 1: the coordinator bumps the epoch
	appendKeyed(t, l, keyed(100, kv{key: "k", value: "b"}))     // 2
	for i, now := range []int64{10_000, 20_000, 21_000} {
		roll(t, l)
		appendKeyed(t, l, keyed(100, kv{key: fmt.Sprint("q", i), value: "1"}))
		compactNow(t, l, now)
	}
	want := []string{"1 p5 []", "2 p-1 [k=b]", "3 p-1 [q0=1]", "4 p-1 [q1=1]", "5 p-1 [q2=1]"}
	sameInOrder(t, batchesOf(t, l), want)
	empty := readAll(t, l)[0]
	if empty.Attributes != attrControl|attrTransactional || empty.FirstTimestamp != -1 || empty.MaxTimestamp != 7000 || empty.ProducerEpoch != 1 {
		t.Fatalf("emptied marker %+v", empty)
	}
}
