package metadata

import "context"

// QuorumInfo describes the metadata quorum as DescribeQuorum (API 55) reports it: the
// leader, its epoch and high watermark, and how far each voter and observer has read.
type QuorumInfo struct {
	LeaderID      int32
	LeaderEpoch   int32
	HighWatermark int64
	Voters        []QuorumReplica
	Observers     []QuorumReplica
	// Nodes are the voters' endpoints (DescribeQuorum v2).
	Nodes []QuorumNode
}

// QuorumReplica is one voter or observer. Timestamps are Unix milliseconds, -1 when
// unknown (Kafka's convention).
type QuorumReplica struct {
	ID                    int32
	LogEndOffset          int64
	LastFetchTimestamp    int64
	LastCaughtUpTimestamp int64
}

// QuorumDescriber is implemented by sources backed by a Raft quorum; a broker answers
// DescribeQuorum through it, and a ZooKeeper source simply does not implement it.
type QuorumDescriber interface {
	DescribeQuorum(ctx context.Context) (QuorumInfo, error)
}
