package storage

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestTxnCommitAbortAndLastStableOffset(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	lso := func(step string, hw, want int64) {
		t.Helper()
		if got := l.LastStableOffset(hw); got != want {
			t.Fatalf("%s: LastStableOffset(%d) = %d, want %d", step, hw, got, want)
		}
	}
	lso("empty log", 0, 0)

	mustAppend(t, l, txn(1, 0, 0, 2), 0) // 0-1
	lso("open transaction pins the LSO at its first offset", 2, 0)
	mustAppend(t, l, plain(1, 10), 0)    // 2
	mustAppend(t, l, txn(2, 0, 0, 1), 0) // 3
	mustAppend(t, l, txn(1, 0, 2, 1), 0) // 4
	lso("two open transactions: the earlier one", 5, 0)
	lso("hw below the open transaction", 0, 0)

	if r := mustMarker(t, l, commitMarker(1, 0, 5)); r.BaseOffset != 5 || r.LastOffset != 5 {
		t.Fatalf("commit marker at %+v, want offset 5", r)
	}
	lso("committed, marker not below hw", 5, 0)
	lso("committed, marker below hw: the other open transaction", 6, 3)

	mustMarker(t, l, abortMarker(2, 0, 5)) // 6
	lso("aborted, marker not below hw", 6, 3)
	lso("no transaction left: hw", 7, 7)
	lso("hw below the LEO", 4, 4)

	// Only the abort is indexed; at its marker nothing else was open, so the LSO after
	// it is the offset after the marker.
	want := []abortedTxnEntry{{producerID: 2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7}}
	if got := abortedInIndex(t, txnIndexBytes(t, dir, 0)); !slices.Equal(got, want) {
		t.Fatalf("transaction index %+v, want %+v", got, want)
	}
	got := l.Producers()
	wantProducers := []ProducerInfo{
		{ProducerID: 1, ProducerEpoch: 0, LastSequence: 2, LastTimestamp: 7000, CoordinatorEpoch: 5, CurrentTxnStartOffset: -1},
		{ProducerID: 2, ProducerEpoch: 0, LastSequence: 0, LastTimestamp: 7000, CoordinatorEpoch: 5, CurrentTxnStartOffset: -1},
	}
	sameInOrder(t, got, wantProducers)
}

// The transaction index entry is Kafka's AbortedTxn byte for byte, and its LSO is the
// first offset of a transaction another producer still has open.
func TestTxnIndexBytes(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	mustAppend(t, l, txn(0x0102030405060708, 0, 0, 2), 0)   // 0-1
	mustAppend(t, l, txn(9, 0, 0, 1), 0)                    // 2
	mustMarker(t, l, abortMarker(0x0102030405060708, 0, 0)) // 3
	want := []byte{
		0, 0, // version
		1, 2, 3, 4, 5, 6, 7, 8, // producer id
		0, 0, 0, 0, 0, 0, 0, 0, // first offset
		0, 0, 0, 0, 0, 0, 0, 3, // last offset: the abort marker
		0, 0, 0, 0, 0, 0, 0, 2, // last stable offset: producer 9's open transaction
	}
	if got := txnIndexBytes(t, dir, 0); !bytes.Equal(got, want) {
		t.Fatalf("transaction index\n got %x\nwant %x", got, want)
	}
	if got := l.LastStableOffset(4); got != 2 {
		t.Fatalf("LastStableOffset(4) = %d, want 2", got)
	}
}

// The marker batch is what Kafka's MemoryRecords.withEndTransactionMarker writes.
func TestTxnMarkerBatch(t *testing.T) {
	for _, commit := range []bool{false, true} {
		m := TxnMarker{ProducerID: 42, ProducerEpoch: 3, Commit: commit, CoordinatorEpoch: 17, Timestamp: 1234}
		b := encodeTxnMarker(m)
		bs := decodeBatches(t, b)
		if len(bs) != 1 {
			t.Fatalf("%d batches", len(bs))
		}
		rb := bs[0]
		if rb.Attributes != attrControl|attrTransactional || rb.ProducerID != 42 || rb.ProducerEpoch != 3 ||
			rb.FirstSequence != -1 || rb.NumRecords != 1 || rb.LastOffsetDelta != 0 ||
			rb.FirstTimestamp != 1234 || rb.MaxTimestamp != 1234 || len(b) != 78 {
			t.Fatalf("marker batch %+v of %d bytes", rb, len(b))
		}
		recs := recordsOf(t, rb)
		controlType := byte(0)
		if commit {
			controlType = 1
		}
		if len(recs) != 1 || !bytes.Equal(recs[0].Key, []byte{0, 0, 0, controlType}) ||
			!bytes.Equal(recs[0].Value, []byte{0, 0, 0, 0, 0, 17}) || recs[0].TimestampDelta64 != 0 {
			t.Fatalf("marker record %+v", recs)
		}
		h := parseHeader(b)
		if got, ok := parseTxnMarker(b, &h); !ok || got != (txnMarkerRecord{commit: commit, coordinatorEpoch: 17, timestamp: 1234}) {
			t.Fatalf("parseTxnMarker = %+v, %v", got, ok)
		}
	}
}

