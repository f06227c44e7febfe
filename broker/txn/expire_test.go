package txn

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestTimedOutTransactionAborted(t *testing.T) {
	h := newTestHarness(t)
	id, quick := idIn(h.c, 0, 0), idIn(h.c, 1, 0)
	pid, epoch := h.openTxn(t, id)
	qpid, qepoch := h.openTxn(t, quick)

	// Within its timeout the transaction stays open, whatever the checks find.
	h.clk.Advance(testTimeoutMs*time.Millisecond - time.Millisecond)
	if code := h.endTxn(3, quick, qpid, qepoch, true); code != 0 {
		t.Fatalf("commit within the timeout: %d", code)
	}
	h.c.bg.Wait()
	if s, _ := h.snapshot(id); s.state != stateOngoing || s.epoch != epoch {
		t.Fatalf("within the timeout: %+v", s)
	}

	// The check at 60 s finds it at its timeout exactly, the one at 70 s past it.
	h.clk.Advance(2 * defaultAbortTimedOutInterval)
	s := h.waitState(t, id, stateCompleteAbort)
	if s.epoch != epoch+1 || s.producerID != pid {
		t.Fatalf("aborted as %+v, want epoch %d", s, epoch+1)
	}
	var abort *Marker
	for _, m := range h.markers.written() {
		if m.TransactionalID == id {
			abort = &m
		}
	}
	if abort == nil || abort.Commit || abort.ProducerEpoch != epoch+1 {
		t.Fatalf("abort markers %+v", abort)
	}
	if v := h.log.lastRecord(t, 0, id).value; v.State != stateCompleteAbort || v.ProducerEpoch != epoch+1 {
		t.Fatalf("written %+v", v)
	}

	// The zombie producer is fenced; a new instance gets the epoch after.
	if code := h.endTxn(3, id, pid, epoch, true); code != kerr.ProducerFenced.Code {
		t.Errorf("zombie EndTxn: %d, want PRODUCER_FENCED", code)
	}
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 4); code != kerr.ProducerFenced.Code {
		t.Errorf("zombie AddPartitions: %d, want PRODUCER_FENCED", code)
	}
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 4, pid, epoch)); r.ErrorCode != kerr.ProducerFenced.Code {
		t.Errorf("zombie InitProducerId: %d, want PRODUCER_FENCED", r.ErrorCode)
	}
	if _, e := h.initProducer(t, id); e != epoch+2 {
		t.Errorf("new instance: epoch %d, want %d", e, epoch+2)
	}
}

// TestFailedFenceKeepsEpoch covers a fencing abort whose write fails: the epoch
// stays bumped in memory, and the next attempt reuses it rather than bump again.
func TestFailedFenceKeepsEpoch(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)
	h.log.SetAppendError(kerr.NotEnoughReplicas)
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != kerr.CoordinatorNotAvailable.Code {
		t.Fatalf("InitProducerId with the fence failing: %d, want COORDINATOR_NOT_AVAILABLE", r.ErrorCode)
	}
	if s, _ := h.snapshot(id); s.state != stateOngoing || s.pending != noState || s.epoch != epoch+1 {
		t.Fatalf("after the failed fence: %+v", s)
	}
	if code := h.endTxn(3, id, pid, epoch, false); code != kerr.ProducerFenced.Code {
		t.Fatalf("the fenced producer's abort: %d", code)
	}
	h.log.SetAppendError(nil)
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != kerr.ConcurrentTransactions.Code {
		t.Fatalf("InitProducerId retried: %d", r.ErrorCode)
	}
	if s := h.waitState(t, id, stateCompleteAbort); s.epoch != epoch+1 {
		t.Fatalf("aborted at epoch %d, want %d", s.epoch, epoch+1)
	}
}

func TestTransactionalIDExpiration(t *testing.T) {
	h := newTestHarness(t)
	idle, ongoing := idIn(h.c, 0, 0), idIn(h.c, 0, 1)
	pid, _ := h.initProducer(t, idle)
	h.openTxn(t, ongoing)

	// Timed-out transactions are aborted meanwhile; keep this one open by moving
	// its start along.
	h.c.mu.Lock()
	h.c.parts[0].txns[ongoing].timeoutMs = int32(testConfig.MaxTimeout.Milliseconds())
	h.c.parts[0].txns[ongoing].startMs = h.clk.Now().Add(8 * 24 * time.Hour).UnixMilli()
	h.c.mu.Unlock()

	h.clk.Advance(defaultIDExpiration - time.Hour)
	if _, ok := h.snapshot(idle); !ok {
		t.Fatal("expired an hour early")
	}
	h.clk.Advance(time.Hour)
	eventually(t, "expiry", func() bool { _, ok := h.snapshot(idle); return !ok })
	if rec := h.log.lastRecord(t, 0, idle); rec.value != nil {
		t.Fatalf("last record %+v, want a tombstone", rec.value)
	}
	if _, ok := h.snapshot(ongoing); !ok {
		t.Fatal("an id with an open transaction expired")
	}
	if r := h.c.DescribeTransaction(idle); r.ErrorCode != kerr.TransactionalIDNotFound.Code {
		t.Errorf("Describe of an expired id: %d", r.ErrorCode)
	}
	// The id starts afresh with a new producer id.
	if newPID, epoch := h.initProducer(t, idle); newPID == pid || epoch != 0 {
		t.Fatalf("after expiry: producer %d epoch %d", newPID, epoch)
	}
}

func TestFailedExpirationKeepsIDs(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	h.initProducer(t, id)
	h.log.SetAppendError(kerr.NotEnoughReplicas)
	h.clk.Advance(defaultIDExpiration)
	h.c.bg.Wait()
	if s, ok := h.snapshot(id); !ok || s.pending != noState {
		t.Fatalf("after a failed tombstone: %+v, %v", s, ok)
	}
	h.log.SetAppendError(nil)
	if _, epoch := h.initProducer(t, id); epoch != 1 {
		t.Fatalf("epoch %d after the failed expiry", epoch)
	}
}

func TestTombstoneBatches(t *testing.T) {
	h := newHarness(t, Config{NumPartitions: 1}, 0)
	for _, c := range []string{"a", "b", "c"} {
		h.initProducer(t, strings.Repeat(c, 400<<10))
	}
	n := h.log.BatchCount(0)
	h.clk.Advance(defaultIDExpiration)
	h.c.bg.Wait()
	// Three keys of 400 KiB fill two batches of at most 1 MiB.
	if got := h.log.BatchCount(0) - n; got != 2 {
		t.Fatalf("%d tombstone batches, want 2", got)
	}
	if ids := h.c.ListTransactions(listReq(0)).TransactionStates; len(ids) != 0 {
		t.Fatalf("%d ids left", len(ids))
	}
}

func TestConfigDefaults(t *testing.T) {
	got := Config{}.withDefaults()
	want := Config{NumPartitions: 50, MaxTimeout: 15 * time.Minute, IDExpiration: 7 * 24 * time.Hour,
		AbortTimedOutInterval: 10 * time.Second, RemoveExpiredInterval: time.Hour}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
	set := Config{NumPartitions: 3, MaxTimeout: time.Minute, IDExpiration: time.Hour, AbortTimedOutInterval: time.Second, RemoveExpiredInterval: time.Minute}
	if got := set.withDefaults(); got != set {
		t.Fatalf("set values replaced: %+v", got)
	}
}
