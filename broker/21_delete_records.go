package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DeleteRecords: v0-2
//
// Behavior:
// * Authorization: Delete on each topic, else TOPIC_AUTHORIZATION_FAILED.
// * Raises the log start offset of a partition led here; -1 means the high watermark.
//   Whole segments below the new start are deleted.
// * An offset above the high watermark is OFFSET_OUT_OF_RANGE.
// Version notes:
// * v2: flexible

func init() { regKey(21, 0, 2, handleDeleteRecords) }

func handleDeleteRecords(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DeleteRecordsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteRecordsResponse)
	deletable := c.authorizedTopics(b.Image(), metadata.ACLOperationDelete, namesOf(req.Topics, func(t *kmsg.DeleteRecordsRequestTopic) string { return t.Topic }))
	for _, rt := range req.Topics {
		st := kmsg.NewDeleteRecordsResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewDeleteRecordsResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.LowWatermark = -1
			p, ok := b.replicas.Get(rt.Topic, rp.Partition)
			switch {
			case !deletable.allows(rt.Topic):
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
			case !ok && b.Image().Topics[rt.Topic] == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case !ok || p.state().leader != b.id:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			default:
				hw := p.HighWatermark()
				offset := rp.Offset
				if offset == -1 {
					offset = hw
				}
				if offset < 0 || offset > hw {
					sp.ErrorCode = kerr.OffsetOutOfRange.Code
					break
				}
				low, err := p.log.DeleteRecordsBefore(offset)
				if err != nil {
					b.log.Error("delete records", "topic", rt.Topic, "partition", rp.Partition, "err", err)
					sp.ErrorCode = errorCode(err)
					break
				}
				sp.LowWatermark = low
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
