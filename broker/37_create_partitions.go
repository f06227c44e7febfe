package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// CreatePartitions: v0-3
//
// Behavior:
// * Authorization: Alter on each topic, else TOPIC_AUTHORIZATION_FAILED.
// * Raises a topic's partition count through the metadata source, optionally with an
//   explicit assignment of the new partitions.
// Version notes:
// * v2: flexible

func init() { regKey(37, 0, 3, handleCreatePartitions) }

func handleCreatePartitions(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreatePartitionsRequest)
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	alterable := c.authorizedTopics(b.Image(), metadata.ACLOperationAlter, namesOf(req.Topics, func(t *kmsg.CreatePartitionsRequestTopic) string { return t.Topic }))
	ctx, cancel := requestContext(req.TimeoutMillis)
	defer cancel()
	for _, rt := range req.Topics {
		var assignment [][]int32
		for _, a := range rt.Assignment {
			assignment = append(assignment, a.Replicas)
		}
		st := kmsg.NewCreatePartitionsResponseTopic()
		st.Topic = rt.Topic
		err := error(kerr.TopicAuthorizationFailed)
		if alterable.allows(rt.Topic) {
			err = b.Source().CreatePartitions(ctx, rt.Topic, rt.Count, assignment, req.ValidateOnly)
		}
		if err != nil {
			st.ErrorCode = errorCode(err)
			msg := err.Error()
			st.ErrorMessage = &msg
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
