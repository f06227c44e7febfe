package txn

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestInitProducerIDNewAndExisting(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 1, 0)
	pid, epoch := h.initProducer(t, id)
	if pid != 1000 || epoch != 0 {
		t.Fatalf("new id: producer %d epoch %d, want 1000 and 0", pid, epoch)
	}
	rec := h.log.lastRecord(t, 1, id)
	if v := rec.value; v == nil || v.Version != 0 || v.ProducerID != 1000 || v.ProducerEpoch != 0 || v.State != stateEmpty ||
		v.Topics != nil || v.TimeoutMillis != testTimeoutMs || v.StartTimestamp != -1 || v.LastUpdateTimestamp != h.clk.Now().UnixMilli() {
		t.Fatalf("written %+v", rec.value)
	}
	// Every later InitProducerId of an idle id bumps the epoch of the same producer.
	for want := int16(1); want <= 2; want++ {
		if pid, epoch = h.initProducer(t, id); pid != 1000 || epoch != want {
			t.Fatalf("existing id: producer %d epoch %d, want 1000 and %d", pid, epoch, want)
		}
	}
}

func TestInitProducerIDRequestErrors(t *testing.T) {
	h := newTestHarness(t)
	id, empty, unowned := idIn(h.c, 0, 0), "", idIn(h.c, unownedPart, 0)
	for _, c := range []struct {
		name string
		req  *kmsg.InitProducerIDRequest
		want *kerr.Error
	}{
		{"no transactional id", initReq(nil, 5, -1, -1), kerr.InvalidRequest},
		{"empty transactional id", initReq(&empty, 5, -1, -1), kerr.InvalidRequest},
		{"producer id without epoch", initReq(&id, 5, 3, -1), kerr.InvalidRequest},
		{"epoch without producer id", initReq(&id, 5, -1, 3), kerr.InvalidRequest},
		{"zero timeout", func() *kmsg.InitProducerIDRequest {
			r := initReq(&id, 5, -1, -1)
			r.TransactionTimeoutMillis = 0
			return r
		}(), kerr.InvalidTransactionTimeout},
		{"timeout above transaction.max.timeout.ms", func() *kmsg.InitProducerIDRequest {
			r := initReq(&id, 5, -1, -1)
			r.TransactionTimeoutMillis = int32(testConfig.MaxTimeout.Milliseconds()) + 1
			return r
		}(), kerr.InvalidTransactionTimeout},
		{"another broker's partition", initReq(&unowned, 5, -1, -1), kerr.NotCoordinator},
	} {
		r := h.c.InitProducerID(context.Background(), c.req)
		if r.ErrorCode != c.want.Code || r.ProducerID != -1 || r.ProducerEpoch != -1 {
			t.Errorf("%s: error %d producer %d epoch %d, want %s", c.name, r.ErrorCode, r.ProducerID, r.ProducerEpoch, c.want.Message)
		}
	}
	if n := h.log.BatchCount(0); n != 0 {
		t.Errorf("refused requests wrote %d batches", n)
	}
}

func TestInitProducerIDWhileLoading(t *testing.T) {
	h := newTestHarness(t)
	h.log.SetReadError(errors.New("disk on fire"))
	h.c.BecomeLeader(unownedPart, testEpoch)
	eventually(t, "a failed load waiting to retry", func() bool { return h.clk.pending() == periodicTimers+1 })
	id := idIn(h.c, unownedPart, 0)
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != kerr.CoordinatorLoadInProgress.Code {
		t.Fatalf("error %d, want COORDINATOR_LOAD_IN_PROGRESS", r.ErrorCode)
	}
	// The load retries once the log can be read.
	h.log.SetReadError(nil)
	h.clk.Advance(loadRetryBackoff)
	h.waitLoaded(t, unownedPart)
	if _, epoch := h.initProducer(t, id); epoch != 0 {
		t.Fatalf("epoch %d after the load", epoch)
	}
}

func TestInitProducerIDAllocatorFailure(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	for _, c := range []struct {
		err  error
		want *kerr.Error
	}{
		{errors.New("controller unreachable"), kerr.CoordinatorLoadInProgress},
		{kerr.NotController, kerr.NotController},
	} {
		h.pids.err = c.err
		if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != c.want.Code {
			t.Errorf("allocator error %v: answered %d, want %s", c.err, r.ErrorCode, c.want.Message)
		}
	}
}

// TestInitProducerIDKIP360 covers a producer that resumes with its own producer id
// and epoch (v3+).
func TestInitProducerIDKIP360(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	init := func(version int16, producerID int64, epoch int16) *kmsg.InitProducerIDResponse {
		return h.c.InitProducerID(context.Background(), initReq(&id, version, producerID, epoch))
	}
	if r := init(4, pid, epoch); r.ErrorCode != 0 || r.ProducerID != pid || r.ProducerEpoch != 1 {
		t.Fatalf("resume: %+v", r)
	}
	// The response was lost: the retry with the old epoch gets the same epoch.
	if r := init(4, pid, epoch); r.ErrorCode != 0 || r.ProducerID != pid || r.ProducerEpoch != 1 {
		t.Fatalf("retry: %+v", r)
	}
	for _, c := range []struct {
		name     string
		version  int16
		producer int64
		epoch    int16
		want     *kerr.Error
	}{
		{"another producer id", 4, pid + 1, 1, kerr.ProducerFenced},
		{"another producer id, v3", 3, pid + 1, 1, kerr.InvalidProducerEpoch},
		{"an older epoch", 4, pid, 0, kerr.ProducerFenced},
	} {
		// A fresh producer moves the epoch on, so the retried epoch is history.
		h.initProducer(t, id)
		if r := init(c.version, c.producer, c.epoch); r.ErrorCode != c.want.Code {
			t.Errorf("%s: error %d, want %s", c.name, r.ErrorCode, c.want.Message)
		}
	}
}

