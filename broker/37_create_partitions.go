package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// CreatePartitions: v0-3
//
// Behavior:
// * Raises a topic's partition count through the metadata source, optionally with an
//   explicit assignment of the new partitions.
// Version notes:
// * v2: flexible

func init() { regKey(37, 0, 3, handleCreatePartitions) }

func handleCreatePartitions(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreatePartitionsRequest)
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	ctx, cancel := requestContext(req.TimeoutMillis)
	defer cancel()
	for _, rt := range req.Topics {
		var assignment [][]int32
		for _, a := range rt.Assignment {
			assignment = append(assignment, a.Replicas)
		}
		st := kmsg.NewCreatePartitionsResponseTopic()
		st.Topic = rt.Topic
		if err := b.Source().CreatePartitions(ctx, rt.Topic, rt.Count, assignment, req.ValidateOnly); err != nil {
			st.ErrorCode = errorCode(err)
			msg := err.Error()
			st.ErrorMessage = &msg
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
