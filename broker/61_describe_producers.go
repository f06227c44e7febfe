package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeProducers: v0
//
// Behavior:
// * The producers a partition's log holds state for (KIP-664): id, epoch, last
//   sequence, last timestamp, the coordinator epoch of the last marker and the first
//   offset of the open transaction (-1 when none): what kafka-transactions
//   find-hanging looks for. Any replica hosting the partition answers, as Kafka's
//   does, so a follower can be asked too; a broker without it answers
//   NOT_LEADER_OR_FOLLOWER.
// * Authorization: Read on the topic, else TOPIC_AUTHORIZATION_FAILED; unknown topics
//   and partitions: UNKNOWN_TOPIC_OR_PARTITION.

func init() { regKey(61, 0, 0, handleDescribeProducers) }

func handleDescribeProducers(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeProducersRequest)
	resp := req.ResponseKind().(*kmsg.DescribeProducersResponse)
	img := b.Image()
	readable := c.authorizedTopics(img, metadata.ACLOperationRead, namesOf(req.Topics, func(t *kmsg.DescribeProducersRequestTopic) string { return t.Topic }))
	for _, rt := range req.Topics {
		st := kmsg.NewDescribeProducersResponseTopic()
		st.Topic = rt.Topic
		t := img.Topics[rt.Topic]
		for _, partition := range rt.Partitions {
			sp := kmsg.NewDescribeProducersResponseTopicPartition()
			sp.Partition = partition
			p, hosted := b.replicas.Get(rt.Topic, partition)
			switch {
			case !readable.allows(rt.Topic):
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
			case t == nil || t.Partitions[partition] == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case !hosted:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			default:
				for _, pi := range p.log.Producers() {
					ap := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
					ap.ProducerID, ap.ProducerEpoch = pi.ProducerID, int32(pi.ProducerEpoch)
					ap.LastSequence, ap.LastTimestamp = pi.LastSequence, pi.LastTimestamp
					ap.CoordinatorEpoch, ap.CurrentTxnStartOffset = pi.CoordinatorEpoch, pi.CurrentTxnStartOffset
					sp.ActiveProducers = append(sp.ActiveProducers, ap)
				}
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
