package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// ElectLeaders: v0-2
//
// Behavior:
// * Authorization: Alter on the cluster, else CLUSTER_AUTHORIZATION_FAILED for the
//   request and each partition.
// * Preferred or unclean election, handed to the metadata source; no topics means
//   every partition, as `kafka-leader-election --all-topic-partitions` sends it.
// * Per-partition errors: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
//   ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION.
// Version notes:
// * v1: ElectionType and a top-level ErrorCode
// * v2: flexible

func init() { regKey(43, 0, 2, handleElectLeaders) }

func handleElectLeaders(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ElectLeadersRequest)
	resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
	if !c.authorizedCluster(b.Image(), metadata.ACLOperationAlter) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		for _, rt := range req.Topics {
			st := kmsg.NewElectLeadersResponseTopic()
			st.Topic = rt.Topic
			for _, p := range rt.Partitions {
				sp := kmsg.NewElectLeadersResponseTopicPartition()
				sp.Partition, sp.ErrorCode = p, kerr.ClusterAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil
	}
	ctx, cancel := requestContext(req.TimeoutMillis)
	defer cancel()
	results, err := b.Source().ElectLeaders(ctx, req.ElectionType == 1, metadata.ElectionPartitions(req))
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	resp.Topics = metadata.ElectionResponseTopics(results, errorCode)
	return resp, nil
}
