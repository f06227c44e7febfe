package zkmode

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// planTopics plans the topic operations, by topic name as ZooKeeper keys topics:
//   - DeletePendingTopicDeletion for every entry of /admin/delete_topics, as Kafka 3.9
//     clears them all: a queued topic the image does not have is gone (its znodes are
//     removed too, or a ZooKeeper controller after a rollback would serve it again
//     without the deletion it was waiting for), and a queued topic the image has is a
//     later topic of the same name, which the stale entry would delete after a rollback;
//   - DeleteTopic for a topic next does not have, or has under another topic id;
//   - CreateTopic for a topic prev does not have (or had under another id): the topic
//     znode, its partitions' znodes and states, and its config znode, which Kafka writes
//     even when empty. A znode of the same name with another topic id (a topic
//     ZooKeeper still had queued for deletion) is removed first;
//   - UpdateTopic, UpdatePartition and DeletePartition for topics in both.
//
// A topic prev has without an id (a ZooKeeper topic from before KIP-516) is the same
// topic as next's of that name: UpdateTopic writes its id.
func (p *changePlanner) planTopics(ctx context.Context, r TreeReader) error {
	var deleted, created []string
	for name, old := range p.prev.Topics {
		if t, ok := p.next.Topics[name]; !ok || replaced(old, t) {
			deleted = append(deleted, name)
		}
	}
	for name, t := range p.next.Topics {
		if old, ok := p.prev.Topics[name]; !ok || replaced(old, t) {
			created = append(created, name)
		}
	}
	slices.Sort(deleted)
	slices.Sort(created)

	queued, err := children(ctx, r, znode.DeleteTopicsPath)
	if err != nil {
		return fmt.Errorf("read pending topic deletions: %w", err)
	}
	slices.Sort(queued)
	for _, name := range queued {
		op := newOp(opDeletePendingTopicDeletion, name)
		if _, ok := p.next.Topics[name]; !ok {
			p.removeTopic(op, name)
		}
		op.remove(znode.DeleteTopicPath(name))
		p.add(op)
	}
	for _, name := range deleted {
		op := newOp(opDeleteTopic, name)
		p.removeTopic(op, name)
		op.remove(znode.DeleteTopicPath(name))
		p.add(op)
	}

	stale, err := staleTopicZNodes(ctx, r, p.next, created)
	if err != nil {
		return err
	}
	for _, name := range created {
		p.createTopic(p.next.Topics[name], stale[name])
	}
	for _, name := range slices.Sorted(maps.Keys(p.next.Topics)) {
		if old, ok := p.prev.Topics[name]; ok && !replaced(old, p.next.Topics[name]) {
			p.changeTopic(old, p.next.Topics[name])
		}
	}
	return nil
}

// replaced tells whether t, of old's name, is another topic: both have ids, and they differ.
func replaced(old, t *metadata.Topic) bool { return !old.ID.IsZero() && old.ID != t.ID }

// staleTopicZNodes reads the znodes of the topics about to be created and returns
// those that exist with another (or no readable) topic id.
func staleTopicZNodes(ctx context.Context, r TreeReader, next *metadata.Image, names []string) (map[string]bool, error) {
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = znode.TopicPath(name)
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return nil, fmt.Errorf("read the topics to create: %w", err)
	}
	stale := map[string]bool{}
	for i, n := range nodes {
		if n.missing {
			continue
		}
		z, err := znode.DecodeTopic(n.data)
		stale[names[i]] = err != nil || z.TopicID != next.Topics[names[i]].ID
	}
	return stale, nil
}

// removeTopic adds to op the removal of a topic's znodes and config (Kafka's
// ZkTopicMigrationClient.deleteTopic).
func (p *changePlanner) removeTopic(op *migrationOp, name string) {
	op.removeTree(znode.TopicPath(name))
	op.remove(znode.ConfigEntityPath(znode.ConfigTypeTopic, name))
	p.topicsRewritten[name] = true
}

