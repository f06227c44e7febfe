package group

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A log of committed, aborted and still open transactional commits interleaved with
// plain ones loads as Kafka's loader reads it.
func TestLoadReplaysTransactions(t *testing.T) {
	l := newFakeLog()
	appendPlain(t, l, map[int32]int64{0: 1})
	appendTxn(t, l, 1, map[int32]int64{0: 2, 1: 2})
	appendPlain(t, l, map[int32]int64{1: 3}) // written after producer 1's commit of t-1
	if err := l.Append(context.Background(), 36, markerBatch(1, true)); err != nil {
		t.Fatal(err)
	}
	appendTxn(t, l, 2, map[int32]int64{2: 7})
	if err := l.Append(context.Background(), 36, markerBatch(2, false)); err != nil {
		t.Fatal(err)
	}
	appendTxn(t, l, 3, map[int32]int64{2: 9}) // open at the log end

	c := reload(t, l)
	for p, want := range map[int32]int64{0: 2, 1: 3} {
		if off := stable(t, c, p); off != want {
			t.Errorf("t-%d: offset %d, want %d", p, off, want)
		}
	}
	if off, code := fetchAt(t, c, 7, false, 2); off != -1 || code != 0 {
		t.Errorf("t-2 (aborted, then open): offset %d error %d, want -1", off, code)
	}
	if _, code := fetchAt(t, c, 7, true, 2); code != kerr.UnstableOffsetCommit.Code {
		t.Errorf("t-2 with require_stable: error %d, want UNSTABLE_OFFSET_COMMIT", code)
	}
	// Markers of ended transactions find nothing left; the open one's commits.
	c.CompleteTxn(36, 1, false)
	c.CompleteTxn(36, 2, true)
	c.CompleteTxn(36, 3, true)
	for p, want := range map[int32]int64{0: 2, 1: 3, 2: 9} {
		if off := stable(t, c, p); off != want {
			t.Errorf("after the open transaction's commit, t-%d: offset %d, want %d", p, off, want)
		}
	}
}

// A group known only by an open transaction's commits is created Empty, as Kafka's
// loader does, so its marker has a group to commit into.
func TestLoadCreatesGroupOfOpenTransaction(t *testing.T) {
	l := newFakeLog()
	appendTxn(t, l, 5, map[int32]int64{0: 4})
	c := reload(t, l)
	if st, n := state(c); st != Empty || n != 0 {
		t.Fatalf("group is %s with %d members, want Empty", st, n)
	}
	c.CompleteTxn(36, 5, true)
	if off := stable(t, c, 0); off != 4 {
		t.Fatalf("after the commit: offset %d, want 4", off)
	}
}

// A marker written while the partition loads may lie past what the loader read; the
// coordinator applies it once loaded.
func TestCompleteTxnWhileLoading(t *testing.T) {
	l := &blockingLog{fakeLog: newFakeLog(), release: make(chan struct{})}
	appendTxn(t, l.fakeLog, 9, map[int32]int64{0: 4})
	c := New(testConfig, l, &fakeClock{now: testNow}, quietLogger)
	defer c.Close()
	c.BecomeLeader(36, 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.CompleteTxn(36, 9, true)
	}()
	recv(t, done)
	close(l.release)
	waitLoaded(t, c)
	if off := stable(t, c, 0); off != 4 {
		t.Fatalf("offset %d, want 4", off)
	}
}

func TestPendingOffsetsAndExpiry(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	plainCommit(t, c, 0, 7)
	txnCommit(c, txnReq(3, 7, 0, 8))
	clk.Advance(61 * time.Minute)
	// Kafka expires the committed offset regardless, but keeps the group while a
	// producer has a transaction open in it.
	if n := c.ExpireOffsets(); n != 1 {
		t.Fatalf("expired %d offsets, want 1", n)
	}
	if st, _ := state(c); st != Empty {
		t.Fatalf("group with an open transaction is %s after expiry, want Empty", st)
	}
	if off, code := fetchAt(t, c, 7, false, 0); off != -1 || code != 0 {
		t.Fatalf("expired offset fetched as %d error %d", off, code)
	}
	endTxn(t, c, l, 7, true)
	if off := stable(t, c, 0); off != 8 {
		t.Fatalf("after the commit marker: offset %d, want 8", off)
	}
	// The committed offset dates from the TxnOffsetCommit: expired already.
	if n := c.ExpireOffsets(); n != 1 {
		t.Fatalf("expired %d offsets, want 1", n)
	}
	if st, _ := state(c); st != Dead {
		t.Fatalf("group without offsets or transactions is %s, want deleted", st)
	}
}

// DeleteGroups deletes an Empty group with open transactional commits, as Kafka
// does; the marker then finds no group.
func TestDeleteGroupWithPendingOffsets(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	txnCommit(c, txnReq(3, 7, 0, 8))
	del := kmsg.NewPtrDeleteGroupsRequest()
	del.Groups = []string{testGroup}
	if r := c.DeleteGroups(del); r.Groups[0].ErrorCode != 0 {
		t.Fatalf("delete: error %d", r.Groups[0].ErrorCode)
	}
	endTxn(t, c, l, 7, true)
	if st, _ := state(c); st != Dead {
		t.Fatalf("the commit marker brought the deleted group back: %s", st)
	}
}

// OffsetDelete drops the partitions' pending transactional offsets too; the producer
// keeps the group until its marker.
func TestOffsetDeleteDropsPendingOffsets(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	plainCommit(t, c, 0, 5)
	req := txnReq(3, 7, 0, 6)
	req.Topics[0].Partitions = append(req.Topics[0].Partitions, kmsg.TxnOffsetCommitRequestTopicPartition{Partition: 1, Offset: 6})
	txnCommit(c, req)
	od := kmsg.NewPtrOffsetDeleteRequest()
	od.Group = testGroup
	od.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}, {Partition: 1}}}}
	if r := c.OffsetDelete(od); r.ErrorCode != 0 {
		t.Fatalf("offset delete: error %d", r.ErrorCode)
	}
	if st, _ := state(c); st != Empty {
		t.Fatalf("group with an open transaction is %s after OffsetDelete, want Empty", st)
	}
	for _, p := range []int32{0, 1} {
		if off := stable(t, c, p); off != -1 {
			t.Errorf("t-%d after OffsetDelete: offset %d, want none", p, off)
		}
	}
	endTxn(t, c, l, 7, true)
	for _, p := range []int32{0, 1} {
		if off := stable(t, c, p); off != -1 {
			t.Errorf("t-%d after the commit marker: offset %d, want none", p, off)
		}
	}
	if n := c.ExpireOffsets(); n != 0 {
		t.Fatalf("expired %d offsets, want none", n)
	}
	if st, _ := state(c); st != Dead {
		t.Fatalf("group without offsets or transactions is %s after the expiry run, want deleted", st)
	}
}
