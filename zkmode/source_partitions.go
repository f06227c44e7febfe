package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// CreatePartitions raises a topic's partition count as Kafka's ZooKeeper-mode
// AdminManager does. The request is checked and the new partitions placed by
// metadata.PlanNewPartitions, the KRaft controller's rules, so both modes agree; a topic
// with a reassignment in progress is refused with REASSIGNMENT_IN_PROGRESS, as Kafka's
// ZooKeeper mode refuses it to stay clear of the controller's reassignment. The new
// replicas are then added to /brokers/topics/<topic> (its topic_id and reassignment
// fields kept) by a write conditional on the version read; the ZooKeeper controller sees
// the new partitions and creates their state znodes. When another writer changed the
// topic first, or the image is behind the znode, the request is planned again against
// the reloaded image. With validateOnly nothing is written.
func (s *Source) CreatePartitions(ctx context.Context, topic string, total int32, assignment [][]int32, validateOnly bool) error {
	if err := s.checkNotMigrating("CreatePartitions"); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		t, replicas, err := metadata.PlanNewPartitions(s.Image(), topic, total, assignment)
		if err != nil {
			return err
		}
		err = s.addPartitions(ctx, t, replicas, validateOnly)
		switch {
		case errors.Is(err, errConcurrentWrite) && attempt < maxConditionalWrites:
			s.waitReload(ctx)
			continue
		case errors.Is(err, errConcurrentWrite):
			return metadata.Errorf(kerr.UnknownServerError, "add partitions to %s: gave up after %d attempts: %v", topic, attempt, err)
		case err != nil:
			return err
		}
		if !validateOnly {
			s.waitReload(ctx)
		}
		return nil
	}
}

// addPartitions reads the topic znode, checks it against the plan made from the image
// (t) and, unless validateOnly, writes it back with replicas as the partitions that
// follow t's. A znode that is not the one the plan saw, or that changed before the
// write, returns errConcurrentWrite.
func (s *Source) addPartitions(ctx context.Context, t *metadata.Topic, replicas [][]int32, validateOnly bool) error {
	path := znode.TopicPath(t.Name)
	data, stat, err := s.conn.Get(ctx, path)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return metadata.Errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", t.Name)
	case err != nil:
		return zkWriteError(err, "add partitions to %s", t.Name)
	}
	tz, err := znode.DecodeTopic(data)
	if err != nil {
		return metadata.Errorf(kerr.UnknownServerError, "add partitions to %s: %v", t.Name, decodeError(path, err))
	}
	if len(tz.AddingReplicas) > 0 || len(tz.RemovingReplicas) > 0 {
		return metadata.Errorf(kerr.ReassignmentInProgress, "A partition reassignment is in progress for the topic '%s'.", t.Name)
	}
	current := int32(len(t.Partitions))
	if tz.TopicID != t.ID || int32(len(tz.Partitions)) != current {
		return fmt.Errorf("%w: %s has topic id %s and %d partitions, the image %s and %d", errConcurrentWrite, path, tz.TopicID, len(tz.Partitions), t.ID, current)
	}
	if validateOnly {
		return nil
	}
	if tz.Partitions == nil {
		tz.Partitions = make(map[int32][]int32, len(replicas))
	}
	for i, r := range replicas {
		tz.Partitions[current+int32(i)] = r
	}
	w, err := s.brokerWriter(ctx, "add partitions to "+t.Name)
	if err != nil {
		return err
	}
	_, err = w.Multi(ctx, &zk.SetDataRequest{Path: path, Data: znode.EncodeTopic(tz), Version: stat.Version})
	switch {
	case errors.Is(err, ErrControllerMoved):
		return brokerWriteError(err, "add partitions to %s", t.Name)
	case errors.Is(err, zk.ErrBadVersion):
		return fmt.Errorf("%w: %v", errConcurrentWrite, err)
	case errors.Is(err, zk.ErrNoNode):
		return metadata.Errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", t.Name)
	case err != nil:
		return zkWriteError(err, "add partitions to %s", t.Name)
	}
	s.log.Info("created partitions", "topic", t.Name, "partitions", len(tz.Partitions), "new_replicas", replicas)
	return nil
}
