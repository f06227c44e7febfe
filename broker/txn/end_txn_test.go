package txn

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// openTxn initializes id and opens a transaction on two partitions.
func (h *harness) openTxn(t *testing.T, id string) (int64, int16) {
	t.Helper()
	pid, epoch := h.initProducer(t, id)
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 1, 0); code != 0 {
		t.Fatalf("add: %d", code)
	}
	return pid, epoch
}

func TestEndTxnCommit(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 2, 0)
	pid, epoch := h.openTxn(t, id)
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatalf("commit: %d", code)
	}
	h.waitState(t, id, stateCompleteCommit)

	recs := h.log.records(t, 2)
	prepare, complete := recs[len(recs)-2].value, recs[len(recs)-1].value
	if prepare.State != statePrepareCommit || len(prepare.Topics) != 1 || len(prepare.Topics[0].Partitions) != 2 {
		t.Fatalf("PrepareCommit written as %+v", prepare)
	}
	if complete.State != stateCompleteCommit || complete.Topics == nil || len(complete.Topics) != 0 ||
		complete.StartTimestamp != prepare.StartTimestamp || complete.ProducerEpoch != epoch {
		t.Fatalf("CompleteCommit written as %+v", complete)
	}
	want := Marker{TransactionalID: id, ProducerID: pid, ProducerEpoch: epoch, Commit: true, CoordinatorEpoch: testEpoch,
		Partitions: []TopicPartition{{"orders", 0}, {"orders", 1}}}
	if m := h.markers.written(); len(m) != 1 || !equalMarkers(m[0], want) {
		t.Fatalf("markers %+v, want %+v", m, want)
	}

	// A retried commit succeeds again; an abort of it cannot.
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Errorf("retried commit: %d", code)
	}
	if code := h.endTxn(3, id, pid, epoch, false); code != kerr.InvalidTxnState.Code {
		t.Errorf("abort after commit: %d, want INVALID_TXN_STATE", code)
	}
	if n := len(h.markers.written()); n != 1 {
		t.Errorf("%d marker writes", n)
	}
}

func equalMarkers(a, b Marker) bool {
	if a.TransactionalID != b.TransactionalID || a.ProducerID != b.ProducerID || a.ProducerEpoch != b.ProducerEpoch ||
		a.Commit != b.Commit || a.CoordinatorEpoch != b.CoordinatorEpoch || len(a.Partitions) != len(b.Partitions) {
		return false
	}
	for i := range a.Partitions {
		if a.Partitions[i] != b.Partitions[i] {
			return false
		}
	}
	return true
}

func TestEndTxnErrors(t *testing.T) {
	h := newTestHarness(t)
	id, idle, unknown := idIn(h.c, 0, 0), idIn(h.c, 0, 1), idIn(h.c, 0, 2)
	pid, epoch := h.openTxn(t, id)
	idlePID, idleEpoch := h.initProducer(t, idle)
	for _, c := range []struct {
		name     string
		version  int16
		id       string
		producer int64
		epoch    int16
		commit   bool
		want     *kerr.Error
	}{
		{"no transaction open", 3, idle, idlePID, idleEpoch, true, kerr.InvalidTxnState},
		{"unknown transactional id", 3, unknown, pid, epoch, true, kerr.InvalidProducerIDMapping},
		{"another producer id", 3, id, pid + 1, epoch, true, kerr.InvalidProducerIDMapping},
		{"an older epoch", 3, id, pid, epoch - 1, true, kerr.ProducerFenced},
		{"a newer epoch", 3, id, pid, epoch + 1, true, kerr.ProducerFenced},
		{"an older epoch, v1", 1, id, pid, epoch - 1, true, kerr.InvalidProducerEpoch},
		{"empty transactional id", 3, "", pid, epoch, true, kerr.InvalidRequest},
		{"another broker's id", 3, idIn(h.c, unownedPart, 0), pid, epoch, true, kerr.NotCoordinator},
	} {
		if code := h.endTxn(c.version, c.id, c.producer, c.epoch, c.commit); code != c.want.Code {
			t.Errorf("%s: error %d, want %s", c.name, code, c.want.Message)
		}
	}

	// While the commit's markers are written, the commit is retried and the
	// abort refused.
	release := h.markers.hold()
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatal(code)
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != kerr.ConcurrentTransactions.Code {
		t.Errorf("commit during PrepareCommit: %d, want CONCURRENT_TRANSACTIONS", code)
	}
	if code := h.endTxn(3, id, pid, epoch, false); code != kerr.ConcurrentTransactions.Code {
		t.Errorf("abort during PrepareCommit: %d, want CONCURRENT_TRANSACTIONS while the commit completes", code)
	}
	release()
	h.waitState(t, id, stateCompleteCommit)
}

