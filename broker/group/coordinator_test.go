package group

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestJoinSyncWritesAssignment(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 2)
	var meta *kmsg.GroupMetadataValue
	for _, r := range l.records(t, 36) {
		if r.isGroup && r.group != nil {
			meta = r.group
		}
	}
	if meta == nil || meta.Generation != 1 || *meta.Protocol != "range" || len(meta.Members) != 2 {
		t.Fatalf("group metadata written: %+v", meta)
	}
	for _, m := range meta.Members {
		if string(m.Assignment) != "assigned-"+m.MemberID || string(m.Subscription) != "range" {
			t.Errorf("member %s stored with assignment %q subscription %q", m.MemberID, m.Assignment, m.Subscription)
		}
	}
	// A follower that rejoins unchanged in a Stable group gets the generation back
	// without a rebalance.
	follower := ids[0]
	if meta.Leader != nil && *meta.Leader == follower {
		follower = ids[1]
	}
	r := recv(t, joinAsync(c, joinReq(follower, nil)))
	if r.ErrorCode != 0 || r.Generation != 1 || len(r.Members) != 0 {
		t.Fatalf("unchanged rejoin: %+v", r)
	}
	if st, _ := state(c); st != Stable {
		t.Fatalf("unchanged rejoin moved the group to %s", st)
	}
}

func TestFencingErrors(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 1)
	other := "other"
	for _, tc := range []struct {
		name     string
		member   string
		gen      int32
		instance *string
		want     *kerr.Error
	}{
		{"current member", ids[0], 1, nil, nil},
		{"old generation", ids[0], 0, nil, kerr.IllegalGeneration},
		{"unknown member", "nobody", 1, nil, kerr.UnknownMemberID},
		{"unknown instance", ids[0], 1, &other, kerr.UnknownMemberID},
	} {
		if got := heartbeat(c, tc.member, tc.gen, tc.instance); got != codeOf(tc.want) {
			t.Errorf("%s: heartbeat error %d, want %v", tc.name, got, tc.want)
		}
	}

	bad := joinReq("", nil)
	bad.SessionTimeoutMillis = 1000
	if r := recv(t, joinAsync(c, bad)); r.ErrorCode != kerr.InvalidSessionTimeout.Code {
		t.Errorf("session timeout below group.min.session.timeout.ms: error %d", r.ErrorCode)
	}
	wrongType := joinReq("", nil)
	wrongType.ProtocolType = "connect"
	if r := recv(t, joinAsync(c, wrongType)); r.ErrorCode != kerr.InconsistentGroupProtocol.Code {
		t.Errorf("other protocol type: error %d", r.ErrorCode)
	}
	if r := recv(t, joinAsync(c, joinReq("", nil, "roundrobin"))); r.ErrorCode != kerr.InconsistentGroupProtocol.Code {
		t.Errorf("no common protocol: error %d", r.ErrorCode)
	}

	// group.max.size is 3.
	full := stableGroupOf(t, 3)
	if r := recv(t, joinAsync(full, joinReq("", nil))); r.ErrorCode != kerr.GroupMaxSizeReached.Code {
		t.Errorf("fourth member: error %d, want GROUP_MAX_SIZE_REACHED", r.ErrorCode)
	}
}

func stableGroupOf(t *testing.T, n int) *Coordinator {
	c, clk, _ := newTestCoordinator(t)
	stableGroup(t, c, clk, n)
	return c
}

