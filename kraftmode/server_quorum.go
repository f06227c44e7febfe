package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeQuorum: v0-2, DescribeCluster: v0-1
//
// Behavior:
// * DescribeQuorum is answered by the quorum leader; another voter answers
//   NOT_LEADER_OR_FOLLOWER with the leader id it knows, so a client can go there.
// * DescribeCluster on the controller listener lists the controllers (KIP-919's
//   EndpointType 2), which is how `metadata quorum --bootstrap-controller` learns the
//   cluster id.
// Version notes:
// * DescribeQuorum v1: LastFetchTimestamp and LastCaughtUpTimestamp
// * DescribeQuorum v2: error messages, replica directory ids (zero: a static quorum)
//   and the voters' endpoints (KIP-853)
// * DescribeCluster v1: EndpointType

func init() {
	serve(55, 0, 2, handleDescribeQuorum)
	serve(60, 0, 1, handleDescribeCluster)
}

func handleDescribeQuorum(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeQuorumRequest)
	resp := req.ResponseKind().(*kmsg.DescribeQuorumResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewDescribeQuorumResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewDescribeQuorumResponseTopicPartition()
			sp.Partition = rp.Partition
			if rt.Topic != MetadataTopic || rp.Partition != 0 {
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			info, err := s.c.DescribeQuorum(ctx)
			if err != nil {
				sp.ErrorCode, sp.ErrorMessage = errorCode(err), errorMessage(err)
				sp.LeaderID = s.c.LeaderID()
				sp.LeaderEpoch = int32(s.c.raft.CurrentTerm())
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			sp = info.ResponsePartition()
			sp.Partition = rp.Partition
			resp.Nodes = info.ResponseNodes()
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func handleDescribeCluster(_ context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.ClusterID = s.c.opts.ClusterID
	resp.ControllerID = s.c.LeaderID()
	resp.EndpointType = 2
	for _, v := range s.c.opts.Voters {
		b := kmsg.NewDescribeClusterResponseBroker()
		b.NodeID, b.Host, b.Port = v.ID, v.Host, int32(v.Port)
		resp.Brokers = append(resp.Brokers, b)
	}
	return resp, nil
}