// TestEndTxnStateMismatch checks the answers of an end that does not match the
// state when no write is pending.
func TestEndTxnStateMismatch(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)
	for _, c := range []struct {
		state  txnState
		commit bool
		want   *kerr.Error
	}{
		{statePrepareCommit, true, kerr.ConcurrentTransactions},
		{statePrepareCommit, false, kerr.InvalidTxnState},
		{statePrepareAbort, false, kerr.ConcurrentTransactions},
		{statePrepareAbort, true, kerr.InvalidTxnState},
		{stateCompleteAbort, false, nil},
		{stateCompleteAbort, true, kerr.InvalidTxnState},
		{stateEmpty, true, kerr.InvalidTxnState},
	} {
		h.c.mu.Lock()
		h.c.parts[0].txns[id].state = c.state
		h.c.mu.Unlock()
		if code := h.endTxn(3, id, pid, epoch, c.commit); code != codeOf(c.want) {
			t.Errorf("%s, commit %v: error %d, want %v", c.state, c.commit, code, c.want)
		}
	}
}

func TestEndTxnAbort(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)
	if code := h.endTxn(4, id, pid, epoch, false); code != 0 {
		t.Fatalf("abort: %d", code)
	}
	h.waitState(t, id, stateCompleteAbort)
	if m := h.markers.written(); len(m) != 1 || m[0].Commit || m[0].ProducerEpoch != epoch {
		t.Fatalf("markers %+v", m)
	}
	// The producer goes on with a new transaction under the same epoch.
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 7); code != 0 {
		t.Fatalf("next transaction: %d", code)
	}
	if s, _ := h.snapshot(id); s.state != stateOngoing || s.partitions != 1 {
		t.Fatalf("next transaction: %+v", s)
	}
}

func TestEndTxnWithoutPartitions(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	h.c.AddPartitionsToTxn(addReq(3, id, pid, epoch, "orders"), nil)
	if s, _ := h.snapshot(id); s.state != stateOngoing {
		t.Fatalf("an add of no partition left %+v", s)
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatal(code)
	}
	h.waitState(t, id, stateCompleteCommit)
	if m := h.markers.written(); len(m) != 0 {
		t.Fatalf("markers written for no partition: %+v", m)
	}
}

func TestMarkerAndCompletionRetries(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)
	// The markers fail once and are retried; then the Complete write fails and is
	// retried with its pending state kept.
	h.markers.mu.Lock()
	h.markers.failures = 1
	h.markers.mu.Unlock()
	release := h.markers.hold()
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatal(code)
	}
	h.log.SetAppendError(kerr.NotEnoughReplicas)
	release()
	h.advanceOnceWaiting(t, periodicTimers+1, markerRetryBackoff)
	eventually(t, "markers written twice", func() bool { return len(h.markers.written()) == 2 })
	eventually(t, "the Complete write waiting to retry", func() bool { return h.clk.pending() == periodicTimers+1 })
	if s, _ := h.snapshot(id); s.state != statePrepareCommit || s.pending != stateCompleteCommit {
		t.Fatalf("while the Complete write fails: %+v", s)
	}
	h.log.SetAppendError(nil)
	h.clk.Advance(markerRetryBackoff)
	h.waitState(t, id, stateCompleteCommit)
}

func TestResignStopsMarkers(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)
	h.markers.hold()
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatal(code)
	}
	eventually(t, "markers in flight", func() bool { return len(h.markers.written()) == 1 })
	n := h.log.BatchCount(0)
	h.c.Resign(0)
	h.c.bg.Wait()
	if h.log.BatchCount(0) != n {
		t.Fatal("the Complete record was written after the partition moved away")
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != kerr.NotCoordinator.Code {
		t.Fatalf("after Resign: %d, want NOT_COORDINATOR", code)
	}
}
