package znode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func mustUuid(t *testing.T, s string) metadata.Uuid {
	t.Helper()
	u, err := metadata.ParseUuid(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// referenceTopicV3 is the example of docs/kafka-compatibility.md, "Topics", with its real topic id.
const referenceTopicV3 = `{"version":3,"partitions":{"0":[1,2,3],"1":[2,3,1]},"adding_replicas":{},"removing_replicas":{},"topic_id":"Hn2t4NfbTdqCDsmpnGu2Rw"}`

func TestTopicReferenceExample(t *testing.T) {
	want := TopicZNode{TopicID: mustUuid(t, "Hn2t4NfbTdqCDsmpnGu2Rw"), Partitions: map[int32][]int32{0: {1, 2, 3}, 1: {2, 3, 1}}}
	if got := string(EncodeTopic(want)); got != referenceTopicV3 {
		t.Errorf("EncodeTopic:\n got %s\nwant %s", got, referenceTopicV3)
	}
	got, err := DecodeTopic([]byte(referenceTopicV3))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeTopic = %+v, want %+v", got, want)
	}
}

func TestEncodeTopic(t *testing.T) {
	for _, c := range []struct {
		name string
		t    TopicZNode
		want string
	}{
		{"no topic id, partitions in numeric order", TopicZNode{Partitions: map[int32][]int32{10: {1}, 2: {2}, 0: {3}}},
			`{"version":3,"partitions":{"0":[3],"2":[2],"10":[1]},"adding_replicas":{},"removing_replicas":{}}`},
		{"reassignment; empty lists left out", TopicZNode{Partitions: map[int32][]int32{0: {1, 2, 3}, 1: {2, 3}},
			AddingReplicas: map[int32][]int32{0: {3}, 1: nil}, RemovingReplicas: map[int32][]int32{0: {1}}},
			`{"version":3,"partitions":{"0":[1,2,3],"1":[2,3]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[1]}}`},
		{"partition without replicas", TopicZNode{Partitions: map[int32][]int32{0: nil}},
			`{"version":3,"partitions":{"0":[]},"adding_replicas":{},"removing_replicas":{}}`},
	} {
		if got := string(EncodeTopic(c.t)); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestDecodeTopicVersions(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       TopicZNode
	}{
		{"v1", `{"version":1,"partitions":{"0":[1,2],"1":[2,1]}}`, TopicZNode{Partitions: map[int32][]int32{0: {1, 2}, 1: {2, 1}}}},
		{"v2 without topic_id", `{"version":2,"partitions":{"0":[1,2]},"adding_replicas":{"0":[2]},"removing_replicas":{}}`,
			TopicZNode{Partitions: map[int32][]int32{0: {1, 2}}, AddingReplicas: map[int32][]int32{0: {2}}}},
		{"v3 in Kafka's hash order", `{"removing_replicas":{"0":[]},"partitions":{"0":[1]},"topic_id":"q3Kbb0QvQzCJGbvx1fkv2A","adding_replicas":{},"version":3}`,
			TopicZNode{TopicID: mustUuid(t, "q3Kbb0QvQzCJGbvx1fkv2A"), Partitions: map[int32][]int32{0: {1}}}},
		{"no partitions at all", `{"version":3}`, TopicZNode{}},
		{"null topic_id", `{"version":3,"partitions":{},"topic_id":null}`, TopicZNode{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeTopic([]byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("DecodeTopic = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestDecodeTopicRejects(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{`{"partitions":{}}`, `field "version" is missing`},
		{`{"version":4,"partitions":{}}`, "unsupported version 4"},
		{`{"version":3,"partitions":null}`, `field "partitions"`},
		{`{"version":3,"partitions":[[1]]}`, "not an object"},
		{`{"version":3,"partitions":{"a":[1]}}`, `"a" is not a partition id`},
		{`{"version":3,"partitions":{"-1":[1]}}`, `"-1" is not a partition id`},
		{`{"version":3,"partitions":{"0":[1,"2"]}}`, "element 1"},
		{`{"version":3,"partitions":{"0":[1],"00":[2]}}`, "partition 0 appears twice"},
		{`{"version":3,"partitions":{"0":[1]},"adding_replicas":{"1":[2]}}`, "no partition 1"},
		{`{"version":3,"partitions":{"0":[1]},"removing_replicas":[]}`, `field "removing_replicas"`},
		{`{"version":3,"partitions":{},"topic_id":"not-a-uuid"}`, `field "topic_id"`},
		{`{"version":3,"partitions":{},"topic_id":"AAAAAAAAAAAAAAAAAAAAAA"}`, "zero Uuid"},
		{`{"version":3,"partitions":{},"topic_id":5}`, `field "topic_id"`},
	} {
		_, err := DecodeTopic([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeTopic(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}

func TestTopicRoundTrip(t *testing.T) {
	for _, topic := range []TopicZNode{
		{},
		{TopicID: mustUuid(t, "3wYzTa4oS0G0hF4C8lGm_g"), Partitions: map[int32][]int32{0: {3, 4, 1}, 1: {4, 1, 2}, 2: nil},
			AddingReplicas: map[int32][]int32{0: {1}}, RemovingReplicas: map[int32][]int32{0: {4}, 1: {2}}},
	} {
		got, err := DecodeTopic(EncodeTopic(topic))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, topic) {
			t.Errorf("round trip: got %+v, want %+v", got, topic)
		}
	}
}
