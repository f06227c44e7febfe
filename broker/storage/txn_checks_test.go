package storage

import (
	"errors"
	"testing"
)

func TestTxnAppendChecks(t *testing.T) {
	type step struct {
		spec   batchSpec  // a data batch, unless marker is set
		marker *TxnMarker // a transaction marker
		origin AppendOrigin
		err    error
	}
	data := func(s batchSpec) step { return step{spec: s} }
	marker := func(m TxnMarker) step { return step{marker: &m} }
	tests := []struct {
		name  string
		steps []step
	}{
		{"stale epoch on a transactional batch", []step{
			data(txn(1, 2, 0, 1)),
			{spec: txn(1, 1, 1, 1), err: ErrInvalidProducerEpoch},
		}},
		{"stale epoch on a marker", []step{
			data(txn(1, 2, 0, 1)),
			{marker: &TxnMarker{ProducerID: 1, ProducerEpoch: 1, CoordinatorEpoch: 0}, err: ErrInvalidProducerEpoch},
			marker(abortMarker(1, 2, 0)),
		}},
		{"marker from an older coordinator epoch", []step{
			data(txn(1, 0, 0, 1)),
			marker(commitMarker(1, 0, 5)),
			data(txn(1, 0, 1, 1)),
			{marker: &TxnMarker{ProducerID: 1, ProducerEpoch: 0, CoordinatorEpoch: 4}, err: ErrTransactionCoordinatorFenced},
			marker(abortMarker(1, 0, 5)),
			marker(abortMarker(1, 0, 6)),
		}},
		{"a marker bumping the epoch takes any coordinator epoch at or above the last", []step{
			data(txn(1, 0, 0, 1)),
			marker(abortMarker(1, 1, 0)),
			data(txn(1, 1, 0, 1)),
		}},
		{"non-transactional batch inside a transaction", []step{
			data(txn(1, 0, 0, 1)),
			{spec: idem(1, 0, 1, 1), err: ErrInvalidTxnState},
			{spec: idem(1, 1, 0, 1), err: ErrInvalidTxnState},
			marker(commitMarker(1, 0, 0)),
			data(idem(1, 0, 1, 1)),
		}},
		{"marker for a producer the log does not know is written", []step{
			marker(commitMarker(1, 0, 3)),
			{marker: &TxnMarker{ProducerID: 1, ProducerEpoch: 0, CoordinatorEpoch: 2}, err: ErrTransactionCoordinatorFenced},
			data(txn(1, 0, 0, 1)),
		}},
		{"a producer's new epoch restarts at sequence zero, also after its marker", []step{
			data(txn(1, 0, 0, 3)),
			marker(abortMarker(1, 1, 0)),
			{spec: txn(1, 1, 3, 1), err: ErrOutOfOrderSequence},
			data(txn(1, 1, 0, 1)),
		}},
		{"transaction across the sequence check", []step{
			data(txn(1, 0, 0, 2)),
			{spec: txn(1, 0, 3, 1), err: ErrOutOfOrderSequence},
			data(txn(1, 0, 2, 1)),
		}},
		{"coordinator writes carry no sequence", []step{
			{spec: txn(1, 0, -1, 1), origin: OriginCoordinator},
			{spec: txn(1, 0, -1, 1), origin: OriginCoordinator},
			{spec: txn(1, 0, -1, 2), origin: OriginCoordinator},
			{spec: txn(1, -1, -1, 1), origin: OriginCoordinator, err: ErrInvalidProducerEpoch},
			marker(commitMarker(1, 0, 0)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLog(t, t.TempDir(), testConfig())
			defer l.Close()
			for i, s := range tt.steps {
				leo := l.LogEndOffset()
				var r AppendResult
				var err error
				if s.marker != nil {
					r, err = l.AppendTxnMarker(*s.marker, 0)
				} else {
					r, err = l.AppendWith(makeBatch(t, s.spec), 0, AppendOptions{Origin: s.origin})
				}
				if s.err != nil {
					if !errors.Is(err, s.err) || l.LogEndOffset() != leo {
						t.Fatalf("step %d: err %v, LEO %d -> %d; want %v and nothing written", i, err, leo, l.LogEndOffset(), s.err)
					}
					continue
				}
				if err != nil || r.Duplicate || r.BaseOffset != leo {
					t.Fatalf("step %d: %+v, %v; want an append at %d", i, r, err, leo)
				}
			}
		})
	}
}

func TestAppendRefusesControlBatches(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	for _, origin := range []AppendOrigin{OriginClient, OriginCoordinator} {
		if _, err := l.AppendWith(encodeTxnMarker(commitMarker(1, 0, 0)), 0, AppendOptions{Origin: origin}); !errors.Is(err, ErrInvalidRecord) {
			t.Fatalf("origin %d: control batch: %v", origin, err)
		}
	}
	if _, err := l.AppendTxnMarker(commitMarker(-1, 0, 0), 0); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("marker without a producer: %v", err)
	}
	if l.LogEndOffset() != 0 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
}

