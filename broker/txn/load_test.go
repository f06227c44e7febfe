package txn

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

func txnValue(version int16, producerID int64, epoch int16, state txnState, startMs int64, partitions ...int32) *kmsg.TxnMetadataValue {
	v := kmsg.NewTxnMetadataValue()
	v.Version = version
	v.ProducerID, v.ProducerEpoch, v.TimeoutMillis, v.State = producerID, epoch, testTimeoutMs, state
	if state != stateEmpty {
		v.Topics = []kmsg.TxnMetadataValueTopic{}
		if len(partitions) > 0 {
			v.Topics = append(v.Topics, kmsg.TxnMetadataValueTopic{Topic: "orders", Partitions: partitions})
		}
	}
	v.LastUpdateTimestamp, v.StartTimestamp = startMs, startMs
	return &v
}

// TestLoadRecordsOfAnotherBroker loads a partition another broker wrote: every
// value version, tombstones, and records the loader skips; a commit found half
// done is finished.
func TestLoadRecordsOfAnotherBroker(t *testing.T) {
	h := newHarness(t, testConfig)
	now := h.clk.Now().UnixMilli()
	ongoing, committing, expired, idle := idIn(h.c, 1, 0), idIn(h.c, 1, 1), idIn(h.c, 1, 2), idIn(h.c, 1, 3)
	h.log.write(t, 1, ongoing, txnValue(0, 10, 2, stateEmpty, now-5000))
	h.log.write(t, 1, ongoing, txnValue(1, 10, 2, stateOngoing, now-5000, 0, 3))
	h.log.write(t, 1, committing, txnValue(0, 11, 4, statePrepareCommit, now-1000, 6))
	h.log.write(t, 1, expired, txnValue(0, 12, 0, stateEmpty, now))
	h.log.write(t, 1, expired, nil)
	h.log.write(t, 1, idle, txnValue(1, 13, 9, stateCompleteAbort, now))
	// A key version Kafka does not know, a value it cannot read, and a transaction
	// marker are all skipped.
	unknownKey := coordlog.Record{Key: []byte{0, 5, 0, 0}, Value: []byte{1}}
	badValue := coordlog.Record{Key: encodeKey(idle), Value: []byte{0, 0, 1}}
	h.log.Append(t.Context(), 1, coordlog.EncodeBatch([]coordlog.Record{unknownKey, badValue}, now))

	h.c.BecomeLeader(1, 12)
	h.waitLoaded(t, 1)

	if s, ok := h.snapshot(ongoing); !ok || s.state != stateOngoing || s.producerID != 10 || s.epoch != 2 || s.partitions != 2 {
		t.Errorf("ongoing: %+v", s)
	}
	if _, ok := h.snapshot(expired); ok {
		t.Error("a tombstoned id was loaded")
	}
	if s, ok := h.snapshot(idle); !ok || s.state != stateCompleteAbort || s.epoch != 9 {
		t.Errorf("idle: %+v", s)
	}
	h.waitState(t, committing, stateCompleteCommit)
	want := Marker{TransactionalID: committing, ProducerID: 11, ProducerEpoch: 4, Commit: true, CoordinatorEpoch: 12,
		Partitions: []TopicPartition{{"orders", 6}}}
	if m := h.markers.written(); len(m) != 1 || !equalMarkers(m[0], want) {
		t.Fatalf("markers %+v, want %+v", m, want)
	}
	if v := h.log.lastRecord(t, 1, committing).value; v.State != stateCompleteCommit || v.ProducerEpoch != 4 {
		t.Fatalf("completion written as %+v", v)
	}

	// The loaded ongoing transaction keeps its start: it times out 55 s on.
	h.clk.Advance(testTimeoutMs*time.Millisecond - 5*time.Second + defaultAbortTimedOutInterval)
	s := h.waitState(t, ongoing, stateCompleteAbort)
	if s.epoch != 3 {
		t.Fatalf("timed-out transaction aborted at epoch %d, want 3", s.epoch)
	}
}

func TestLoadAbortingTransaction(t *testing.T) {
	h := newHarness(t, testConfig)
	id := idIn(h.c, 0, 0)
	h.log.write(t, 0, id, txnValue(0, 20, 5, statePrepareAbort, 1, 1, 2))
	h.c.BecomeLeader(0, 3)
	h.waitLoaded(t, 0)
	h.waitState(t, id, stateCompleteAbort)
	if m := h.markers.written(); len(m) != 1 || m[0].Commit || m[0].ProducerEpoch != 5 || m[0].CoordinatorEpoch != 3 || len(m[0].Partitions) != 2 {
		t.Fatalf("markers %+v", m)
	}
}

func TestLeadershipChanges(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.openTxn(t, id)

	// The same epoch again changes nothing; a new one reloads from the log.
	h.c.BecomeLeader(0, testEpoch)
	if s, ok := h.snapshot(id); !ok || s.state != stateOngoing {
		t.Fatalf("after the same epoch: %+v", s)
	}
	h.c.Resign(0)
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 9); code != kerr.NotCoordinator.Code {
		t.Fatalf("after Resign: %d, want NOT_COORDINATOR", code)
	}
	h.c.BecomeLeader(0, testEpoch+1)
	h.waitLoaded(t, 0)
	if s, ok := h.snapshot(id); !ok || s.state != stateOngoing || s.partitions != 2 || s.producerID != pid || s.epoch != epoch {
		t.Fatalf("reloaded: %+v", s)
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != 0 {
		t.Fatalf("commit after reload: %d", code)
	}
	h.waitState(t, id, stateCompleteCommit)
	if m := h.markers.written(); len(m) != 1 || m[0].CoordinatorEpoch != testEpoch+1 {
		t.Fatalf("markers %+v", m)
	}
}

func TestCloseRefusesEverything(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	h.initProducer(t, id)
	h.c.Close()
	if r := h.c.DescribeTransaction(id); r.ErrorCode != kerr.CoordinatorNotAvailable.Code {
		t.Errorf("Describe after Close: %d", r.ErrorCode)
	}
	if r := h.c.ListTransactions(kmsg.NewPtrListTransactionsRequest()); r.ErrorCode != kerr.CoordinatorNotAvailable.Code {
		t.Errorf("List after Close: %d", r.ErrorCode)
	}
	h.c.BecomeLeader(0, testEpoch+1)
	if code := h.endTxn(3, id, 1000, 0, true); code != kerr.NotCoordinator.Code {
		t.Errorf("EndTxn after Close: %d", code)
	}
	if n := h.clk.pending(); n != 0 {
		t.Errorf("%d timers left after Close", n)
	}
}

// TestLeadershipMovesDuringWrite covers a write that completes after the partition
// moved away and back: the answer is NOT_COORDINATOR, and the new leadership's
// state is the one it loaded.
func TestLeadershipMovesDuringWrite(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	release := h.log.Hold()
	done := make(chan int16, 1)
	go func() { done <- h.addPartitions(t, 3, id, pid, epoch, "orders", 0) }()
	eventually(t, "the write in flight", func() bool { return h.log.WaitingAppends() == 1 })
	h.c.Resign(0)
	h.c.BecomeLeader(0, testEpoch+1)
	h.waitLoaded(t, 0)
	release()
	if code := <-done; code != kerr.NotCoordinator.Code {
		t.Fatalf("write across a leadership change: %d, want NOT_COORDINATOR", code)
	}
	if s, _ := h.snapshot(id); s.state != stateEmpty || s.pending != noState {
		t.Fatalf("the new leadership's state: %+v", s)
	}
}
