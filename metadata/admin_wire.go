package metadata

import (
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// The admin requests a broker forwards to the active controller (CreateTopics,
// ElectLeaders) travel as Kafka requests and are handled as TopicSpecs and
// ElectionResults on both sides: these are the one conversion between the two, used
// by the broker's handlers, the broker's source that forwards, and the controller's
// handlers, so a field cannot be carried on one leg and dropped on another.

// TopicSpecFromRequest is one CreateTopics request topic as a TopicSpec.
func TopicSpecFromRequest(rt kmsg.CreateTopicsRequestTopic) TopicSpec {
	spec := TopicSpec{
		Name: rt.Topic, NumPartitions: rt.NumPartitions, ReplicationFactor: rt.ReplicationFactor,
		Configs: make(map[string]*string, len(rt.Configs)),
	}
	for _, ra := range rt.ReplicaAssignment {
		if spec.Assignment == nil {
			spec.Assignment = make(map[int32][]int32, len(rt.ReplicaAssignment))
		}
		spec.Assignment[ra.Partition] = ra.Replicas
	}
	for _, c := range rt.Configs {
		spec.Configs[c.Name] = c.Value
	}
	return spec
}

// RequestTopic is spec as a CreateTopics request topic, partitions and configs in
// order so that the same spec always encodes the same.
func (spec TopicSpec) RequestTopic() kmsg.CreateTopicsRequestTopic {
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = spec.Name, spec.NumPartitions, spec.ReplicationFactor
	for _, p := range slices.Sorted(maps.Keys(spec.Assignment)) {
		ra := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
		ra.Partition, ra.Replicas = p, spec.Assignment[p]
		rt.ReplicaAssignment = append(rt.ReplicaAssignment, ra)
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Configs)) {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name, c.Value = name, spec.Configs[name]
		rt.Configs = append(rt.Configs, c)
	}
	return rt
}

// ElectionPartitions is the partitions an ElectLeaders request names, by topic; nil
// (a null topic list) means every partition.
func ElectionPartitions(req *kmsg.ElectLeadersRequest) map[string][]int32 {
	if req.Topics == nil {
		return nil
	}
	parts := make(map[string][]int32, len(req.Topics))
	for _, t := range req.Topics {
		parts[t.Topic] = append(parts[t.Topic], t.Partitions...)
	}
	return parts
}

// ElectionRequestTopics is ElectionPartitions' inverse: nil stays a null list.
func ElectionRequestTopics(partitions map[string][]int32) []kmsg.ElectLeadersRequestTopic {
	if partitions == nil {
		return nil
	}
	out := []kmsg.ElectLeadersRequestTopic{}
	for _, topic := range slices.Sorted(maps.Keys(partitions)) {
		t := kmsg.NewElectLeadersRequestTopic()
		t.Topic, t.Partitions = topic, partitions[topic]
		out = append(out, t)
	}
	return out
}

// ElectionResponseTopics groups results by topic, sorted for a stable answer; code
// maps an error to its Kafka error code as the answering server does.
func ElectionResponseTopics(results []ElectionResult, code func(error) int16) []kmsg.ElectLeadersResponseTopic {
	byTopic := map[string]*kmsg.ElectLeadersResponseTopic{}
	for _, r := range results {
		t, ok := byTopic[r.Topic]
		if !ok {
			nt := kmsg.NewElectLeadersResponseTopic()
			nt.Topic = r.Topic
			t = &nt
			byTopic[r.Topic] = t
		}
		p := kmsg.NewElectLeadersResponseTopicPartition()
		p.Partition = r.Partition
		if r.Err != nil {
			msg := r.Err.Error()
			p.ErrorCode, p.ErrorMessage = code(r.Err), &msg
		}
		t.Partitions = append(t.Partitions, p)
	}
	out := make([]kmsg.ElectLeadersResponseTopic, 0, len(byTopic))
	for _, name := range slices.Sorted(maps.Keys(byTopic)) {
		out = append(out, *byTopic[name])
	}
	return out
}