// writeIdle puts an idle transactional id into the log as another broker left it.
func writeIdle(t *testing.T, l *fakeLog, partition int32, id string, producerID int64, epoch int16) {
	v := kmsg.NewTxnMetadataValue()
	v.ProducerID, v.ProducerEpoch, v.TimeoutMillis, v.State = producerID, epoch, testTimeoutMs, stateCompleteCommit
	v.Topics = []kmsg.TxnMetadataValueTopic{}
	v.LastUpdateTimestamp, v.StartTimestamp = 1, 1
	l.write(t, partition, id, &v)
}

func TestInitProducerIDEpochExhaustion(t *testing.T) {
	h := newHarness(t, testConfig)
	id, other := idIn(h.c, 0, 0), idIn(h.c, 0, 1)
	writeIdle(t, h.log, 0, id, 100, 32765)
	writeIdle(t, h.log, 0, other, 200, 32766)
	h.c.BecomeLeader(0, testEpoch)
	h.waitLoaded(t, 0)

	if pid, epoch := h.initProducer(t, id); pid != 100 || epoch != 32766 {
		t.Fatalf("last epoch: producer %d epoch %d", pid, epoch)
	}
	// The epochs are spent: a new producer id starts over at 0.
	if pid, epoch := h.initProducer(t, id); pid != 1000 || epoch != 0 {
		t.Fatalf("after exhaustion: producer %d epoch %d", pid, epoch)
	}

	// A KIP-360 producer on the exhausted epoch rotates too, and its retry is
	// recognised by the previous producer id.
	init := func(producerID int64, epoch int16) *kmsg.InitProducerIDResponse {
		return h.c.InitProducerID(context.Background(), initReq(&other, 5, producerID, epoch))
	}
	r := init(200, 32766)
	if r.ErrorCode != 0 || r.ProducerID != 1001 || r.ProducerEpoch != 0 {
		t.Fatalf("rotation: %+v", r)
	}
	if r = init(200, 32766); r.ErrorCode != 0 || r.ProducerID != 1001 || r.ProducerEpoch != 0 {
		t.Fatalf("retried rotation: %+v", r)
	}
	if r = init(200, 32765); r.ErrorCode != kerr.ProducerFenced.Code {
		t.Fatalf("the previous producer id on another epoch: error %d, want PRODUCER_FENCED", r.ErrorCode)
	}
}

func TestInitProducerIDFencesOngoingTransaction(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 2, 0)
	pid, epoch := h.initProducer(t, id)
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 0, 1); code != 0 {
		t.Fatalf("add: %d", code)
	}

	// A new instance of the producer: the open transaction is aborted under a
	// bumped epoch and the new instance asked to retry.
	r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1))
	if r.ErrorCode != kerr.ConcurrentTransactions.Code {
		t.Fatalf("InitProducerId over an open transaction: error %d, want CONCURRENT_TRANSACTIONS", r.ErrorCode)
	}
	h.waitState(t, id, stateCompleteAbort)
	var states []txnState
	for _, rec := range h.log.records(t, 2) {
		if rec.value.State == statePrepareAbort {
			if rec.value.ProducerEpoch != epoch+1 || len(rec.value.Topics) != 1 {
				t.Errorf("PrepareAbort written with %+v", rec.value)
			}
		}
		states = append(states, rec.value.State)
	}
	if want := []txnState{stateEmpty, stateOngoing, statePrepareAbort, stateCompleteAbort}; !equalStates(states, want) {
		t.Fatalf("records %v, want %v", states, want)
	}
	markers := h.markers.written()
	if len(markers) != 1 || markers[0].Commit || markers[0].ProducerEpoch != epoch+1 || markers[0].ProducerID != pid ||
		markers[0].CoordinatorEpoch != testEpoch || len(markers[0].Partitions) != 2 {
		t.Fatalf("markers %+v", markers)
	}

	// The retry gets the epoch after the fence; the old instance is fenced.
	if _, e := h.initProducer(t, id); e != epoch+2 {
		t.Fatalf("retry: epoch %d, want %d", e, epoch+2)
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != kerr.ProducerFenced.Code {
		t.Fatalf("old instance's EndTxn: %d, want PRODUCER_FENCED", code)
	}
}

func equalStates(a, b []txnState) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInitProducerIDDuringEnd(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	h.addPartitions(t, 3, id, pid, epoch, "orders", 0)
	release := h.markers.hold()
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatalf("EndTxn: %d", code)
	}
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != kerr.ConcurrentTransactions.Code {
		t.Fatalf("InitProducerId while the commit completes: %d, want CONCURRENT_TRANSACTIONS", r.ErrorCode)
	}
	release()
	h.waitState(t, id, stateCompleteCommit)
	if _, e := h.initProducer(t, id); e != epoch+1 {
		t.Fatalf("after the commit: epoch %d", e)
	}
}
