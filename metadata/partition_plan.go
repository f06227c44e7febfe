package metadata

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
)

// PlanNewPartitions checks a CreatePartitions request for topic against img with the
// rules of Kafka's ReplicationControlManager.createPartitions and returns the topic and
// the replicas of each new partition, numbered from the topic's current partition
// count. Without an assignment the new partitions are placed over the usable brokers
// like a new topic's, with the replication factor of partition 0. Both modes plan with
// it: the KRaft controller appends PartitionRecords, ZooKeeper mode rewrites the topic
// znode, so partitions are validated and placed the same way whichever mode adds them.
func PlanNewPartitions(img *Image, topic string, total int32, assignment [][]int32) (*Topic, [][]int32, error) {
	t, ok := img.Topics[topic]
	if !ok {
		return nil, nil, Errorf(kerr.UnknownTopicOrPartition, "Topic '%s' does not exist.", topic)
	}
	current := int32(len(t.Partitions))
	switch {
	case total < current:
		return nil, nil, Errorf(kerr.InvalidPartitions, "Topic currently has %d partitions, which is higher than the requested %d.", current, total)
	case total == current:
		return nil, nil, Errorf(kerr.InvalidPartitions, "Topic already has %d partitions.", current)
	}
	add := total - current
	if assignment != nil {
		if int32(len(assignment)) != add {
			return nil, nil, Errorf(kerr.InvalidReplicaAssignment, "Attempted to add %d additional partition(s), but only %d assignment(s) were specified.", add, len(assignment))
		}
		replicas := make([][]int32, 0, add)
		for i, r := range assignment {
			if err := ValidateReplicas(img, current+int32(i), r); err != nil {
				return nil, nil, err
			}
			replicas = append(replicas, slices.Clone(r))
		}
		return t, replicas, nil
	}
	rf := int16(1)
	if p0, ok := t.Partitions[0]; ok {
		rf = int16(len(p0.Replicas))
	}
	usable := UsableBrokers(img)
	if err := CheckReplicationFactor(rf, len(usable)); err != nil {
		return nil, nil, err
	}
	replicas, err := PlacePartitions(usable, current, add, rf)
	if err != nil {
		return nil, nil, err
	}
	return t, replicas, nil
}
