package storage

import (
	"errors"
	"math"
	"os"
	"slices"
	"testing"
)

func idem(pid int64, epoch int16, seq int32, records int) batchSpec {
	return batchSpec{records: records, valueSize: 8, timestamp: 1, pid: pid, epoch: epoch, seq: seq}
}

func TestIdempotentProducer(t *testing.T) {
	type step struct {
		spec     batchSpec
		base     int64 // expected base offset (original one for a duplicate)
		dup      bool
		err      error
		crashNow bool // simulate kill -9 and reopen before this step
		closeNow bool // clean restart before this step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"in order", []step{
			{spec: idem(1, 0, 0, 2), base: 0},
			{spec: idem(1, 0, 2, 3), base: 2},
			{spec: idem(1, 0, 5, 1), base: 5},
		}},
		{"retry of the last batch", []step{
			{spec: idem(1, 0, 0, 2), base: 0},
			{spec: idem(1, 0, 0, 2), base: 0, dup: true},
			{spec: idem(1, 0, 2, 1), base: 2},
		}},
		{"retry of the fifth-newest batch; the sixth is forgotten", []step{
			{spec: idem(1, 0, 0, 1), base: 0},
			{spec: idem(1, 0, 1, 1), base: 1},
			{spec: idem(1, 0, 2, 1), base: 2},
			{spec: idem(1, 0, 3, 1), base: 3},
			{spec: idem(1, 0, 4, 1), base: 4},
			{spec: idem(1, 0, 5, 1), base: 5},
			{spec: idem(1, 0, 1, 1), base: 1, dup: true},
			{spec: idem(1, 0, 0, 1), err: ErrOutOfOrderSequence},
		}},
		{"gap", []step{
			{spec: idem(1, 0, 0, 2), base: 0},
			{spec: idem(1, 0, 3, 1), err: ErrOutOfOrderSequence},
		}},
		{"fenced epoch", []step{
			{spec: idem(1, 3, 0, 1), base: 0},
			{spec: idem(1, 2, 1, 1), err: ErrInvalidProducerEpoch},
		}},
		{"new epoch restarts at zero", []step{
			{spec: idem(1, 0, 0, 4), base: 0},
			{spec: idem(1, 1, 4, 1), err: ErrOutOfOrderSequence},
			{spec: idem(1, 1, 0, 1), base: 4},
			{spec: idem(1, 1, 0, 1), base: 4, dup: true},
		}},
		{"unknown producer is accepted at any sequence (KIP-360)", []step{
			{spec: idem(9, 0, 1234, 2), base: 0},
			{spec: idem(9, 0, 1236, 1), base: 2},
		}},
		{"sequence wraps at MaxInt32", []step{
			{spec: idem(1, 0, math.MaxInt32-1, 2), base: 0},
			{spec: idem(1, 0, 0, 1), base: 2},
		}},
		{"producers are independent", []step{
			{spec: idem(1, 0, 0, 1), base: 0},
			{spec: idem(2, 0, 0, 1), base: 1},
			{spec: idem(1, 0, 0, 1), base: 0, dup: true},
			{spec: idem(2, 0, 1, 1), base: 2},
		}},
		{"duplicate detected after a clean restart", []step{
			{spec: idem(1, 0, 0, 1), base: 0},
			{spec: idem(1, 0, 1, 1), base: 1},
			{spec: idem(1, 0, 0, 1), base: 0, dup: true, closeNow: true},
			{spec: idem(1, 0, 2, 1), base: 2},
		}},
		{"duplicate detected after a crash (no snapshot: replayed from the log)", []step{
			{spec: idem(1, 0, 0, 1), base: 0},
			{spec: idem(1, 0, 1, 1), base: 1},
			{spec: idem(1, 0, 1, 1), base: 1, dup: true, crashNow: true},
			{spec: idem(1, 0, 3, 1), err: ErrOutOfOrderSequence},
			{spec: idem(1, 0, 2, 1), base: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, testConfig())
			defer func() { l.Close() }()
			for i, s := range tt.steps {
				if s.crashNow {
					crash(l)
					l = openLog(t, dir, testConfig())
				}
				if s.closeNow {
					if err := l.Close(); err != nil {
						t.Fatal(err)
					}
					l = openLog(t, dir, testConfig())
				}
				leo := l.LogEndOffset()
				r, err := l.Append(makeBatch(t, s.spec), 0)
				if s.err != nil {
					if !errors.Is(err, s.err) {
						t.Fatalf("step %d: err %v, want %v", i, err, s.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if r.BaseOffset != s.base || r.Duplicate != s.dup {
					t.Fatalf("step %d: %+v, want base %d duplicate %v", i, r, s.base, s.dup)
				}
				if s.dup && l.LogEndOffset() != leo {
					t.Fatalf("step %d: duplicate was appended", i)
				}
			}
		})
	}
}

func TestProducerSnapshotRoundTrip(t *testing.T) {
	p := newProducerState()
	for i := range 7 {
		h := batchHeader{baseOffset: int64(i * 2), producerID: 5, producerEpoch: 2, baseSequence: int32(i * 2), lastOffsetDelta: 1, maxTimestamp: 40}
		p.applyData(&h)
	}
	h := batchHeader{baseOffset: 100, producerID: 6, producerEpoch: 0, baseSequence: 0, attributes: attrTransactional, maxTimestamp: 50}
	p.applyData(&h)
	h = batchHeader{baseOffset: 101, producerID: 5, producerEpoch: 2, attributes: attrControl | attrTransactional}
	p.applyMarker(&h, txnMarkerRecord{coordinatorEpoch: 9, timestamp: 60})
	q, err := unmarshalProducerState(p.marshal())
	if err != nil {
		t.Fatal(err)
	}
	if len(q.producers) != 2 {
		t.Fatalf("%d producers", len(q.producers))
	}
	for id, e := range p.producers {
		if *q.producers[id] != *e {
			t.Fatalf("producer %d: %+v, want %+v", id, *q.producers[id], *e)
		}
	}
	if want := []txnRange{{producerID: 6, firstOffset: 100, lastOffset: -1}}; !slices.Equal(q.txns.ongoing, want) {
		t.Fatalf("open transactions %+v, want %+v", q.txns.ongoing, want)
	}
	b := p.marshal()
	b[len(b)-1] ^= 1
	if _, err := unmarshalProducerState(b); err == nil {
		t.Fatal("corrupt snapshot accepted")
	}
}

// A version 1 snapshot, written before transactions, still loads: its producers have
// no open transaction, coordinator epoch or timestamp.
func TestProducerSnapshotVersion1(t *testing.T) {
	b := []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1} // version 1, crc (below), one producer
	b = be.AppendUint64(b, 7)                 // producer id
	b = be.AppendUint16(b, 3)                 // epoch
	b = append(b, 2)                          // two batches
	for _, m := range []batchMetadata{{0, 1, 10, 11}, {2, 2, 12, 12}} {
		b = be.AppendUint32(b, uint32(m.firstSeq))
		b = be.AppendUint32(b, uint32(m.lastSeq))
		b = be.AppendUint64(b, uint64(m.baseOffset))
		b = be.AppendUint64(b, uint64(m.lastOffset))
	}
	be.PutUint32(b[2:], crc32c(b[6:]))
	dir := t.TempDir()
	l := openLog(t, dir, testConfig())
	for range 13 {
		mustAppend(t, l, plain(1, 1), 0)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := deleteAllSnapshots(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(segmentPath(dir, 13, snapshotSuffix), b, 0o644); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, testConfig())
	defer l.Close()
	want := []ProducerInfo{{ProducerID: 7, ProducerEpoch: 3, LastSequence: 2, LastTimestamp: -1, CoordinatorEpoch: -1, CurrentTxnStartOffset: -1}}
	sameInOrder(t, l.Producers(), want)
	if r, err := l.Append(makeBatch(t, idem(7, 3, 0, 2)), 0); err != nil || !r.Duplicate || r.BaseOffset != 10 {
		t.Fatalf("retry of a batch the version 1 snapshot holds: %+v, %v", r, err)
	}
	if r := mustAppend(t, l, idem(7, 3, 3, 1), 0); r.BaseOffset != 13 {
		t.Fatalf("next batch at %d", r.BaseOffset)
	}
}
