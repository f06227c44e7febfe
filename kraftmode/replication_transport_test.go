package kraftmode

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// startQuorum starts n voters and returns them with the one that leads.
func startQuorum(t *testing.T, n int) ([]*testNode, *testNode) {
	t.Helper()
	nodes := newTestCluster(t, n)
	for _, nd := range nodes {
		nd.start()
	}
	for _, nd := range nodes {
		nd.waitReady()
	}
	for _, nd := range nodes {
		if nd.c.IsLeader() {
			return nodes, nd
		}
	}
	t.Fatalf("no leader among %d ready voters", n)
	return nil, nil
}

// waitQuorum describes the quorum on c until ok accepts the answer, failing after 10 s
// with the last answer.
func waitQuorum(t *testing.T, c *Controller, what string, ok func(metadata.QuorumInfo) bool) metadata.QuorumInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := c.DescribeQuorum(context.Background())
		if err != nil {
			t.Fatalf("describe quorum on node %d: %v", c.opts.NodeID, err)
		}
		if ok(info) {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened; last answer %+v", what, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func replicaOf(t *testing.T, replicas []metadata.QuorumReplica, id int32) metadata.QuorumReplica {
	t.Helper()
	for _, r := range replicas {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("replica %d not in %+v", id, replicas)
	return metadata.QuorumReplica{}
}

func TestDescribeQuorumFollowsReplication(t *testing.T) {
	nodes, leaderNode := startQuorum(t, 3)
	leader := leaderNode.c
	for id := int32(1); id <= 3; id++ {
		registerBroker(t, leader, id)
	}

	info := waitQuorum(t, leader, "every voter caught up", func(info metadata.QuorumInfo) bool {
		for _, v := range info.Voters {
			if v.LogEndOffset != info.HighWatermark || v.LastFetchTimestamp <= 0 || v.LastCaughtUpTimestamp <= 0 {
				return false
			}
		}
		return len(info.Voters) == 3
	})
	if info.LeaderID != leader.opts.NodeID || info.LeaderEpoch != int32(leader.raft.CurrentTerm()) {
		t.Errorf("leader %d epoch %d, want %d epoch %d", info.LeaderID, info.LeaderEpoch, leader.opts.NodeID, leader.raft.CurrentTerm())
	}
	for i, v := range info.Voters {
		if v.ID != int32(i+1) {
			t.Errorf("voters %+v not ordered by id", info.Voters)
		}
	}
	// The bootstrap configuration is index 1; the three registrations follow it.
	if info.HighWatermark < 4 {
		t.Errorf("high watermark %d after three registrations", info.HighWatermark)
	}
	if len(info.Observers) != 0 {
		t.Errorf("observers %+v before any broker fetched", info.Observers)
	}

	var followers []*testNode
	for _, nd := range nodes {
		if nd != leaderNode {
			followers = append(followers, nd)
			_, err := nd.c.DescribeQuorum(context.Background())
			if !errors.Is(err, kerr.NotLeaderForPartition) {
				t.Errorf("describe on follower %d: %v, want NOT_LEADER_OR_FOLLOWER", nd.opts.NodeID, err)
			}
		}
	}

	stopped, live := followers[0], followers[1]
	stopped.stop()
	// Let responses already on the wire land before taking the reference point.
	time.Sleep(200 * time.Millisecond)
	before, err := leader.DescribeQuorum(context.Background())
	if err != nil {
		t.Fatalf("describe quorum: %v", err)
	}
	stoppedBefore := replicaOf(t, before.Voters, stopped.opts.NodeID)
	liveBefore := replicaOf(t, before.Voters, live.opts.NodeID)

	for id := int32(4); id <= 6; id++ {
		registerBroker(t, leader, id)
	}
	// Several heartbeat intervals (a tenth of the 500 ms heartbeat timeout) pass, so a
	// follower still answering would have moved its fetch time on.
	time.Sleep(300 * time.Millisecond)
	after := waitQuorum(t, leader, "the live follower caught up", func(info metadata.QuorumInfo) bool {
		return info.HighWatermark > before.HighWatermark &&
			replicaOf(t, info.Voters, live.opts.NodeID).LogEndOffset == info.HighWatermark
	})
	stoppedAfter := replicaOf(t, after.Voters, stopped.opts.NodeID)
	if stoppedAfter.LastFetchTimestamp != stoppedBefore.LastFetchTimestamp {
		t.Errorf("stopped follower's LastFetchTimestamp moved from %d to %d", stoppedBefore.LastFetchTimestamp, stoppedAfter.LastFetchTimestamp)
	}
	if stoppedAfter.LogEndOffset != stoppedBefore.LogEndOffset || stoppedAfter.LogEndOffset >= after.HighWatermark {
		t.Errorf("stopped follower's LogEndOffset %d (was %d), want it to lag the high watermark %d",
			stoppedAfter.LogEndOffset, stoppedBefore.LogEndOffset, after.HighWatermark)
	}
	if stoppedAfter.LastCaughtUpTimestamp > stoppedBefore.LastFetchTimestamp {
		t.Errorf("stopped follower caught up at %d, after its last fetch at %d", stoppedAfter.LastCaughtUpTimestamp, stoppedBefore.LastFetchTimestamp)
	}
	liveAfter := replicaOf(t, after.Voters, live.opts.NodeID)
	if liveAfter.LastFetchTimestamp <= liveBefore.LastFetchTimestamp || liveAfter.LastCaughtUpTimestamp <= liveBefore.LastCaughtUpTimestamp {
		t.Errorf("live follower's timestamps did not advance: before %+v after %+v", liveBefore, liveAfter)
	}
	if self := replicaOf(t, after.Voters, leader.opts.NodeID); self.LogEndOffset < after.HighWatermark {
		t.Errorf("leader's own LogEndOffset %d behind its high watermark %d", self.LogEndOffset, after.HighWatermark)
	}
}

func TestDescribeQuorumListsFetchingBrokers(t *testing.T) {
	_, leaderNode := startQuorum(t, 1)
	leader := leaderNode.c
	registerBroker(t, leader, 100)
	hw := int64(leader.raft.CommitIndex())

	leader.RecordObserverFetch(100, hw+1) // caught up: wants the index after the commit
	leader.RecordObserverFetch(101, hw-1) // two entries behind
	leader.RecordObserverFetch(1, hw+1)   // the voter's own broker in combined mode
	info, err := leader.DescribeQuorum(context.Background())
	if err != nil {
		t.Fatalf("describe quorum: %v", err)
	}
	if len(info.Observers) != 2 {
		t.Fatalf("observers %+v, want brokers 100 and 101", info.Observers)
	}
	caughtUp, behind := info.Observers[0], info.Observers[1]
	if caughtUp.ID != 100 || caughtUp.LogEndOffset != info.HighWatermark || caughtUp.LastCaughtUpTimestamp < 0 {
		t.Errorf("caught-up broker %+v, want LogEndOffset %d and a caught-up time", caughtUp, info.HighWatermark)
	}
	if behind.ID != 101 || behind.LogEndOffset != hw-2 || behind.LastCaughtUpTimestamp != -1 || behind.LastFetchTimestamp < 0 {
		t.Errorf("lagging broker %+v, want LogEndOffset %d, fetched, never caught up", behind, hw-2)
	}
}