func TestTxnVerificationGuard(t *testing.T) {
	l := openLog(t, t.TempDir(), testConfig())
	defer l.Close()
	appendTxn := func(s batchSpec, guard uint64) error {
		_, err := l.AppendWith(makeBatch(t, s), 0, AppendOptions{VerificationGuard: guard})
		return err
	}

	g1, needed := l.BeginTxnVerification(1, 0)
	if !needed || g1 == 0 {
		t.Fatalf("first verification: guard %d, needed %v", g1, needed)
	}
	if again, needed := l.BeginTxnVerification(1, 0); again != g1 || !needed {
		t.Fatalf("retry while verifying: guard %d (first %d), needed %v", again, g1, needed)
	}
	if g2, _ := l.BeginTxnVerification(2, 0); g2 == g1 {
		t.Fatal("two producers share a guard")
	}
	if err := appendTxn(txn(1, 0, 0, 1), g1+1000); !errors.Is(err, ErrInvalidTxnState) {
		t.Fatalf("guard that is not the producer's: %v", err)
	}
	if err := appendTxn(txn(1, 0, 0, 1), g1); err != nil {
		t.Fatalf("verified first write: %v", err)
	}
	if g, needed := l.BeginTxnVerification(1, 0); needed || g != 0 {
		t.Fatalf("with the transaction open: guard %d, needed %v", g, needed)
	}
	if err := appendTxn(txn(1, 0, 1, 1), g1); err != nil {
		t.Fatalf("later write of the open transaction: %v", err)
	}

	// A verification answered before an abort must not open a hanging transaction
	// after it (the ABA case of KIP-890).
	mustMarker(t, l, abortMarker(1, 0, 0))
	g3, needed := l.BeginTxnVerification(1, 0)
	if !needed || g3 == g1 {
		t.Fatalf("after the abort: guard %d (old %d), needed %v", g3, g1, needed)
	}
	mustMarker(t, l, abortMarker(1, 1, 0)) // the coordinator aborts again, bumping the epoch
	if err := appendTxn(txn(1, 1, 0, 1), g3); !errors.Is(err, ErrInvalidTxnState) {
		t.Fatalf("guard cleared by a marker: %v", err)
	}
	g4, _ := l.BeginTxnVerification(1, 1)
	if err := appendTxn(txn(1, 1, 0, 1), g4); err != nil {
		t.Fatalf("fresh guard: %v", err)
	}
	if err := appendTxn(txn(3, 0, 0, 1), 0); err != nil {
		t.Fatalf("verification off: %v", err)
	}

	// A newer epoch from the producer makes a pending guard stale too.
	g5, _ := l.BeginTxnVerification(4, 0)
	mustAppend(t, l, idem(4, 1, 0, 1), 0)
	if err := appendTxn(txn(4, 1, 1, 1), g5); !errors.Is(err, ErrInvalidTxnState) {
		t.Fatalf("guard from an older epoch: %v", err)
	}
}
