package kraftmode

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// TestRaftStatsOfThreeVoters: one voter reports itself leader, with its own vote and a
// measured election; all report the same leader and epoch; the leader's high watermark
// and log end are DescribeQuorum's; a write shows as records appended and a commit
// latency on the leader and as records fetched on the followers, whose high watermark
// catches up; the votes read back from Raft's store name the leader.
func TestRaftStatsOfThreeVoters(t *testing.T) {
	nodes, leaderNode := startQuorum(t, 3)
	leader := leaderNode.c
	var followers []*Controller
	for _, nd := range nodes {
		if nd != leaderNode {
			followers = append(followers, nd.c)
		}
	}
	ls := leader.RaftStats()
	if ls.CurrentState != "leader" || ls.CurrentLeader != leader.opts.NodeID || ls.CurrentVote != leader.opts.NodeID {
		t.Fatalf("leader reports state %q, leader %d, vote %d", ls.CurrentState, ls.CurrentLeader, ls.CurrentVote)
	}
	if math.IsNaN(ls.ElectionLatencyAvg) || ls.ElectionLatencyMax < ls.ElectionLatencyAvg || ls.ElectionLatencyAvg <= 0 {
		t.Errorf("leader's election latency avg %v max %v; it campaigned and won", ls.ElectionLatencyAvg, ls.ElectionLatencyMax)
	}
	for _, f := range followers {
		fs := f.RaftStats()
		if fs.CurrentState != "follower" || fs.CurrentLeader != ls.CurrentLeader || fs.CurrentEpoch != ls.CurrentEpoch || fs.CurrentVote != -1 {
			t.Errorf("node %d reports state %q, leader %d, epoch %d, vote %d; the leader %d is in epoch %d",
				f.opts.NodeID, fs.CurrentState, fs.CurrentLeader, fs.CurrentEpoch, fs.CurrentVote, ls.CurrentLeader, ls.CurrentEpoch)
		}
	}

	term := leader.raft.CurrentTerm()
	servers := leader.raft.GetConfiguration().Configuration().Servers
	if id, ok := leader.votedFor(term, servers); !ok || id != leader.opts.NodeID {
		t.Errorf("the leader's stored vote in term %d is %d (%v), want itself", term, id, ok)
	}
	votes := 0
	for _, f := range followers {
		if id, ok := f.votedFor(term, servers); ok && id == leader.opts.NodeID {
			votes++
		}
	}
	if votes == 0 {
		t.Error("no follower's stored vote names the leader, which needed one to win")
	}

	for id := int32(1); id <= 3; id++ {
		registerBroker(t, leader, id)
	}
	if res := leader.CreateTopics(context.Background(), []metadata.TopicSpec{{Name: "counted", NumPartitions: 3, ReplicationFactor: 3}}, false); res[0].Err != nil {
		t.Fatalf("create: %v", res[0].Err)
	}
	ls = leader.RaftStats()
	if ls.AppendRecordsRate <= 0 || math.IsNaN(ls.CommitLatencyAvg) || ls.CommitLatencyAvg < 0 || ls.CommitLatencyMax < ls.CommitLatencyAvg {
		t.Errorf("after writes the leader reports append rate %v, commit latency avg %v max %v",
			ls.AppendRecordsRate, ls.CommitLatencyAvg, ls.CommitLatencyMax)
	}
	if ls.FetchRecordsRate != 0 {
		t.Errorf("the leader fetched %v records/s; it wrote them", ls.FetchRecordsRate)
	}
	info, err := leader.DescribeQuorum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ls = leader.RaftStats()
	if ls.HighWatermark != info.HighWatermark || ls.LogEndOffset != leaderLogEnd(info, leader.opts.NodeID) || ls.LogEndEpoch != ls.CurrentEpoch {
		t.Errorf("leader reports high watermark %d, log end %d (epoch %d); DescribeQuorum says %d and %d in epoch %d",
			ls.HighWatermark, ls.LogEndOffset, ls.LogEndEpoch, info.HighWatermark, leaderLogEnd(info, leader.opts.NodeID), ls.CurrentEpoch)
	}
	for _, f := range followers {
		waitFor(t, "a follower to apply the leader's writes", 10*time.Second, func() bool {
			fs := f.RaftStats()
			return fs.HighWatermark >= info.HighWatermark && fs.FetchRecordsRate > 0 && fs.AppendRecordsRate == 0
		})
	}
}

// leaderLogEnd is the log end offset DescribeQuorum reports for voter id.
func leaderLogEnd(info metadata.QuorumInfo, id int32) int64 {
	for _, v := range info.Voters {
		if v.ID == id {
			return v.LogEndOffset
		}
	}
	return -1
}
