package znode

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/kbridge/kbridge/metadata"
)

// /brokers/topics/<topic> (ZkData TopicZNode): the replica assignment, keyed by the
// partition id as a string. v1 had only "partitions"; v2 (Kafka 2.4, KIP-455) added
// the replicas being added and removed by a reassignment; v3 (2.8, KIP-516) the topic id:
//
//	{"version":3,"partitions":{"0":[1,2,3]},"adding_replicas":{},"removing_replicas":{},"topic_id":"..."}

// TopicZNode is a topic's znode.
type TopicZNode struct {
	// TopicID is the zero Uuid when the znode has no topic_id (written before IBP 2.8
	// and never rewritten since); Kafka's migration cannot copy such a topic.
	TopicID metadata.Uuid
	// Partitions maps each partition to its replicas, preferred leader first.
	Partitions map[int32][]int32
	// AddingReplicas and RemovingReplicas hold only partitions being reassigned.
	AddingReplicas   map[int32][]int32
	RemovingReplicas map[int32][]int32
}

// EncodeTopic returns a v3 topic znode, as Kafka 2.8+ writes it. topic_id is left out
// when TopicID is zero, as TopicZNode.encode does for a topic without an id.
func EncodeTopic(t TopicZNode) []byte {
	w := newJSONWriter().
		int("version", 3).
		raw("partitions", encodeAssignment(t.Partitions, false)).
		raw("adding_replicas", encodeAssignment(t.AddingReplicas, true)).
		raw("removing_replicas", encodeAssignment(t.RemovingReplicas, true))
	if !t.TopicID.IsZero() {
		w.string("topic_id", t.TopicID.String())
	}
	return w.bytes()
}

// encodeAssignment writes {"<partition>":[replicas]} in partition order; onlyNonEmpty
// leaves out partitions with no replicas, as Kafka does for adding/removing.
func encodeAssignment(m map[int32][]int32, onlyNonEmpty bool) []byte {
	w := newJSONWriter()
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if onlyNonEmpty && len(m[p]) == 0 {
			continue
		}
		w.raw(strconv.Itoa(int(p)), appendJSONInt32s(nil, m[p]))
	}
	return w.bytes()
}

// DecodeTopic reads a topic znode of version 1, 2 or 3. Missing "partitions",
// "adding_replicas" or "removing_replicas" mean none, as in TopicZNode.decode; a
// reassignment entry for a partition the topic does not have is an error.
func DecodeTopic(data []byte) (TopicZNode, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return TopicZNode{}, err
	}
	if _, err := obj.version(1, 2, 3); err != nil {
		return TopicZNode{}, err
	}
	var t TopicZNode
	if id, ok, err := obj.optString("topic_id"); err != nil {
		return TopicZNode{}, err
	} else if ok {
		if t.TopicID, err = metadata.ParseUuid(id); err != nil {
			return TopicZNode{}, fmt.Errorf("field \"topic_id\": %w", err)
		}
		if t.TopicID.IsZero() {
			return TopicZNode{}, fmt.Errorf("field \"topic_id\": %q is the zero Uuid", id)
		}
	}
	if t.Partitions, err = decodeAssignment(obj, "partitions", nil, false); err != nil {
		return TopicZNode{}, err
	}
	if t.AddingReplicas, err = decodeAssignment(obj, "adding_replicas", t.Partitions, true); err != nil {
		return TopicZNode{}, err
	}
	if t.RemovingReplicas, err = decodeAssignment(obj, "removing_replicas", t.Partitions, true); err != nil {
		return TopicZNode{}, err
	}
	return t, nil
}

// decodeAssignment reads one {"<partition>":[replicas]} field. A reassignment field
// (adding_replicas, removing_replicas) may only name partitions of topic, and its empty
// lists are dropped.
func decodeAssignment(obj jsonObject, key string, topic map[int32][]int32, reassignment bool) (map[int32][]int32, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	m, err := jsonObjectValue(raw)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	var out map[int32][]int32
	for k, v := range m {
		p, err := strconv.ParseInt(k, 10, 32)
		if err != nil || p < 0 {
			return nil, fmt.Errorf("field %q: %q is not a partition id", key, k)
		}
		replicas, err := jsonInt32s(v)
		if err != nil {
			return nil, fmt.Errorf("%s[%q]: %w", key, k, err)
		}
		if reassignment {
			if _, ok := topic[int32(p)]; !ok {
				return nil, fmt.Errorf("%s[%q]: the topic has no partition %d", key, k, p)
			}
			if len(replicas) == 0 {
				continue
			}
		}
		if _, dup := out[int32(p)]; dup {
			return nil, fmt.Errorf("field %q: partition %d appears twice", key, p)
		}
		if out == nil {
			out = map[int32][]int32{}
		}
		out[int32(p)] = replicas
	}
	return out, nil
}
