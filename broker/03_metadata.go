package broker

import (
	"iter"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// Metadata: v0-12
//
// Behavior:
// * Brokers are listed with their endpoint for the listener the request came in on.
// * A null topic list (v1+) or an empty one (v0) asks for every topic.
// * Missing topics are created when auto.create.topics.enable is set and the request
//   allows it (v4+), with num.partitions and default.replication.factor.
// * Authorization: Describe on each topic. Asked for every topic, the response leaves
//   out those the client may not describe; asked by name, they are
//   TOPIC_AUTHORIZATION_FAILED whether they exist or not. Auto-creation needs Create on
//   the cluster or the topic, else TOPIC_AUTHORIZATION_FAILED. Authorized operations
//   are returned when asked: the topic's (v8+) and the cluster's (v8-10, 0 without
//   Describe on the cluster).
// * The controller id is this broker: admin requests may be sent to any broker, which
//   hands them to the metadata source (as KRaft brokers forward to the quorum).
// Version notes:
// * v4: allow auto topic creation
// * v7: leader epoch
// * v9: flexible
// * v10: topic ids
// * v12: nullable topic names (lookup by id)

func init() { regKey(3, 0, 12, handleMetadata) }

// authorizedOperationsOmitted is Kafka's sentinel for "not requested".
const authorizedOperationsOmitted = -2147483648

func handleMetadata(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.MetadataRequest)
	resp := req.ResponseKind().(*kmsg.MetadataResponse)
	img := b.Image()

	all := req.Topics == nil || (req.Version == 0 && len(req.Topics) == 0)
	var describable topicGrants
	var uncreatable map[string]bool
	if !all {
		describable = c.authorizedTopics(img, metadata.ACLOperationDescribe, requestedTopicNames(img, req))
		img, uncreatable = b.autoCreateTopics(img, c, req, describable)
	}
	resp.Brokers = metadataBrokers(img, c.listener)
	clusterID := img.ClusterID
	resp.ClusterID = &clusterID
	resp.ControllerID = b.controllerID()
	resp.AuthorizedOperations = authorizedOperationsOmitted
	if req.Version >= 8 && req.Version <= 10 && req.IncludeClusterAuthorizedOperations {
		resp.AuthorizedOperations = 0
		if c.authorizedCluster(img, metadata.ACLOperationDescribe) {
			resp.AuthorizedOperations = b.authz.AuthorizedOperations(img, c.session(), metadata.ACLResourceCluster, metadata.ClusterResourceName)
		}
	}
	topicOps := func(st *kmsg.MetadataResponseTopic) {
		if req.Version >= 8 && req.IncludeTopicAuthorizedOperations {
			st.AuthorizedOperations = b.authz.AuthorizedOperations(img, c.session(), metadata.ACLResourceTopic, *st.Topic)
		}
	}

	if all {
		names := make([]string, 0, len(img.Topics))
		for name := range img.Topics {
			if c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTopic, name) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			st := metadataTopic(img, img.Topics[name])
			topicOps(&st)
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil
	}
	for _, rt := range req.Topics {
		var t *metadata.Topic
		var ok bool
		if rt.Topic != nil {
			t, ok = img.Topics[*rt.Topic]
		} else {
			t, ok = img.TopicsByID[metadata.Uuid(rt.TopicID)]
		}
		st := kmsg.NewMetadataResponseTopic()
		st.Topic = rt.Topic
		st.TopicID = rt.TopicID
		st.AuthorizedOperations = authorizedOperationsOmitted
		switch {
		case rt.Topic != nil && (!describable.allows(*rt.Topic) || uncreatable[*rt.Topic]):
			// Whether the topic exists is not disclosed.
			st.ErrorCode = kerr.TopicAuthorizationFailed.Code
		case rt.Topic == nil && ok && !describable.allows(t.Name):
			// A topic id is not a secret (KafkaApis: "Topic IDs are not considered
			// sensitive information").
			st.ErrorCode = kerr.TopicAuthorizationFailed.Code
		case !ok:
			st.ErrorCode = kerr.UnknownTopicOrPartition.Code
			if rt.Topic == nil {
				st.ErrorCode = kerr.UnknownTopicID.Code
			} else if err := metadata.ValidateTopicName(*rt.Topic); err != nil {
				st.ErrorCode = kerr.InvalidTopicException.Code
			}
		default:
			st = metadataTopic(img, t)
			topicOps(&st)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

// requestedTopicNames names the topics a Metadata request asks for, those asked by id
// that exist included.
func requestedTopicNames(img *metadata.Image, req *kmsg.MetadataRequest) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, rt := range req.Topics {
			name := ""
			if rt.Topic != nil {
				name = *rt.Topic
			} else if t, ok := img.TopicsByID[metadata.Uuid(rt.TopicID)]; ok {
				name = t.Name
			}
			if name != "" && !yield(name) {
				return
			}
		}
	}
}

// autoCreateTopics creates the requested topics that do not exist, when allowed, and
// returns the image that holds them. Only topics the client may describe are
// considered; of those, the ones it may not create (Create on the cluster or on the
// topic) are returned as uncreatable, for TOPIC_AUTHORIZATION_FAILED.
func (b *Broker) autoCreateTopics(img *metadata.Image, c *clientConn, req *kmsg.MetadataRequest, describable topicGrants) (*metadata.Image, map[string]bool) {
	if !b.cfg.AutoCreateTopicsEnable || (req.Version >= 4 && !req.AllowAutoTopicCreation) {
		return img, nil
	}
	var specs []metadata.TopicSpec
	uncreatable := map[string]bool{}
	clusterCreate := c.authorizedCluster(img, metadata.ACLOperationCreate)
	for _, rt := range req.Topics {
		if rt.Topic == nil || !describable.allows(*rt.Topic) {
			continue
		}
		if _, ok := img.Topics[*rt.Topic]; ok || metadata.ValidateTopicName(*rt.Topic) != nil || isInternalTopic(*rt.Topic) {
			continue
		}
		if !clusterCreate && !c.authorized(img, metadata.ACLOperationCreate, metadata.ACLResourceTopic, *rt.Topic) {
			uncreatable[*rt.Topic] = true
			continue
		}
		specs = append(specs, metadata.TopicSpec{Name: *rt.Topic, NumPartitions: -1, ReplicationFactor: -1})
	}
	if len(specs) == 0 {
		return img, uncreatable
	}
	ctx, cancel := requestContext(0)
	defer cancel()
	for _, res := range b.Source().CreateTopics(ctx, specs, false) {
		if res.Err != nil {
			b.log.Warn("auto-create topic failed", "topic", res.Name, "err", res.Err)
		} else {
			b.log.Info("auto-created topic", "topic", res.Name, "partitions", res.NumPartitions)
		}
	}
	return b.Image(), uncreatable
}

func metadataTopic(img *metadata.Image, t *metadata.Topic) kmsg.MetadataResponseTopic {
	st := kmsg.NewMetadataResponseTopic()
	name := t.Name
	st.Topic = &name
	st.TopicID = t.ID
	st.IsInternal = isInternalTopic(t.Name)
	st.AuthorizedOperations = authorizedOperationsOmitted
	ids := make([]int32, 0, len(t.Partitions))
	for id := range t.Partitions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		p := t.Partitions[id]
		sp := kmsg.NewMetadataResponseTopicPartition()
		sp.Partition = id
		sp.Leader = p.Leader
		sp.LeaderEpoch = p.LeaderEpoch
		sp.Replicas = p.Replicas
		sp.ISR = p.ISR
		for _, r := range p.Replicas {
			if br, ok := img.Brokers[r]; !ok || br.Fenced {
				sp.OfflineReplicas = append(sp.OfflineReplicas, r)
			}
		}
		if p.Leader < 0 {
			sp.ErrorCode = kerr.LeaderNotAvailable.Code
		}
		st.Partitions = append(st.Partitions, sp)
	}
	return st
}

// isInternalTopic reports Kafka's internal topics, which clients must not auto-create.
func isInternalTopic(name string) bool {
	return name == "__consumer_offsets" || name == "__transaction_state"
}