func TestStaticMemberReplacement(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	inst := "instance-1"
	w := joinAsync(c, joinReq("", &inst))
	parked(t, w)
	clk.Advance(testConfig.InitialRebalanceDelay)
	first := recv(t, w)
	if first.ErrorCode != 0 || first.LeaderID != first.MemberID {
		t.Fatalf("static join: %+v", first)
	}
	if r := recv(t, syncAsync(c, first.MemberID, 1, map[string]string{first.MemberID: "a"})); r.ErrorCode != 0 {
		t.Fatalf("sync: %d", r.ErrorCode)
	}
	// The client restarts with the same group.instance.id: it takes the old member's
	// place without a rebalance, and the old member id is fenced.
	second := recv(t, joinAsync(c, joinReq("", &inst)))
	if second.ErrorCode != 0 || second.MemberID == first.MemberID || second.Generation != 1 || !second.SkipAssignment || len(second.Members) != 1 {
		t.Fatalf("replacing join: %+v", second)
	}
	if got := heartbeat(c, first.MemberID, 1, &inst); got != kerr.FencedInstanceID.Code {
		t.Errorf("old member heartbeat: error %d, want FENCED_INSTANCE_ID", got)
	}
	if got := heartbeat(c, second.MemberID, 1, &inst); got != 0 {
		t.Errorf("new member heartbeat: error %d", got)
	}
	if r := recv(t, syncAsync(c, second.MemberID, 1, nil)); r.ErrorCode != 0 || string(r.MemberAssignment) != "a" {
		t.Errorf("new member sync: %+v", r)
	}
	if st, _ := state(c); st != Stable {
		t.Errorf("group is %s, want Stable", st)
	}
}

func TestSessionTimeoutRemovesSilentMember(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 2)
	// ids[0] heartbeats, ids[1] has gone silent.
	for i := 0; i < 4; i++ {
		clk.Advance(3 * time.Second)
		if got := heartbeat(c, ids[0], 1, nil); got != 0 && got != kerr.RebalanceInProgress.Code {
			t.Fatalf("heartbeat: %d", got)
		}
	}
	if st, n := state(c); st != PreparingRebalance || n != 1 {
		t.Fatalf("after the session timeout: %s with %d members, want PreparingRebalance with 1", st, n)
	}
	if got := heartbeat(c, ids[0], 1, nil); got != kerr.RebalanceInProgress.Code {
		t.Fatalf("survivor heartbeat: %d, want REBALANCE_IN_PROGRESS", got)
	}
	r := recv(t, joinAsync(c, joinReq(ids[0], nil)))
	if r.ErrorCode != 0 || r.Generation != 2 || len(r.Members) != 1 {
		t.Fatalf("rejoin: %+v", r)
	}
}

func TestRebalanceTimeoutRemovesMemberThatDoesNotRejoin(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 2)
	// New metadata starts a rebalance; alone, the member's first choice wins the vote.
	w := joinAsync(c, joinReq(ids[0], nil, "roundrobin", "range"))
	parked(t, w)
	// ids[1] keeps its session alive but never rejoins.
	for i := 0; i < 7; i++ {
		clk.Advance(3 * time.Second)
		heartbeat(c, ids[1], 1, nil)
	}
	r := recv(t, w)
	if r.ErrorCode != 0 || r.Generation != 2 || len(r.Members) != 1 || *r.Protocol != "roundrobin" {
		t.Fatalf("join after the rebalance timeout: %+v", r)
	}
	if got := heartbeat(c, ids[1], 1, nil); got != kerr.UnknownMemberID.Code {
		t.Errorf("removed member heartbeat: %d, want UNKNOWN_MEMBER_ID", got)
	}
}

func TestLeaveGroupBatch(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 2)
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Version = 5
	req.Group = testGroup
	for _, id := range append(ids, "nobody") {
		req.Members = append(req.Members, kmsg.LeaveGroupRequestMember{MemberID: id})
	}
	resp := c.LeaveGroup(req)
	if resp.ErrorCode != 0 || resp.Members[0].ErrorCode != 0 || resp.Members[1].ErrorCode != 0 || resp.Members[2].ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("leave: %+v", resp)
	}
	if st, n := state(c); st != Empty || n != 0 {
		t.Fatalf("after everyone left: %s with %d members", st, n)
	}
	c.bg.Wait() // the emptied group's metadata is written in the background
	recs := l.records(t, 36)
	last := recs[len(recs)-1]
	if !last.isGroup || last.group == nil || len(last.group.Members) != 0 || last.group.Generation != 2 {
		t.Fatalf("last record is not the empty group of generation 2: %+v", last)
	}
}

