package metadata

import (
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestAdminWireRoundTrips: what a broker forwards to the controller arrives as it was
// asked: a topic spec with assignment and configs (a null config value included), and
// an election's partitions, where nil (every partition) stays nil and an empty list
// stays empty.
func TestAdminWireRoundTrips(t *testing.T) {
	v := "3600000"
	spec := TopicSpec{Name: "orders", NumPartitions: -1, ReplicationFactor: -1,
		Assignment: map[int32][]int32{0: {1, 2}, 1: {2, 3}},
		Configs:    map[string]*string{"retention.ms": &v, "cleanup.policy": nil}}
	if got := TopicSpecFromRequest(spec.RequestTopic()); !reflect.DeepEqual(got, spec) {
		t.Fatalf("topic spec %+v came back as %+v", spec, got)
	}
	plain := TopicSpec{Name: "plain", NumPartitions: 3, ReplicationFactor: 2, Configs: map[string]*string{}}
	if got := TopicSpecFromRequest(plain.RequestTopic()); !reflect.DeepEqual(got, plain) {
		t.Fatalf("topic spec %+v came back as %+v", plain, got)
	}
	for _, parts := range []map[string][]int32{nil, {}, {"a": {0, 2}, "b": {1}}} {
		req := kmsg.NewPtrElectLeadersRequest()
		req.Topics = ElectionRequestTopics(parts)
		got := ElectionPartitions(req)
		if !reflect.DeepEqual(got, parts) || (parts == nil) != (got == nil) {
			t.Fatalf("election partitions %#v came back as %#v", parts, got)
		}
	}
	topics := ElectionResponseTopics([]ElectionResult{
		{Topic: "b", Partition: 0}, {Topic: "a", Partition: 1, Err: kerr.ElectionNotNeeded}, {Topic: "a", Partition: 0},
	}, func(err error) int16 { return kerr.ElectionNotNeeded.Code })
	if len(topics) != 2 || topics[0].Topic != "a" || len(topics[0].Partitions) != 2 || topics[0].Partitions[0].ErrorCode != kerr.ElectionNotNeeded.Code ||
		topics[0].Partitions[1].ErrorCode != 0 || topics[1].Topic != "b" {
		t.Fatalf("election response %+v", topics)
	}
}
