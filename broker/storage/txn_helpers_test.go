package storage

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// txn is a transactional batch of producer pid.
func txn(pid int64, epoch int16, seq int32, records int) batchSpec {
	s := idem(pid, epoch, seq, records)
	s.txn = true
	return s
}

func commitMarker(pid int64, epoch int16, coordinatorEpoch int32) TxnMarker {
	return TxnMarker{ProducerID: pid, ProducerEpoch: epoch, Commit: true, CoordinatorEpoch: coordinatorEpoch, Timestamp: 7000}
}

func abortMarker(pid int64, epoch int16, coordinatorEpoch int32) TxnMarker {
	return TxnMarker{ProducerID: pid, ProducerEpoch: epoch, CoordinatorEpoch: coordinatorEpoch, Timestamp: 7000}
}

func mustMarker(tb testing.TB, l *PartitionLog, m TxnMarker) AppendResult {
	tb.Helper()
	r, err := l.AppendTxnMarker(m, 0)
	if err != nil {
		tb.Fatalf("AppendTxnMarker(%+v): %v", m, err)
	}
	return r
}

// txnIndexBytes reads the transaction index file of the segment at base; nil when
// there is none.
func txnIndexBytes(tb testing.TB, dir string, base int64) []byte {
	tb.Helper()
	return txnIndexBytesAt(tb, segmentPath(dir, base, txnIndexSuffix))
}

func txnIndexBytesAt(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// abortedInIndex decodes a transaction index file's bytes.
func abortedInIndex(tb testing.TB, b []byte) []abortedTxnEntry {
	tb.Helper()
	if len(b)%abortedTxnSize != 0 {
		tb.Fatalf("transaction index of %d bytes", len(b))
	}
	var out []abortedTxnEntry
	for p := 0; p < len(b); p += abortedTxnSize {
		out = append(out, decodeAbortedTxn(b[p:]))
	}
	return out
}

// readCommittedAll reads the whole log below upTo as a read_committed consumer would,
// fetch by fetch of maxBytes, and returns the aborted transactions each fetch reported.
func readCommittedAll(tb testing.TB, l *PartitionLog, maxBytes int32, upTo int64) [][]AbortedTxn {
	tb.Helper()
	var out [][]AbortedTxn
	for off := l.LogStartOffset(); off < upTo; {
		data, aborted, err := l.ReadCommitted(nil, off, maxBytes, upTo)
		if err != nil {
			tb.Fatalf("ReadCommitted(%d): %v", off, err)
		}
		if len(data) == 0 {
			break
		}
		out = append(out, aborted)
		off = endOffsetOf(data)
	}
	return out
}
