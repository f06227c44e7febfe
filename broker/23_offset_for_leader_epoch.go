package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// OffsetForLeaderEpoch: v0-4
//
// Behavior:
// * Authorization: ClusterAction on the cluster (followers), or Describe on each
//   topic (consumers, KIP-320), else TOPIC_AUTHORIZATION_FAILED.
// * The end offset of the asked-for leader epoch from the leader-epoch checkpoint: the
//   start of the next larger epoch, or the log end offset for the current one. Clients
//   use it to detect log truncation after a leader change (KIP-320); followers (replica
//   id >= 0) ask it before fetching in a new leader epoch, to learn where to truncate
//   (KIP-101, KIP-279). A new leader's epoch is in the history before it writes, so the
//   answer is right from the start of its term.
// Version notes:
// * v1: leader epoch in the answer
// * v2: current leader epoch (fencing)
// * v3: replica id
// * v4: flexible

func init() { regKey(23, 0, 4, handleOffsetForLeaderEpoch) }

func handleOffsetForLeaderEpoch(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.OffsetForLeaderEpochRequest)
	resp := req.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	img := b.Image()
	describable := c.authorizedTopics(img, metadata.ACLOperationDescribe, namesOf(req.Topics, func(t *kmsg.OffsetForLeaderEpochRequestTopic) string { return t.Topic }))
	describable.all = describable.all || c.authorizedCluster(img, metadata.ACLOperationClusterAction)
	for _, rt := range req.Topics {
		st := kmsg.NewOffsetForLeaderEpochResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.LeaderEpoch = -1
			sp.EndOffset = -1
			p, ok := b.replicas.Get(rt.Topic, rp.Partition)
			t := img.Topics[rt.Topic]
			switch {
			case !describable.allows(rt.Topic):
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
			case t == nil || t.Partitions[rp.Partition] == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case !ok || p.state().leader != b.id:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < p.state().leaderEpoch:
				sp.ErrorCode = kerr.FencedLeaderEpoch.Code
			case rp.CurrentLeaderEpoch > p.state().leaderEpoch:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			default:
				sp.LeaderEpoch, sp.EndOffset = p.log.EndOffsetForEpoch(rp.LeaderEpoch)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
