package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeQuorum: v0-2
//
// Behavior:
// * Authorization: Describe on the cluster, else CLUSTER_AUTHORIZATION_FAILED for each
//   partition.
// * Forwarded to the metadata quorum through the source, as a Kafka broker forwards it
//   to the controller; a source without a quorum (ZooKeeper mode) answers
//   UNSUPPORTED_VERSION for the partition, as a ZooKeeper-mode Kafka has no quorum.
// Version notes:
// * v1: LastFetchTimestamp and LastCaughtUpTimestamp
// * v2: error messages, replica directory ids (zero: a static quorum) and the voters'
//   endpoints (KIP-853)

func init() { regKey(55, 0, 2, handleDescribeQuorum) }

func handleDescribeQuorum(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeQuorumRequest)
	resp := req.ResponseKind().(*kmsg.DescribeQuorumResponse)
	describable := c.authorizedCluster(b.Image(), metadata.ACLOperationDescribe)
	qd, hasQuorum := b.Source().(metadata.QuorumDescriber)
	for _, rt := range req.Topics {
		st := kmsg.NewDescribeQuorumResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewDescribeQuorumResponseTopicPartition()
			sp.Partition = rp.Partition
			switch {
			case !describable:
				sp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
			case rt.Topic != "__cluster_metadata" || rp.Partition != 0:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case !hasQuorum:
				sp.ErrorCode = kerr.UnsupportedVersion.Code
			default:
				ctx, cancel := requestContext(0)
				info, err := qd.DescribeQuorum(ctx)
				cancel()
				if err != nil {
					sp.ErrorCode = errorCode(err)
					break
				}
				sp = info.ResponsePartition()
				sp.Partition = rp.Partition
				resp.Nodes = info.ResponseNodes()
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