func commitReq(gen int32, member string, offset int64) *kmsg.OffsetCommitRequest {
	r := kmsg.NewPtrOffsetCommitRequest()
	r.Version = 9
	r.Group, r.Generation, r.MemberID = testGroup, gen, member
	md := "meta"
	r.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetCommitRequestTopicPartition{
		{Partition: 0, Offset: offset, LeaderEpoch: 4, Metadata: &md},
		{Partition: 9, Offset: offset},
	}}}
	return r
}

func exists(topic string, partition int32) bool { return topic == "t" && partition < 3 }

func fetchOffset(t *testing.T, c *Coordinator) (int64, int16) {
	t.Helper()
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 8
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: testGroup}} // null topics: all
	resp := c.OffsetFetch(r)
	g := resp.Groups[0]
	if g.ErrorCode != 0 {
		return -1, g.ErrorCode
	}
	for _, tp := range g.Topics {
		for _, p := range tp.Partitions {
			if tp.Topic == "t" && p.Partition == 0 {
				return p.Offset, 0
			}
		}
	}
	return -1, 0
}

func TestOffsetCommitRulesAndReload(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	// A simple consumer commits to a group that does not exist yet.
	resp := c.OffsetCommit(commitReq(-1, "", 10), exists)
	if p := resp.Topics[0].Partitions; p[0].ErrorCode != 0 || p[1].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("simple commit: %+v", p)
	}
	ids := stableGroup(t, c, clk, 1)
	for _, tc := range []struct {
		name   string
		gen    int32
		member string
		want   *kerr.Error
	}{
		{"simple commit to a non-empty group", -1, "", kerr.UnknownMemberID},
		{"stale generation", 0, ids[0], kerr.IllegalGeneration},
		{"unknown member", 1, "nobody", kerr.UnknownMemberID},
		{"member of the current generation", 1, ids[0], nil},
	} {
		got := c.OffsetCommit(commitReq(tc.gen, tc.member, 20), exists).Topics[0].Partitions[0].ErrorCode
		if got != codeOf(tc.want) {
			t.Errorf("%s: error %d, want %v", tc.name, got, tc.want)
		}
	}
	if off, code := fetchOffset(t, c); off != 20 || code != 0 {
		t.Fatalf("fetched offset %d (error %d), want 20", off, code)
	}

	// A new coordinator (a restart, or another broker taking over) rebuilds the
	// offsets and the group from the log.
	c2 := New(testConfig, l, clk, quietLogger)
	defer c2.Close()
	c2.BecomeLeader(36, 1)
	waitLoaded(t, c2)
	if off, code := fetchOffset(t, c2); off != 20 || code != 0 {
		t.Fatalf("after reload: offset %d (error %d), want 20", off, code)
	}
	if st, n := state(c2); st != Stable || n != 1 {
		t.Fatalf("after reload the group is %s with %d members, want Stable with 1", st, n)
	}
	if got := heartbeat(c2, ids[0], 1, nil); got != 0 {
		t.Fatalf("the member's heartbeat after reload: %d", got)
	}
	// Not owning the partition any more: NOT_COORDINATOR.
	c2.Resign(36)
	if _, code := fetchOffset(t, c2); code != kerr.NotCoordinator.Code {
		t.Fatalf("after resigning: error %d, want NOT_COORDINATOR", code)
	}
}

func TestCommitFailsWhenTheLogDoes(t *testing.T) {
	c, _, l := newTestCoordinator(t)
	l.SetAppendError(kerr.NotLeaderForPartition)
	if got := c.OffsetCommit(commitReq(-1, "", 1), exists).Topics[0].Partitions[0].ErrorCode; got != kerr.NotCoordinator.Code {
		t.Fatalf("commit with a failing log: %d, want NOT_COORDINATOR", got)
	}
	if off, _ := fetchOffset(t, c); off != -1 {
		t.Fatalf("an offset that was not written is visible: %d", off)
	}
}

