package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// CreateTopics: v0-7
//
// Behavior:
// * Authorization: Create on the cluster, or on each topic, else
//   TOPIC_AUTHORIZATION_FAILED; the created topic's configs need DescribeConfigs on
//   it, else the config error is TOPIC_AUTHORIZATION_FAILED.
// * Handed to the metadata source, which validates names, partitions, replication
//   factor, assignments and configs with Kafka's errors.
// * A topic named twice in one request fails with INVALID_REQUEST, as in Kafka.
// Version notes:
// * v1: validate only, error messages
// * v5: flexible; the created topic's partitions, replication factor and configs
// * v7: topic id

func init() { regKey(19, 0, 7, handleCreateTopics) }

func handleCreateTopics(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreateTopicsRequest)
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	seen := make(map[string]int)
	for _, rt := range req.Topics {
		seen[rt.Topic]++
	}
	img := b.Image()
	names := namesOf(req.Topics, func(t *kmsg.CreateTopicsRequestTopic) string { return t.Topic })
	creatable := c.authorizedTopics(img, metadata.ACLOperationCreate, names)
	creatable.all = creatable.all || c.authorizedCluster(img, metadata.ACLOperationCreate)
	configsVisible := c.authorizedTopics(img, metadata.ACLOperationDescribeConfigs, names)
	var specs []metadata.TopicSpec
	for _, rt := range req.Topics {
		if seen[rt.Topic] > 1 || !creatable.allows(rt.Topic) {
			continue
		}
		spec := metadata.TopicSpecFromRequest(rt)
		specs = append(specs, spec)
	}
	results := make(map[string]metadata.CreateTopicResult)
	if len(specs) > 0 {
		ctx, cancel := requestContext(req.TimeoutMillis)
		defer cancel()
		for _, r := range b.Source().CreateTopics(ctx, specs, req.ValidateOnly) {
			results[r.Name] = r
		}
	}
	img = b.Image()
	for _, rt := range req.Topics {
		st := kmsg.NewCreateTopicsResponseTopic()
		st.Topic = rt.Topic
		st.NumPartitions = -1
		st.ReplicationFactor = -1
		if seen[rt.Topic] > 1 {
			msg := "Create topics request from client contains duplicate topic " + rt.Topic
			st.ErrorCode = kerr.InvalidRequest.Code
			st.ErrorMessage = &msg
			resp.Topics = append(resp.Topics, st)
			continue
		}
		if !creatable.allows(rt.Topic) {
			msg := "Authorization failed."
			st.ErrorCode, st.ErrorMessage = kerr.TopicAuthorizationFailed.Code, &msg
			resp.Topics = append(resp.Topics, st)
			continue
		}
		r := results[rt.Topic]
		if r.Err != nil {
			st.ErrorCode = errorCode(r.Err)
			msg := r.Err.Error()
			st.ErrorMessage = &msg
			resp.Topics = append(resp.Topics, st)
			continue
		}
		st.TopicID = r.ID
		st.NumPartitions = r.NumPartitions
		st.ReplicationFactor = r.ReplicationFactor
		if !configsVisible.allows(rt.Topic) {
			st.ConfigErrorCode = kerr.TopicAuthorizationFailed.Code
			resp.Topics = append(resp.Topics, st)
			continue
		}
		for _, e := range b.topicConfigEntries(img, rt.Topic) {
			c := kmsg.NewCreateTopicsResponseTopicConfig()
			c.Name = e.name
			c.Value = e.value
			c.Source = e.source
			c.IsSensitive = e.sensitive
			st.Configs = append(st.Configs, c)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}
