package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

func TestTxnOffsetsPendingUntilCommitted(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	req := txnReq(3, 7, 0, 10)
	req.Topics[0].Partitions = append(req.Topics[0].Partitions, kmsg.TxnOffsetCommitRequestTopicPartition{Partition: 9, Offset: 10})
	if got := txnCommit(c, req); !slices.Equal(got, []int16{0, kerr.UnknownTopicOrPartition.Code}) {
		t.Fatalf("TxnOffsetCommit: errors %v, want [0 UNKNOWN_TOPIC_OR_PARTITION]", got)
	}
	if st, n := state(c); st != Empty || n != 0 {
		t.Fatalf("the unknown group is %s with %d members, want created Empty", st, n)
	}
	data, _ := l.Read(36, 0)
	var batches []coordlog.Batch
	if _, err := coordlog.ForEachRecord(data, func(b *coordlog.Batch, _ int64, _, _ []byte) error {
		batches = append(batches, *b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := (coordlog.Batch{ProducerID: 7, ProducerEpoch: 2, Transactional: true}); len(batches) != 1 || batches[0] != want {
		t.Fatalf("written: %+v, want one record in a batch of %+v", batches, want)
	}

	// Pending: not committed, and unstable to those who ask (v7+).
	for _, tc := range []struct {
		version       int16
		requireStable bool
		wantCode      int16
	}{
		{6, true, 0}, // no RequireStable before v7
		{7, false, 0},
		{7, true, kerr.UnstableOffsetCommit.Code},
		{8, true, kerr.UnstableOffsetCommit.Code},
	} {
		if off, code := fetchAt(t, c, tc.version, tc.requireStable, 0); off != -1 || code != tc.wantCode {
			t.Errorf("pending, OffsetFetch v%d require_stable=%v: offset %d error %d, want -1 and %d",
				tc.version, tc.requireStable, off, code, tc.wantCode)
		}
	}
	// Another producer's marker, or one in another partition, ends nothing here.
	c.CompleteTxn(36, 8, true)
	c.CompleteTxn(35, 7, true)
	if _, code := fetchAt(t, c, 8, true, 0); code != kerr.UnstableOffsetCommit.Code {
		t.Fatalf("after other markers: error %d, want UNSTABLE_OFFSET_COMMIT", code)
	}

	endTxn(t, c, l, 7, true)
	if off := stable(t, c, 0); off != 10 {
		t.Fatalf("after the commit marker: offset %d, want 10", off)
	}
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 5
	r.Group, r.Topics = testGroup, []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: []int32{0}}}
	if p := c.OffsetFetch(r).Topics[0].Partitions[0]; p.LeaderEpoch != 3 {
		t.Fatalf("committed leader epoch %d, want 3", p.LeaderEpoch)
	}
}

func TestTxnAbortDropsPendingOffsets(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	plainCommit(t, c, 0, 5)
	if got := txnCommit(c, txnReq(3, 7, 0, 10)); !slices.Equal(got, []int16{0}) {
		t.Fatalf("TxnOffsetCommit: %v", got)
	}
	if off, code := fetchAt(t, c, 7, false, 0); off != 5 || code != 0 {
		t.Fatalf("pending over a committed offset, without require_stable: %d error %d, want 5", off, code)
	}
	endTxn(t, c, l, 7, false)
	if off := stable(t, c, 0); off != 5 {
		t.Fatalf("after the abort marker: offset %d, want 5", off)
	}
	if off := stable(t, reload(t, l), 0); off != 5 {
		t.Fatalf("after reload: offset %d, want 5", off)
	}
}

// The commit written last wins, whichever transaction ends last: Kafka compares the
// commits' log offsets, and a reload of the log agrees with the cache.
func TestTxnCommitRespectsLogOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(t *testing.T, c *Coordinator, l *fakeLog)
		want  int64
	}{
		{"plain commit after the transactional one", func(t *testing.T, c *Coordinator, l *fakeLog) {
			txnCommit(c, txnReq(3, 7, 0, 10))
			plainCommit(t, c, 0, 20)
			endTxn(t, c, l, 7, true)
		}, 20},
		{"transactional commit after the plain one", func(t *testing.T, c *Coordinator, l *fakeLog) {
			plainCommit(t, c, 0, 20)
			txnCommit(c, txnReq(3, 7, 0, 10))
			endTxn(t, c, l, 7, true)
		}, 10},
		{"two producers ending in the reverse order", func(t *testing.T, c *Coordinator, l *fakeLog) {
			txnCommit(c, txnReq(3, 7, 0, 10))
			txnCommit(c, txnReq(3, 8, 0, 11))
			endTxn(t, c, l, 8, true)
			endTxn(t, c, l, 7, true)
		}, 11},
		{"one producer committing twice", func(t *testing.T, c *Coordinator, l *fakeLog) {
			txnCommit(c, txnReq(3, 7, 0, 10))
			txnCommit(c, txnReq(3, 7, 0, 12))
			endTxn(t, c, l, 7, true)
		}, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, l := newTestCoordinator(t)
			tc.steps(t, c, l)
			if off := stable(t, c, 0); off != tc.want {
				t.Fatalf("offset %d, want %d", off, tc.want)
			}
			if off := stable(t, reload(t, l), 0); off != tc.want {
				t.Fatalf("after reload: offset %d, want %d", off, tc.want)
			}
		})
	}
}