func TestDeleteGroupsAndOffsets(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	ids := stableGroup(t, c, clk, 1)
	c.OffsetCommit(commitReq(1, ids[0], 5), exists)

	del := kmsg.NewPtrDeleteGroupsRequest()
	del.Version = 2
	del.Groups = []string{testGroup, "unknown-group-36"}
	if r := c.DeleteGroups(del); r.Groups[0].ErrorCode != kerr.NonEmptyGroup.Code {
		t.Fatalf("delete of a Stable group: %+v", r.Groups)
	}
	od := kmsg.NewPtrOffsetDeleteRequest()
	od.Group = testGroup
	od.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}}}
	// The members' subscription metadata ("range") is not a consumer protocol
	// subscription, so Kafka cannot tell the topics: NON_EMPTY_GROUP.
	if r := c.OffsetDelete(od); r.ErrorCode != kerr.NonEmptyGroup.Code {
		t.Fatalf("offset delete in a non-empty group: %+v", r)
	}
	leave := kmsg.NewPtrLeaveGroupRequest()
	leave.Version = 1
	leave.Group, leave.MemberID = testGroup, ids[0]
	if r := c.LeaveGroup(leave); r.ErrorCode != 0 {
		t.Fatalf("leave: %d", r.ErrorCode)
	}
	c.bg.Wait()
	if r := c.DeleteGroups(del); r.Groups[0].ErrorCode != 0 || r.Groups[1].ErrorCode != kerr.NotCoordinator.Code {
		t.Fatalf("delete of an Empty group: %+v", r.Groups)
	}
	recs := l.records(t, 36)
	tail := recs[len(recs)-2:]
	var sawGroup, sawOffset bool
	for _, r := range tail {
		sawGroup = sawGroup || (r.isGroup && r.group == nil && r.groupKey == testGroup)
		sawOffset = sawOffset || (r.offsetKey != nil && r.offset == nil && r.offsetKey.Partition == 0)
	}
	if !sawGroup || !sawOffset {
		t.Fatalf("tombstones missing: %+v", tail)
	}
	if st, _ := state(c); st != Dead {
		t.Fatalf("deleted group still there: %s", st)
	}
}

func TestOffsetsExpireAfterRetention(t *testing.T) {
	c, clk, l := newTestCoordinator(t)
	c.OffsetCommit(commitReq(-1, "", 7), exists)
	clk.Advance(30 * time.Minute)
	if n := c.ExpireOffsets(); n != 0 {
		t.Fatalf("expired %d offsets before offsets.retention.minutes", n)
	}
	clk.Advance(31 * time.Minute)
	if n := c.ExpireOffsets(); n != 1 {
		t.Fatalf("expired %d offsets, want 1", n)
	}
	if st, _ := state(c); st != Dead {
		t.Fatalf("a group with no members and no offsets left is %s", st)
	}
	recs := l.records(t, 36)
	if last := recs[len(recs)-1]; !last.isGroup || last.group != nil {
		t.Fatalf("no group tombstone after expiry: %+v", last)
	}
}

func TestLoadInProgress(t *testing.T) {
	clk := &fakeClock{now: time.UnixMilli(1)}
	c := New(testConfig, &blockingLog{fakeLog: newFakeLog(), release: make(chan struct{})}, clk, quietLogger)
	defer c.Close()
	c.BecomeLeader(36, 0)
	if r := c.JoinGroup(context.Background(), joinReq("", nil), "c", "h"); r.ErrorCode != kerr.CoordinatorLoadInProgress.Code {
		t.Fatalf("join while loading: %d", r.ErrorCode)
	}
	close(c.log.(*blockingLog).release)
	waitLoaded(t, c)
}

// blockingLog holds a load until released.
type blockingLog struct {
	*fakeLog
	release chan struct{}
}

func (l *blockingLog) Bounds(p int32) (int64, int64, error) {
	<-l.release
	return l.fakeLog.Bounds(p)
}

func codeOf(err *kerr.Error) int16 {
	if err == nil {
		return 0
	}
	return err.Code
}
