package zkmode

import (
	"context"
	"errors"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// DeleteTopics queues topics for deletion as Kafka's ZooKeeper-mode AdminManager does
// (AdminZkClient.deleteTopic): a topic the image does not hold is
// UNKNOWN_TOPIC_OR_PARTITION; for the others an empty persistent
// /admin/delete_topics/<topic> is created, which the ZooKeeper controller carries out.
// A topic already queued is no error, so a retried request waits for the same
// deletion. A name given twice is deleted once and answered twice, as Kafka's ZooKeeper
// mode does (the KRaft controller refuses duplicates instead).
//
// It then waits, as Kafka's DelayedDeleteTopics does, until the image no longer holds
// any of the queued topics: REQUEST_TIMED_OUT for those still there when ctx ends. The
// image leaves out topics pending deletion, as a Kafka broker drops them from its
// metadata cache when the controller begins the deletion, so the wait ends once this
// broker has read the queued deletion back; the controller removes the topic's znodes
// afterwards. A topic that reappears with another topic id is a new topic, not the one
// deleted.
//
// delete.topic.enable is the broker's to check: with it false the broker answers
// TOPIC_DELETION_DISABLED without calling this.
func (s *Source) DeleteTopics(ctx context.Context, names []string) []error {
	errs := make([]error, len(names))
	if err := s.checkNotMigrating("DeleteTopics"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	img := s.Image()
	first := make(map[string]int, len(names))
	queued := make(map[string]metadata.Uuid, len(names))
	for i, name := range names {
		if _, dup := first[name]; dup {
			continue
		}
		first[name] = i
		t, ok := img.Topics[name]
		if !ok {
			errs[i] = metadata.Errorf(kerr.UnknownTopicOrPartition, "This server does not host this topic-partition.")
			continue
		}
		if err := s.queueDeletion(ctx, name); err != nil {
			errs[i] = err
			continue
		}
		queued[name] = t.ID
	}
	if len(queued) > 0 {
		for name := range s.awaitDeletions(ctx, queued) {
			errs[first[name]] = metadata.Errorf(kerr.RequestTimedOut, "The request timed out.")
		}
	}
	for i, name := range names {
		errs[i] = errs[first[name]]
	}
	return errs
}

// queueDeletion creates /admin/delete_topics/<topic>; an existing one is the same
// deletion, already queued.
func (s *Source) queueDeletion(ctx context.Context, topic string) error {
	w, err := s.brokerWriter(ctx, "delete topic "+topic)
	if err != nil {
		return err
	}
	_, err = w.Multi(ctx, &zk.CreateRequest{Path: znode.DeleteTopicPath(topic), Flags: zk.FlagPersistent})
	switch {
	case err == nil:
		s.log.Info("queued topic for deletion", "topic", topic, "path", znode.DeleteTopicPath(topic))
	case errors.Is(err, ErrControllerMoved):
		return brokerWriteError(err, "delete topic %s", topic)
	case errors.Is(err, zk.ErrNodeExists):
	default:
		return zkWriteError(err, "delete topic %s", topic)
	}
	return nil
}

// awaitDeletions waits until the image holds none of the topics (by name and id), or
// ctx ends or the source stops; it returns the topics still there.
func (s *Source) awaitDeletions(ctx context.Context, topics map[string]metadata.Uuid) map[string]metadata.Uuid {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		img := s.Image()
		remaining := make(map[string]metadata.Uuid)
		for name, id := range topics {
			if t, ok := img.Topics[name]; ok && t.ID == id {
				remaining[name] = id
			}
		}
		if len(remaining) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return remaining
		case <-s.stop:
			return remaining
		case <-tick.C:
		}
	}
}