func TestTxnInterleavedProducers(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	mustAppend(t, l, txn(1, 0, 0, 1), 0)    // 0
	mustAppend(t, l, txn(2, 0, 0, 1), 0)    // 1
	mustAppend(t, l, txn(3, 0, 0, 1), 0)    // 2
	mustAppend(t, l, txn(1, 0, 1, 1), 0)    // 3
	mustMarker(t, l, abortMarker(1, 0, 0))  // 4: LSO after it is producer 2's start
	mustAppend(t, l, txn(2, 0, 1, 1), 0)    // 5
	mustMarker(t, l, commitMarker(3, 0, 0)) // 6
	mustMarker(t, l, abortMarker(2, 0, 0))  // 7: nothing else open
	want := []abortedTxnEntry{
		{producerID: 1, firstOffset: 0, lastOffset: 4, lastStableOffset: 1},
		{producerID: 2, firstOffset: 1, lastOffset: 7, lastStableOffset: 8},
	}
	if got := abortedInIndex(t, txnIndexBytes(t, dir, 0)); !slices.Equal(got, want) {
		t.Fatalf("transaction index %+v, want %+v", got, want)
	}
	for _, c := range []struct{ hw, want int64 }{{4, 0}, {5, 1}, {7, 1}, {8, 8}} {
		if got := l.LastStableOffset(c.hw); got != c.want {
			t.Fatalf("LastStableOffset(%d) = %d, want %d", c.hw, got, c.want)
		}
	}
	data, aborted, err := l.ReadCommitted(nil, 0, 1<<20, 8)
	if err != nil || endOffsetOf(data) != 8 {
		t.Fatalf("ReadCommitted: %d, %v", endOffsetOf(data), err)
	}
	sameInOrder(t, aborted, []AbortedTxn{{ProducerID: 1, FirstOffset: 0}, {ProducerID: 2, FirstOffset: 1}})
}

func TestReadCommittedAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	mustAppend(t, l, txn(1, 0, 0, 2), 0)    // 0-1
	mustAppend(t, l, plain(1, 5), 0)        // 2
	roll(t, l)                              // segment 3
	mustAppend(t, l, txn(2, 0, 0, 1), 0)    // 3
	mustMarker(t, l, abortMarker(1, 0, 0))  // 4, LSO 3
	roll(t, l)                              // segment 5
	mustAppend(t, l, plain(1, 5), 0)        // 5
	mustMarker(t, l, abortMarker(2, 0, 0))  // 6, LSO 7
	mustAppend(t, l, txn(3, 0, 0, 1), 0)    // 7
	mustMarker(t, l, commitMarker(3, 0, 0)) // 8
	mustAppend(t, l, txn(4, 0, 0, 1), 0)    // 9
	mustMarker(t, l, abortMarker(4, 0, 0))  // 10, LSO 11
	if b := txnIndexBytes(t, dir, 0); b != nil {
		t.Fatalf("segment 0 holds no marker but has a transaction index of %d bytes", len(b))
	}
	p1 := AbortedTxn{ProducerID: 1, FirstOffset: 0}
	p2 := AbortedTxn{ProducerID: 2, FirstOffset: 3}
	p4 := AbortedTxn{ProducerID: 4, FirstOffset: 9}
	tests := []struct {
		name     string
		offset   int64
		maxBytes int32
		upTo     int64
		want     []AbortedTxn
	}{
		{"first batch only: its abort is indexed in the next segment", 0, 1, 11, []AbortedTxn{p1}},
		{"plain batch after the aborted data, before the marker", 2, 1, 11, []AbortedTxn{p1}},
		{"whole first segment", 0, 1 << 20, 11, []AbortedTxn{p1}},
		{"second segment: two aborts overlap it", 3, 1 << 20, 11, []AbortedTxn{p1, p2}},
		{"last segment", 5, 1 << 20, 11, []AbortedTxn{p2, p4}},
		{"last segment up to the commit: the later abort does not overlap", 5, 1 << 20, 9, []AbortedTxn{p2}},
		{"after every abort's data", 7, 1 << 20, 9, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, aborted, err := l.ReadCommitted(nil, tt.offset, tt.maxBytes, tt.upTo)
			if err != nil || len(data) == 0 {
				t.Fatalf("ReadCommitted: %d bytes, %v", len(data), err)
			}
			sameInOrder(t, aborted, tt.want)
		})
	}
	if data, aborted, err := l.ReadCommitted(nil, 11, 1<<20, 11); data != nil || aborted != nil || err != nil {
		t.Fatalf("ReadCommitted at the end: %d bytes, %v, %v", len(data), aborted, err)
	}
	if _, _, err := l.ReadCommitted(nil, 12, 1<<20, 11); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("ReadCommitted past the end: %v", err)
	}
}

// The search for aborts stops at the first entry whose LSO shows that no later abort
// can overlap the fetched range, as Kafka's does.
func TestReadCommittedStopsAtStableEntry(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	mustAppend(t, l, plain(1, 5), 0)       // 0
	mustAppend(t, l, txn(1, 0, 0, 1), 0)   // 1
	mustMarker(t, l, abortMarker(1, 0, 0)) // 2, LSO 3
	// A forged entry after the stable one, overlapping everything: never reported.
	l.mu.Lock()
	l.active().txns.add(abortedTxnEntry{producerID: 9, firstOffset: 0, lastOffset: 2, lastStableOffset: 3})
	l.mu.Unlock()
	_, aborted, err := l.ReadCommitted(nil, 0, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	sameInOrder(t, aborted, nil)
	_, aborted, err = l.ReadCommitted(nil, 0, 1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	sameInOrder(t, aborted, []AbortedTxn{{ProducerID: 1, FirstOffset: 1}})
}
