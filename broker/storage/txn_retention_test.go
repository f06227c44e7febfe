package storage

import (
	"testing"
)

// Deleting segments moves the log start past transactions: completed ones stop
// mattering, open ones stay open with the LSO held at the log start, and the deleted
// segments' transaction indexes go with them.
func TestTxnStateUnderRetention(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	defer l.Close()
	mustAppend(t, l, txn(1, 0, 0, 1), 0)   // 0: stays open
	mustAppend(t, l, txn(2, 0, 0, 1), 0)   // 1
	mustMarker(t, l, abortMarker(2, 0, 0)) // 2
	roll(t, l)                             // segment 3
	mustAppend(t, l, plain(1, 5), 0)       // 3
	if txnIndexBytes(t, dir, 0) == nil {
		t.Fatal("the abort was not indexed")
	}

	if start, err := l.DeleteRecordsBefore(3); err != nil || start != 3 {
		t.Fatalf("DeleteRecordsBefore(3) = %d, %v", start, err)
	}
	if b := txnIndexBytes(t, dir, 0); b != nil {
		t.Fatalf("the deleted segment's transaction index is still there: %x", b)
	}
	l.mu.RLock()
	unreplicated := len(l.producers.txns.unreplicated)
	l.mu.RUnlock()
	if unreplicated != 0 {
		t.Fatalf("%d completed transactions below the log start still tracked", unreplicated)
	}
	if got := l.LastStableOffset(4); got != 3 {
		t.Fatalf("LastStableOffset(4) = %d, want the log start 3", got)
	}
	if ps := l.Producers(); len(ps) != 2 || ps[0].CurrentTxnStartOffset != 0 {
		t.Fatalf("producers after the deletion: %+v", ps)
	}

	mustMarker(t, l, abortMarker(1, 0, 0)) // 4
	if got := l.LastStableOffset(5); got != 5 {
		t.Fatalf("LastStableOffset(5) = %d after the abort", got)
	}
	_, aborted, err := l.ReadCommitted(nil, 3, 1<<20, 5)
	if err != nil {
		t.Fatal(err)
	}
	sameInOrder(t, aborted, []AbortedTxn{{ProducerID: 1, FirstOffset: 0}})
}
