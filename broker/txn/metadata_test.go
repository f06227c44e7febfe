package txn

import (
	"errors"
	"math"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestValidPrevious(t *testing.T) {
	all := []txnState{stateEmpty, stateOngoing, statePrepareCommit, statePrepareAbort, stateCompleteCommit, stateCompleteAbort, stateDead, statePrepareEpochFence}
	// TransactionMetadata.scala's validPreviousStates.
	want := map[txnState][]txnState{
		stateEmpty:             {stateEmpty, stateCompleteCommit, stateCompleteAbort},
		stateOngoing:           {stateOngoing, stateEmpty, stateCompleteCommit, stateCompleteAbort},
		statePrepareCommit:     {stateOngoing},
		statePrepareAbort:      {stateOngoing, statePrepareEpochFence},
		stateCompleteCommit:    {statePrepareCommit},
		stateCompleteAbort:     {statePrepareAbort},
		stateDead:              {stateEmpty, stateCompleteCommit, stateCompleteAbort},
		statePrepareEpochFence: {stateOngoing},
	}
	for _, to := range all {
		for _, from := range all {
			ok := false
			for _, w := range want[to] {
				ok = ok || w == from
			}
			if got := validPrevious(to, from); got != ok {
				t.Errorf("%s -> %s: valid %v, want %v", from, to, got, ok)
			}
		}
	}
	for _, s := range all {
		if got, ok := stateNamed(s.String()); !ok || got != s {
			t.Errorf("stateNamed(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if _, ok := stateNamed("ongoing"); ok {
		t.Error("state names are matched exactly, as Kafka's fromName")
	}
}

func testMetadata(state txnState) *txnMetadata {
	m := newTxnMetadata("id", 100, 1000, 50)
	m.producerEpoch, m.lastProducerEpoch, m.state = 4, 3, state
	if state != stateEmpty {
		m.startMs = 40
		m.partitions = partitionSet{{"t", 0}: {}}
	}
	return m
}

func TestPrepareTransitionRefusals(t *testing.T) {
	m := testMetadata(stateEmpty)
	if _, err := m.prepareAbortOrCommit(statePrepareCommit, 60); !errors.Is(err, errIllegalTransition) {
		t.Errorf("Empty to PrepareCommit: %v", err)
	}
	if _, err := m.prepareAddPartitions(partitionSet{{"t", 1}: {}}, 60); err != nil {
		t.Fatal(err)
	}
	if _, err := m.prepareIncrementEpoch(1000, nil, 60); !errors.Is(err, errIllegalTransition) {
		t.Errorf("a second transition while one is pending: %v", err)
	}
	m = testMetadata(stateOngoing)
	m.producerEpoch = math.MaxInt16
	if _, err := m.prepareFenceEpoch(); !errors.Is(err, errIllegalTransition) {
		t.Errorf("fencing epoch %d: %v", m.producerEpoch, err)
	}
}

func TestPrepareIncrementEpoch(t *testing.T) {
	epoch := func(e int16) *int16 { return &e }
	for _, c := range []struct {
		name           string
		current, last  int16
		expected       *int16
		epoch, newLast int16
		wantErr        *kerr.Error
	}{
		{"new producer", 4, 3, nil, 5, -1, nil},
		{"new metadata", -1, -1, epoch(7), 0, -1, nil},
		{"current producer resumes", 4, 3, epoch(4), 5, 4, nil},
		{"retry of the last bump", 4, 3, epoch(3), 4, 3, nil},
		{"old producer", 4, 3, epoch(2), 0, 0, kerr.ProducerFenced},
	} {
		m := testMetadata(stateCompleteAbort)
		m.producerEpoch, m.lastProducerEpoch = c.current, c.last
		tr, err := m.prepareIncrementEpoch(2000, c.expected, 60)
		if c.wantErr != nil {
			if err != c.wantErr {
				t.Errorf("%s: err %v, want %v", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || tr.producerEpoch != c.epoch || tr.lastProducerEpoch != c.newLast || tr.timeoutMs != 2000 ||
			tr.state != stateEmpty || tr.startMs != -1 || len(tr.partitions) != 0 {
			t.Errorf("%s: %+v, %v; want epoch %d last %d", c.name, tr, err, c.epoch, c.newLast)
		}
	}
}

func TestCompleteTransitionChecks(t *testing.T) {
	for _, c := range []struct {
		name  string
		state txnState
		// prepare makes a valid transition; spoil then breaks it.
		prepare func(m *txnMetadata) (transit, error)
		spoil   func(tr *transit)
	}{
		{"Empty with a skipped epoch", stateCompleteCommit,
			func(m *txnMetadata) (transit, error) { return m.prepareIncrementEpoch(1000, nil, 60) },
			func(tr *transit) { tr.producerEpoch += 2 }},
		{"Empty with partitions", stateEmpty,
			func(m *txnMetadata) (transit, error) { return m.prepareIncrementEpoch(1000, nil, 60) },
			func(tr *transit) { tr.partitions = partitionSet{{"t", 0}: {}} }},
		{"Ongoing dropping a partition", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareAddPartitions(partitionSet{}, 60) },
			func(tr *transit) { tr.partitions = partitionSet{{"u", 0}: {}} }},
		{"Ongoing with a new timeout", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareAddPartitions(partitionSet{}, 60) },
			func(tr *transit) { tr.timeoutMs++ }},
		{"PrepareCommit of other partitions", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareAbortOrCommit(statePrepareCommit, 60) },
			func(tr *transit) { tr.partitions = partitionSet{{"t", 0}: {}, {"t", 1}: {}} }},
		{"PrepareAbort of another producer", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareAbortOrCommit(statePrepareAbort, 60) },
			func(tr *transit) { tr.producerID++ }},
		{"CompleteAbort never started", statePrepareAbort,
			func(m *txnMetadata) (transit, error) { return m.prepareComplete(60) },
			func(tr *transit) { tr.startMs = -1 }},
		{"another state than the pending one", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareAbortOrCommit(statePrepareAbort, 60) },
			func(tr *transit) { tr.state = statePrepareCommit }},
		{"a fence", stateOngoing,
			func(m *txnMetadata) (transit, error) { return m.prepareFenceEpoch() },
			func(*transit) {}},
	} {
		m := testMetadata(c.state)
		before := *m
		tr, err := c.prepare(m)
		if err != nil {
			t.Fatalf("%s: prepare: %v", c.name, err)
		}
		c.spoil(&tr)
		if err := m.completeTransition(tr); !errors.Is(err, errIllegalTransition) {
			t.Errorf("%s: completed (%v)", c.name, err)
		}
		if m.pending != noState || m.state != before.state || m.producerEpoch != before.producerEpoch || len(m.partitions) != len(before.partitions) {
			t.Errorf("%s: metadata changed to %+v", c.name, m)
		}
	}
}

func TestCompleteTransitionApplies(t *testing.T) {
	m := testMetadata(stateCompleteCommit)
	tr, err := m.prepareProducerIDRotation(200, 3000, 60, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.completeTransition(tr); err != nil {
		t.Fatal(err)
	}
	if m.producerID != 200 || m.lastProducerID != 100 || m.producerEpoch != 0 || m.lastProducerEpoch != 4 ||
		m.timeoutMs != 3000 || m.state != stateEmpty || m.lastUpdateMs != 60 {
		t.Fatalf("after rotation: %+v", m)
	}
	tr, _ = m.prepareAddPartitions(partitionSet{{"t", 0}: {}}, 70)
	if err := m.completeTransition(tr); err != nil || m.startMs != 70 || len(m.partitions) != 1 {
		t.Fatalf("after add: %+v, %v", m, err)
	}
	tr, _ = m.prepareAddPartitions(partitionSet{{"t", 1}: {}}, 80)
	if err := m.completeTransition(tr); err != nil || m.startMs != 70 || len(m.partitions) != 2 || m.lastUpdateMs != 80 {
		t.Fatalf("after a second add the start stays: %+v, %v", m, err)
	}
	tr, _ = m.prepareAbortOrCommit(statePrepareCommit, 90)
	if err := m.completeTransition(tr); err != nil || len(m.partitions) != 2 {
		t.Fatalf("after PrepareCommit: %+v, %v", m, err)
	}
	tr, _ = m.prepareComplete(100)
	if err := m.completeTransition(tr); err != nil || m.state != stateCompleteCommit || len(m.partitions) != 0 || m.startMs != 70 {
		t.Fatalf("after CompleteCommit: %+v, %v", m, err)
	}
}