// createTopic plans CreateTopic: everything a ZooKeeper controller writes for a new
// topic, in one multi when it fits so that brokers never see half a topic.
func (p *changePlanner) createTopic(t *metadata.Topic, stale bool) {
	op := newOp(opCreateTopic, t.Name)
	if stale {
		op.removeTree(znode.TopicPath(t.Name))
	}
	op.upsert(znode.TopicPath(t.Name), znode.EncodeTopic(topicZNode(t)))
	op.upsert(znode.TopicPartitionsPath(t.Name), nil)
	for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
		op.upsert(znode.TopicPartitionPath(t.Name, id), nil)
		op.upsert(znode.TopicPartitionStatePath(t.Name, id), p.partitionState(t.Partitions[id]))
	}
	cfg := p.next.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: t.Name}]
	op.upsert(znode.ConfigEntityPath(znode.ConfigTypeTopic, t.Name), znode.EncodeConfig(cfg))
	if len(cfg) > 0 {
		op.notifyConfigChange(znode.ConfigTypeTopic + "/" + t.Name)
	}
	p.topicsRewritten[t.Name] = true
	p.add(op)
}

// changeTopic plans the operations of a topic in both images: UpdateTopic when the
// assignment (or the id) changed, UpdatePartition for new partitions and changed
// leadership, DeletePartition for partitions next no longer has. The partition epoch
// is not compared: ZooKeeper keeps it as the state znode's zkVersion, not as data.
func (p *changePlanner) changeTopic(old, t *metadata.Topic) {
	update := newOp(opUpdateTopic, t.Name)
	if assignmentChanged(old, t) {
		update.upsert(znode.TopicPath(t.Name), znode.EncodeTopic(topicZNode(t)))
	}
	p.add(update)

	partitions := newOp(opUpdatePartition, t.Name)
	for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
		part, was := t.Partitions[id], old.Partitions[id]
		if was == nil {
			partitions.upsert(znode.TopicPartitionPath(t.Name, id), nil)
		}
		if was == nil || leadershipChanged(was, part) {
			partitions.upsert(znode.TopicPartitionStatePath(t.Name, id), p.partitionState(part))
		}
	}
	p.add(partitions)

	removed := newOp(opDeletePartition, t.Name)
	for _, id := range slices.Sorted(maps.Keys(old.Partitions)) {
		if _, ok := t.Partitions[id]; !ok {
			removed.removeTree(znode.TopicPartitionPath(t.Name, id))
		}
	}
	p.add(removed)
}

// topicZNode is a topic's znode as a ZooKeeper controller writes it: v3 with the id.
func topicZNode(t *metadata.Topic) znode.TopicZNode {
	z := znode.TopicZNode{
		TopicID:          t.ID,
		Partitions:       make(map[int32][]int32, len(t.Partitions)),
		AddingReplicas:   map[int32][]int32{},
		RemovingReplicas: map[int32][]int32{},
	}
	for id, part := range t.Partitions {
		z.Partitions[id] = part.Replicas
		if len(part.AddingReplicas) > 0 {
			z.AddingReplicas[id] = part.AddingReplicas
		}
		if len(part.RemovingReplicas) > 0 {
			z.RemovingReplicas[id] = part.RemovingReplicas
		}
	}
	return z
}

// partitionState is a partition's state znode data. controller_epoch is the KRaft
// controller's epoch, as Kafka's dual-write writes it.
func (p *changePlanner) partitionState(part *metadata.Partition) []byte {
	return znode.EncodePartitionState(znode.PartitionState{
		Leader:              part.Leader,
		LeaderEpoch:         part.LeaderEpoch,
		ControllerEpoch:     p.controllerEpoch,
		ISR:                 part.ISR,
		LeaderRecoveryState: part.LeaderRecoveryState,
	})
}

// assignmentChanged tells whether t's topic znode differs from old's: the id, the
// partitions, or a partition's replicas or reassignment.
func assignmentChanged(old, t *metadata.Topic) bool {
	if old.ID != t.ID || len(old.Partitions) != len(t.Partitions) {
		return true
	}
	for id, part := range t.Partitions {
		was, ok := old.Partitions[id]
		if !ok || !slices.Equal(was.Replicas, part.Replicas) ||
			!slices.Equal(was.AddingReplicas, part.AddingReplicas) ||
			!slices.Equal(was.RemovingReplicas, part.RemovingReplicas) {
			return true
		}
	}
	return false
}

// leadershipChanged tells whether a partition's state znode data differs.
func leadershipChanged(old, part *metadata.Partition) bool {
	return old.Leader != part.Leader || old.LeaderEpoch != part.LeaderEpoch ||
		old.LeaderRecoveryState != part.LeaderRecoveryState || !slices.Equal(old.ISR, part.ISR)
}
