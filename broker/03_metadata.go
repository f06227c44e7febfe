package broker

import (
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
	if !all {
		img = b.autoCreateTopics(img, req)
	}
	resp.Brokers = metadataBrokers(img, c.listener)
	clusterID := img.ClusterID
	resp.ClusterID = &clusterID
	resp.ControllerID = b.controllerID()
	resp.AuthorizedOperations = authorizedOperationsOmitted

	if all {
		names := make([]string, 0, len(img.Topics))
		for name := range img.Topics {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			resp.Topics = append(resp.Topics, metadataTopic(img, img.Topics[name]))
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
		if !ok {
			st := kmsg.NewMetadataResponseTopic()
			st.Topic = rt.Topic
			st.TopicID = rt.TopicID
			st.ErrorCode = kerr.UnknownTopicOrPartition.Code
			if rt.Topic == nil {
				st.ErrorCode = kerr.UnknownTopicID.Code
			} else if err := metadata.ValidateTopicName(*rt.Topic); err != nil {
				st.ErrorCode = kerr.InvalidTopicException.Code
			}
			st.AuthorizedOperations = authorizedOperationsOmitted
			resp.Topics = append(resp.Topics, st)
			continue
		}
		resp.Topics = append(resp.Topics, metadataTopic(img, t))
	}
	return resp, nil
}

// autoCreateTopics creates the requested topics that do not exist, when allowed, and
// returns the image that holds them.
func (b *Broker) autoCreateTopics(img *metadata.Image, req *kmsg.MetadataRequest) *metadata.Image {
	if !b.cfg.AutoCreateTopicsEnable || (req.Version >= 4 && !req.AllowAutoTopicCreation) {
		return img
	}
	var specs []metadata.TopicSpec
	for _, rt := range req.Topics {
		if rt.Topic == nil {
			continue
		}
		if _, ok := img.Topics[*rt.Topic]; ok || metadata.ValidateTopicName(*rt.Topic) != nil || isInternalTopic(*rt.Topic) {
			continue
		}
		specs = append(specs, metadata.TopicSpec{Name: *rt.Topic, NumPartitions: -1, ReplicationFactor: -1})
	}
	if len(specs) == 0 {
		return img
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
	return b.Image()
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
