package metadata

import "github.com/twmb/franz-go/pkg/kmsg"

// QuorumNode is a voter's endpoints, which DescribeQuorum v2 lists (KIP-853) so that
// a client can reach every voter without knowing controller.quorum.voters.
type QuorumNode struct {
	ID        int32
	Listeners []Endpoint
}

// ResponsePartition is info as __cluster_metadata-0's entry of a DescribeQuorum
// response, the same from the controller listener and from a broker that forwarded
// the request. The fields of later versions are ignored by earlier ones when encoded.
// Replica directory ids stay zero: the quorum is static (controller.quorum.voters).
func (info QuorumInfo) ResponsePartition() kmsg.DescribeQuorumResponseTopicPartition {
	sp := kmsg.NewDescribeQuorumResponseTopicPartition()
	sp.LeaderID, sp.LeaderEpoch, sp.HighWatermark = info.LeaderID, info.LeaderEpoch, info.HighWatermark
	for _, v := range info.Voters {
		sp.CurrentVoters = append(sp.CurrentVoters, v.replicaState())
	}
	for _, o := range info.Observers {
		sp.Observers = append(sp.Observers, o.replicaState())
	}
	return sp
}

func (r QuorumReplica) replicaState() kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	rs := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
	rs.ReplicaID, rs.LogEndOffset = r.ID, r.LogEndOffset
	rs.LastFetchTimestamp, rs.LastCaughtUpTimestamp = r.LastFetchTimestamp, r.LastCaughtUpTimestamp
	return rs
}

// ResponseNodes is info's voters' endpoints for a DescribeQuorum v2+ response.
func (info QuorumInfo) ResponseNodes() []kmsg.DescribeQuorumResponseNode {
	var nodes []kmsg.DescribeQuorumResponseNode
	for _, n := range info.Nodes {
		rn := kmsg.NewDescribeQuorumResponseNode()
		rn.NodeID = n.ID
		for _, ep := range n.Listeners {
			l := kmsg.NewDescribeQuorumResponseNodeListener()
			l.Name, l.Host, l.Port = ep.Name, ep.Host, ep.Port
			rn.Listeners = append(rn.Listeners, l)
		}
		nodes = append(nodes, rn)
	}
	return nodes
}

// QuorumInfoFromResponse reads a DescribeQuorum response's __cluster_metadata-0 entry
// and nodes back, as a broker does with the answer of the quorum it forwarded to.
func QuorumInfoFromResponse(p kmsg.DescribeQuorumResponseTopicPartition, nodes []kmsg.DescribeQuorumResponseNode) QuorumInfo {
	info := QuorumInfo{LeaderID: p.LeaderID, LeaderEpoch: p.LeaderEpoch, HighWatermark: p.HighWatermark}
	replica := func(rs kmsg.DescribeQuorumResponseTopicPartitionReplicaState) QuorumReplica {
		return QuorumReplica{ID: rs.ReplicaID, LogEndOffset: rs.LogEndOffset, LastFetchTimestamp: rs.LastFetchTimestamp, LastCaughtUpTimestamp: rs.LastCaughtUpTimestamp}
	}
	for _, v := range p.CurrentVoters {
		info.Voters = append(info.Voters, replica(v))
	}
	for _, o := range p.Observers {
		info.Observers = append(info.Observers, replica(o))
	}
	for _, n := range nodes {
		qn := QuorumNode{ID: n.NodeID}
		for _, l := range n.Listeners {
			qn.Listeners = append(qn.Listeners, Endpoint{Name: l.Name, Host: l.Host, Port: l.Port})
		}
		info.Nodes = append(info.Nodes, qn)
	}
	return info
}