// A plain commit being written is unstable as well (Kafka's pendingOffsetCommits).
func TestCommitBeingWrittenIsUnstable(t *testing.T) {
	l := &gatedLog{fakeLog: newFakeLog(), entered: make(chan struct{}), release: make(chan struct{})}
	c := reload(t, l)
	done := make(chan struct{})
	go func() {
		defer close(done)
		plainCommit(t, c, 0, 5)
	}()
	<-l.entered
	if _, code := fetchAt(t, c, 7, true, 0); code != kerr.UnstableOffsetCommit.Code {
		t.Errorf("while the commit is written: error %d, want UNSTABLE_OFFSET_COMMIT", code)
	}
	close(l.release)
	recv(t, done)
	if off := stable(t, c, 0); off != 5 {
		t.Fatalf("after the write: offset %d, want 5", off)
	}
}

// gatedLog holds the first append until released; entered is closed once it waits.
type gatedLog struct {
	*fakeLog
	first   sync.Once
	entered chan struct{}
	release chan struct{}
}

func (l *gatedLog) Append(ctx context.Context, partition int32, batch []byte) error {
	l.first.Do(func() {
		close(l.entered)
		<-l.release
	})
	return l.fakeLog.Append(ctx, partition, batch)
}

func TestTxnCommitValidation(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 1)
	c.mu.Lock()
	c.groups[testGroup].instances["static"] = ids[0]
	c.mu.Unlock()
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name       string
		version    int16
		generation int32
		member     string
		instance   *string
		want       *kerr.Error
	}{
		{"member of the current generation", 3, 1, ids[0], nil, nil},
		{"stale generation", 3, 0, ids[0], nil, kerr.IllegalGeneration},
		{"unknown member", 3, 1, "nobody", nil, kerr.UnknownMemberID},
		{"producer outside the group", 3, -1, "", nil, nil},
		{"member without a generation", 3, -1, ids[0], nil, kerr.IllegalGeneration},
		{"unknown instance", 3, 1, ids[0], str("other"), kerr.UnknownMemberID},
		{"instance of another member", 3, 1, "nobody", str("static"), kerr.FencedInstanceID},
		{"the instance's member", 3, 1, ids[0], str("static"), nil},
		{"v2 carries no member", 2, 0, "nobody", str("other"), nil},
		{"v0", 0, 0, "nobody", nil, nil},
	} {
		req := txnReq(tc.version, 7, 0, 10)
		req.Generation, req.MemberID, req.InstanceID = tc.generation, tc.member, tc.instance
		if got := txnCommit(c, req); !slices.Equal(got, []int16{codeOf(tc.want)}) {
			t.Errorf("%s: errors %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTxnCommitRequestErrors(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	noGroup := txnReq(3, 7, 0, 10)
	noGroup.Group = ""
	if got := txnCommit(c, noGroup); !slices.Equal(got, []int16{kerr.InvalidGroupID.Code}) {
		t.Errorf("empty group id: %v, want INVALID_GROUP_ID", got)
	}
	big := txnReq(3, 7, 0, 10)
	md := strings.Repeat("m", 4097)
	big.Topics[0].Partitions = append(big.Topics[0].Partitions, kmsg.TxnOffsetCommitRequestTopicPartition{Partition: 1, Offset: 1, Metadata: &md})
	if got := txnCommit(c, big); !slices.Equal(got, []int16{0, kerr.OffsetMetadataTooLarge.Code}) {
		t.Errorf("metadata over offset.metadata.max.bytes: %v, want [0 OFFSET_METADATA_TOO_LARGE]", got)
	}

	// A member of a group this coordinator does not know: Kafka creates the group
	// anyway, then finds no such member. Only unknown partitions never reach it.
	others := groupsOf(36, 2)
	member := txnReq(3, 7, 0, 10)
	member.Group, member.Generation, member.MemberID = others[0], 1, "m"
	if got := txnCommit(c, member); !slices.Equal(got, []int16{kerr.UnknownMemberID.Code}) {
		t.Errorf("member of an unknown group: %v, want UNKNOWN_MEMBER_ID", got)
	}
	unknown := txnReq(3, 7, 5, 10)
	unknown.Group = others[1]
	before := len(l.records(t, 36))
	if got := txnCommit(c, unknown); !slices.Equal(got, []int16{kerr.UnknownTopicOrPartition.Code}) || len(l.records(t, 36)) != before {
		t.Errorf("only unknown partitions: %v, want UNKNOWN_TOPIC_OR_PARTITION and nothing written", got)
	}
	c.mu.Lock()
	created, notCreated := c.groups[others[0]], c.groups[others[1]]
	c.mu.Unlock()
	if created == nil || created.state != Empty || notCreated != nil {
		t.Errorf("groups after the refused commits: %v and %v, want the first created Empty, the second not", created, notCreated)
	}

	c.Resign(36)
	if got := txnCommit(c, txnReq(3, 7, 0, 10)); !slices.Equal(got, []int16{kerr.NotCoordinator.Code}) {
		t.Errorf("partition not led: %v, want NOT_COORDINATOR", got)
	}

	loading := New(testConfig, &blockingLog{fakeLog: newFakeLog(), release: make(chan struct{})}, &fakeClock{now: testNow}, quietLogger)
	defer func() {
		close(loading.log.(*blockingLog).release)
		loading.Close()
	}()
	loading.BecomeLeader(36, 0)
	for version, want := range map[int16]*kerr.Error{1: kerr.CoordinatorNotAvailable, 2: kerr.CoordinatorLoadInProgress} {
		if got := txnCommit(loading, txnReq(version, 7, 0, 10)); !slices.Equal(got, []int16{want.Code}) {
			t.Errorf("v%d while loading: %v, want %v", version, got, want)
		}
	}
}

func TestTxnCommitStoreErrors(t *testing.T) {
	for _, tc := range []struct {
		fail    error
		version int16
		want    *kerr.Error
	}{
		{kerr.InvalidProducerEpoch, 3, kerr.InvalidProducerEpoch},
		{kerr.ProducerFenced, 3, kerr.ProducerFenced},
		{kerr.InvalidTxnState, 3, kerr.InvalidTxnState},
		{kerr.TransactionAbortable, 4, kerr.TransactionAbortable},
		{kerr.NotLeaderForPartition, 3, kerr.NotCoordinator},
		{kerr.NotEnoughReplicas, 3, kerr.CoordinatorNotAvailable},
		{kerr.MessageTooLarge, 3, kerr.InvalidCommitOffsetSize},
		{kerr.RequestTimedOut, 3, kerr.RequestTimedOut},
		{kerr.NetworkException, 3, kerr.CoordinatorLoadInProgress},
		{kerr.NetworkException, 1, kerr.CoordinatorNotAvailable},
		{errors.New("disk on fire"), 3, kerr.CoordinatorNotAvailable},
	} {
		c, _, l := newTestCoordinator(t)
		l.SetAppendError(tc.fail)
		if got := txnCommit(c, txnReq(tc.version, 7, 0, 10)); !slices.Equal(got, []int16{tc.want.Code}) {
			t.Errorf("v%d append failing with %v: %v, want %v", tc.version, tc.fail, got, tc.want)
		}
		if _, code := fetchAt(t, c, 7, true, 0); code != 0 {
			t.Errorf("after the failed append of %v: error %d, want nothing pending", tc.fail, code)
		}
	}
}

// groupsOf returns n group ids other than the test group's in partition.
func groupsOf(partition int32, n int) []string {
	var ids []string
	for i := 0; len(ids) < n; i++ {
		if id := fmt.Sprintf("group-%d", i); PartitionFor(id, testConfig.NumPartitions) == partition && id != testGroup {
			ids = append(ids, id)
		}
	}
	return ids
}
