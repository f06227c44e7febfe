package kraftmode

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

var _ metadata.QuorumDescriber = (*Controller)(nil)

// DescribeQuorum answers Kafka's DescribeQuorum (API 55) for __cluster_metadata-0. Only
// the leader knows its followers' progress, so any other voter fails with
// NOT_LEADER_OR_FOLLOWER naming the leader it knows, as Kafka's voters do.
//
// Offsets are Raft indexes, as everywhere in the metadata log: HighWatermark is the
// commit index and a replica's LogEndOffset is the last index it is known to hold, so a
// caught-up replica has LogEndOffset == HighWatermark (lag 0). The leader reports its
// own last index and the current time for both timestamps, as Kafka's leader does.
func (c *Controller) DescribeQuorum(ctx context.Context) (metadata.QuorumInfo, error) {
	if err := ctx.Err(); err != nil {
		return metadata.QuorumInfo{}, fmt.Errorf("describe quorum on node %d: %w", c.opts.NodeID, err)
	}
	term := c.raft.CurrentTerm()
	if c.raft.State() != raft.Leader {
		return metadata.QuorumInfo{}, kafkaErr(kerr.NotLeaderForPartition,
			"node %d is not the leader of the metadata quorum (the leader is %d)", c.opts.NodeID, c.LeaderID())
	}
	cf := c.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return metadata.QuorumInfo{}, fmt.Errorf("describe quorum: read raft configuration: %w", err)
	}
	info := metadata.QuorumInfo{
		LeaderID:      c.opts.NodeID,
		LeaderEpoch:   int32(term),
		HighWatermark: int64(c.raft.CommitIndex()),
	}
	progress := c.observed.progress
	now := progress.now().UnixMilli()
	voterIDs := make(map[int32]bool)
	for _, s := range cf.Configuration().Servers {
		if s.Suffrage != raft.Voter {
			continue
		}
		id, err := strconv.ParseInt(string(s.ID), 10, 32)
		if err != nil {
			return metadata.QuorumInfo{}, fmt.Errorf("describe quorum: raft server id %q is not a node id: %w", s.ID, err)
		}
		voterIDs[int32(id)] = true
		if int32(id) == c.opts.NodeID {
			info.Voters = append(info.Voters, metadata.QuorumReplica{
				ID:                    c.opts.NodeID,
				LogEndOffset:          int64(c.raft.LastIndex()),
				LastFetchTimestamp:    now,
				LastCaughtUpTimestamp: now,
			})
			continue
		}
		info.Voters = append(info.Voters, progress.voter(s.ID, int32(id), term))
	}
	sort.Slice(info.Voters, func(i, j int) bool { return info.Voters[i].ID < info.Voters[j].ID })
	for _, v := range c.opts.Voters {
		info.Nodes = append(info.Nodes, metadata.QuorumNode{ID: v.ID,
			Listeners: []metadata.Endpoint{{Name: c.opts.ListenerName, Host: v.Host, Port: uint16(v.Port)}}})
	}
	info.Observers = progress.observersIn(term, voterIDs)
	return info, nil
}

// RecordObserverFetch is called by the controller's metadata fetch handler for every
// fetch of __cluster_metadata-0 by broker replicaID, so that DescribeQuorum can list
// the brokers following the log as observers. A broker fetching from offset N holds
// every index below N, so its LogEndOffset on DescribeQuorum's Raft-index scale is N-1.
// Observers are served committed entries only, so one is caught up when it has the
// commit index, not the leader's last index.
func (c *Controller) RecordObserverFetch(replicaID int32, fetchOffset int64) {
	c.observed.progress.observerFetched(replicaID, c.raft.CurrentTerm(), fetchOffset-1, int64(c.raft.CommitIndex()))
}
