package metadata

import (
	"errors"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestPlanNewPartitions: CreatePartitions is refused with Kafka's codes for what the
// controller refuses, and otherwise yields the new partitions' replicas, numbered after
// the existing ones: the request's assignment (copied) or a placement with the
// replication factor of partition 0 over the usable brokers.
func TestPlanNewPartitions(t *testing.T) {
	img := NewImage()
	mustApply(t, img, &FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: MetadataVersionLatest})
	mustApply(t, img, broker(1, false), broker(2, false), broker(3, true))
	mustApply(t, img, topicRecords("foo", fooID, 2)...)
	wide := topicRecords("wide", barID, 1)
	wide[1].(*PartitionRecord).Replicas = []int32{1, 2, 3}
	mustApply(t, img, wide...)

	refusals := []struct {
		name       string
		topic      string
		total      int32
		assignment [][]int32
		code       *kerr.Error
	}{
		{"unknown topic", "nope", 3, nil, kerr.UnknownTopicOrPartition},
		{"fewer partitions", "foo", 1, nil, kerr.InvalidPartitions},
		{"same count", "foo", 2, nil, kerr.InvalidPartitions},
		{"too few assignments", "foo", 4, [][]int32{{1}}, kerr.InvalidReplicaAssignment},
		{"unregistered broker", "foo", 3, [][]int32{{1, 9}}, kerr.InvalidReplicaAssignment},
		{"only fenced brokers", "foo", 3, [][]int32{{3}}, kerr.InvalidReplicaAssignment},
		{"repeated broker", "foo", 3, [][]int32{{1, 1}}, kerr.InvalidReplicaAssignment},
		{"RF above usable brokers", "wide", 2, nil, kerr.InvalidReplicationFactor},
	}
	for _, tc := range refusals {
		if _, _, err := PlanNewPartitions(img, tc.topic, tc.total, tc.assignment); !errors.Is(err, tc.code) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.code)
		}
	}

	assignment := [][]int32{{2, 1}, {1, 3}}
	topic, replicas, err := PlanNewPartitions(img, "foo", 4, assignment)
	if err != nil {
		t.Fatal(err)
	}
	if topic.ID != fooID || !slices.EqualFunc(replicas, assignment, slices.Equal) {
		t.Fatalf("manual plan: topic %v, replicas %v", topic.ID, replicas)
	}
	assignment[0][0] = 9
	if replicas[0][0] != 2 {
		t.Fatal("the plan shares the request's assignment")
	}

	_, replicas, err = PlanNewPartitions(img, "foo", 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(replicas) != 3 {
		t.Fatalf("placed %d partitions, want 3", len(replicas))
	}
	for i, r := range replicas {
		if sorted := slices.Sorted(slices.Values(r)); !slices.Equal(sorted, []int32{1, 2}) {
			t.Errorf("new partition %d on %v, want brokers 1 and 2 (RF 2, broker 3 fenced)", 2+i, r)
		}
	}
}
