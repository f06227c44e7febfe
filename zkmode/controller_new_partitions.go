package zkmode

import (
	"errors"
	"slices"
	"strconv"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// initializePartitions is Kafka's NewPartition → OnlinePartition transition
// (PartitionStateMachine.initializeLeaderAndIsrForPartitions) for the partitions that
// have no state znode yet: those of topics created through the admin API or by a tool
// writing /brokers/topics, and those CreatePartitions added. It creates
// /brokers/topics/<t>/partitions and /partitions/<p> where missing, then the state:
// the first live replica in replica order leads, the live replicas are the ISR, the
// leader epoch is 0. A partition with no live replica is left without state, as Kafka
// leaves it NewPartition, and initialized on a later image once a replica registers.
func (t *controllerTerm) initializePartitions(tree *Tree) (outcome, error) {
	var units []writeUnit
	// owners[i] is the partition unit i initializes; Partition -1 for a /partitions.
	var owners []znode.TopicPartition
	var offline []znode.TopicPartition
	var o outcome
	pending := tree.PartitionsWithoutState
	for start, end := 0, 0; start < len(pending); start = end {
		end = start + 1
		for end < len(pending) && pending[end].Topic == pending[start].Topic {
			end++
		}
		topicUnits, topicOwners, topicOffline, err := t.planInitialization(tree.Image, pending[start:end])
		if err != nil {
			if err := t.readFailed(err, "cannot initialize the topic's new partitions", "topic", pending[start].Topic); err != nil {
				return outcome{}, err
			}
			o.failed = true
			continue
		}
		units = append(units, topicUnits...)
		owners = append(owners, topicOwners...)
		offline = append(offline, topicOffline...)
	}
	if len(offline) > 0 {
		t.log.Warn("new partitions have no live replica; leaving them without a leader until one registers",
			"partitions", len(offline), "first", offline[0].Topic, "first_partition", offline[0].Partition)
	}
	if len(units) == 0 {
		return o, nil
	}
	errs, err := t.write(units)
	if err != nil {
		return outcome{}, err
	}
	o.add(errs)
	t.logInitialized(owners, errs)
	return o, nil
}

// planInitialization plans the znodes of one topic's partitions without state: the
// units to write with the partition each initializes, and the partitions left
// offline for want of a live replica.
func (t *controllerTerm) planInitialization(img *metadata.Image, partitions []znode.TopicPartition) (units []writeUnit, owners, offline []znode.TopicPartition, err error) {
	name := partitions[0].Topic
	existing, exists, err := t.partitionZNodes(name)
	if err != nil {
		return nil, nil, nil, err
	}
	if !exists {
		units = append(units, writeUnit{&zk.CreateRequest{Path: znode.TopicPartitionsPath(name)}})
		owners = append(owners, znode.TopicPartition{Topic: name, Partition: -1})
	}
	live := liveBrokers(img)
	for _, tp := range partitions {
		p := img.Topics[name].Partitions[tp.Partition]
		isr := slices.DeleteFunc(slices.Clone(p.Replicas), func(r int32) bool { return !live(r) })
		if len(isr) == 0 {
			offline = append(offline, tp)
			continue
		}
		var unit writeUnit
		if !existing[strconv.Itoa(int(tp.Partition))] {
			unit = append(unit, &zk.CreateRequest{Path: znode.TopicPartitionPath(name, tp.Partition)})
		}
		state := znode.PartitionState{Leader: isr[0], LeaderEpoch: 0, ControllerEpoch: t.w.Epoch(), ISR: isr}
		units = append(units, append(unit, &zk.CreateRequest{Path: znode.TopicPartitionStatePath(name, tp.Partition), Data: znode.EncodePartitionState(state)}))
		owners = append(owners, tp)
	}
	return units, owners, offline, nil
}

// partitionZNodes reads the names of a topic's partition znodes; exists is false when
// /brokers/topics/<t>/partitions itself is missing, as it is for a new topic.
func (t *controllerTerm) partitionZNodes(topic string) (existing map[string]bool, exists bool, err error) {
	names, err := t.w.conn.Children(t.ctx, znode.TopicPartitionsPath(topic))
	if errors.Is(err, zk.ErrNoNode) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	existing = make(map[string]bool, len(names))
	for _, name := range names {
		existing[name] = true
	}
	return existing, true, nil
}

// logInitialized logs the partitions initialized, topic by topic, and the failures.
func (t *controllerTerm) logInitialized(owners []znode.TopicPartition, errs []error) {
	var done []int32
	for i, tp := range owners {
		if errs[i] != nil {
			t.log.Warn("partition not initialized; trying again", "topic", tp.Topic, "partition", tp.Partition, "err", errs[i])
		} else if tp.Partition >= 0 {
			done = append(done, tp.Partition)
		}
		if len(done) > 0 && (i == len(owners)-1 || owners[i+1].Topic != tp.Topic) {
			t.log.Info("initialized new partitions", "topic", tp.Topic, "partitions", done)
			done = nil
		}
	}
}
