package zkmode

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// loadedTopic is one topic as read: its znode, its config and the state znodes of
// the partitions that have one.
type loadedTopic struct {
	name   string
	znode  znode.TopicZNode
	config map[string]string
	states map[int32]loadedState
}

type loadedState struct {
	znode.PartitionState
	zkVersion int32
}

// loadTopics reads /brokers/topics with each topic's partition states and
// /config/topics entity, skipping the topics in /admin/delete_topics as Kafka's
// migration does (ZkTopicMigrationClient.iterateTopics).
func (t *Tree) loadTopics(ctx context.Context, r TreeReader) error {
	names, err := children(ctx, r, znode.TopicsPath)
	if err != nil {
		return fmt.Errorf("load topics: %w", err)
	}
	pending, err := children(ctx, r, znode.DeleteTopicsPath)
	if err != nil {
		return fmt.Errorf("load topics: %w", err)
	}
	slices.Sort(pending)
	t.PendingDeletions = pending
	deleting := make(map[string]bool, len(pending))
	for _, n := range pending {
		deleting[n] = true
	}
	names = slices.DeleteFunc(names, func(n string) bool { return deleting[n] })
	slices.Sort(names)

	topicPaths := make([]string, len(names))
	configPaths := make([]string, len(names))
	for i, name := range names {
		topicPaths[i] = znode.TopicPath(name)
		configPaths[i] = znode.ConfigEntityPath(znode.ConfigTypeTopic, name)
	}
	topicNodes, err := getAll(ctx, r, topicPaths)
	if err != nil {
		return fmt.Errorf("load topics: %w", err)
	}
	configNodes, err := getAll(ctx, r, configPaths)
	if err != nil {
		return fmt.Errorf("load topic configs: %w", err)
	}
	for i, n := range topicNodes {
		if n.missing {
			continue
		}
		lt := &loadedTopic{name: names[i], states: map[int32]loadedState{}}
		if lt.znode, err = znode.DecodeTopic(n.data); err != nil {
			return decodeError(n.path, err)
		}
		if c := configNodes[i]; !c.missing {
			if lt.config, err = znode.DecodeConfig(c.data); err != nil {
				return decodeError(c.path, err)
			}
		}
		if lt.znode.TopicID.IsZero() {
			t.TopicsWithoutID = append(t.TopicsWithoutID, lt.name)
		}
		t.topics = append(t.topics, lt)
	}
	return t.loadPartitionStates(ctx, r)
}

// loadPartitionStates reads the state znode of every partition in the loaded topics'
// assignments, all topics at once since these are most of a cluster's znodes.
func (t *Tree) loadPartitionStates(ctx context.Context, r TreeReader) error {
	var paths []string
	var owners []znode.TopicPartition
	for _, lt := range t.topics {
		for _, p := range slices.Sorted(maps.Keys(lt.znode.Partitions)) {
			paths = append(paths, znode.TopicPartitionStatePath(lt.name, p))
			owners = append(owners, znode.TopicPartition{Topic: lt.name, Partition: p})
		}
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return fmt.Errorf("load partition states: %w", err)
	}
	byName := make(map[string]*loadedTopic, len(t.topics))
	for _, lt := range t.topics {
		byName[lt.name] = lt
	}
	for i, n := range nodes {
		tp := owners[i]
		if n.missing {
			t.PartitionsWithoutState = append(t.PartitionsWithoutState, tp)
			continue
		}
		s, err := znode.DecodePartitionState(n.data)
		if err != nil {
			return decodeError(n.path, err)
		}
		byName[tp.Topic].states[tp.Partition] = loadedState{PartitionState: s, zkVersion: n.stat.Version}
	}
	return nil
}

// appendRecords appends the topic's records in Kafka's migration order: TopicRecord,
// its ConfigRecords, then a PartitionRecord per partition. PartitionRecords are v0, as
// Kafka's migration writes them. A partition without a state znode is left to
// withoutState, since the image and the migration represent it differently. The
// records share memory with the tree.
func (lt *loadedTopic) appendRecords(out []metadata.Record, withoutState func(*metadata.PartitionRecord) error) ([]metadata.Record, error) {
	out = append(out, &metadata.TopicRecord{Name: lt.name, TopicID: lt.znode.TopicID})
	out = appendConfigRecords(out, metadata.ConfigResourceTopic, lt.name, lt.config)
	for _, p := range slices.Sorted(maps.Keys(lt.znode.Partitions)) {
		rec := metadata.NewPartitionRecord()
		rec.Version = 0
		rec.PartitionID = p
		rec.TopicID = lt.znode.TopicID
		rec.Replicas = lt.znode.Partitions[p]
		rec.AddingReplicas = lt.znode.AddingReplicas[p]
		rec.RemovingReplicas = lt.znode.RemovingReplicas[p]
		if s, ok := lt.states[p]; ok {
			rec.Leader = s.Leader
			rec.LeaderEpoch = s.LeaderEpoch
			rec.ISR = s.ISR
			rec.LeaderRecoveryState = s.LeaderRecoveryState
			rec.PartitionEpoch = s.zkVersion
		} else if err := withoutState(rec); err != nil {
			return nil, fmt.Errorf("%s: %w", znode.TopicPartitionStatePath(lt.name, p), err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// leaveLeaderless keeps a partition without a state znode as NewPartitionRecord has
// it: no leader, no ISR, epochs -1. That is how ZooKeeper mode serves it until its
// controller writes the first state.
func leaveLeaderless(*metadata.PartitionRecord) error { return nil }

// initializeLikeKafka is ZkTopicMigrationClient's answer to a missing state znode: the
// first replica leads, every replica is in the ISR, and both epochs are 0.
func initializeLikeKafka(rec *metadata.PartitionRecord) error {
	if len(rec.Replicas) == 0 {
		return fmt.Errorf("partition %d has no state znode and no replicas to initialize it from", rec.PartitionID)
	}
	rec.ISR = slices.Clone(rec.Replicas)
	rec.Leader = rec.Replicas[0]
	rec.LeaderEpoch = 0
	rec.PartitionEpoch = 0
	rec.LeaderRecoveryState = metadata.LeaderRecoveryStateRecovered
	return nil
}
