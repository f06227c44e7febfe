package storage

import (
	"errors"
	"math"
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
	q, err := unmarshalProducerState(p.marshal())
	if err != nil {
		t.Fatal(err)
	}
	for id, e := range p.producers {
		if *q.producers[id] != *e {
			t.Fatalf("producer %d: %+v, want %+v", id, *q.producers[id], *e)
		}
	}
	b := p.marshal()
	b[len(b)-1] ^= 1
	if _, err := unmarshalProducerState(b); err == nil {
		t.Fatal("corrupt snapshot accepted")
	}
}
