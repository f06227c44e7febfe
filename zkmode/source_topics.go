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

// CreateTopics plans every topic with metadata.TopicPlanner against the current image,
// the rules the KRaft controller applies, and writes each valid one as Kafka's
// AdminZkClient does: its config znode and its v3 topic znode (with topic_id) in one
// multi, so a topic never exists without its configs. The controller then creates the
// partitions' state znodes. With validateOnly nothing is written.
func (s *Source) CreateTopics(ctx context.Context, specs []metadata.TopicSpec, validateOnly bool) []metadata.CreateTopicResult {
	if err := s.checkNotMigrating("CreateTopics"); err != nil {
		results := make([]metadata.CreateTopicResult, len(specs))
		for i, spec := range specs {
			results[i] = metadata.CreateTopicResult{Name: spec.Name, Err: err}
		}
		return results
	}
	planner := metadata.NewTopicPlanner(s.Image(), s.opts.TopicDefaults, s.opts.ValidateTopicConfig)
	bySpec, results := planner.PlanTopics(specs)
	created := false
	for i, recs := range bySpec {
		if recs == nil || validateOnly {
			continue
		}
		if err := s.writeTopic(ctx, specs[i].Name, recs); err != nil {
			results[i] = metadata.CreateTopicResult{Name: specs[i].Name, Err: err}
			continue
		}
		created = true
	}
	if created {
		s.waitReload(ctx)
	}
	return results
}

// writeTopic turns a planned topic's records into its znodes.
func (s *Source) writeTopic(ctx context.Context, name string, recs []metadata.Record) error {
	topic := znode.TopicZNode{Partitions: map[int32][]int32{}}
	configs := map[string]string{}
	for _, r := range recs {
		switch v := r.(type) {
		case *metadata.TopicRecord:
			topic.TopicID = v.TopicID
		case *metadata.ConfigRecord:
			if v.Value != nil {
				configs[v.Name] = *v.Value
			}
		case *metadata.PartitionRecord:
			topic.Partitions[v.PartitionID] = v.Replicas
		}
	}
	configPath := znode.ConfigEntityPath(znode.ConfigTypeTopic, name)
	var configOp any = &zk.CreateRequest{Path: configPath, Data: znode.EncodeConfig(configs)}
	if _, stat, err := s.conn.Get(ctx, configPath); err == nil {
		// A leftover config znode (Kafka leaves one behind a deletion that raced a
		// config change) is overwritten, as setOrCreateEntityConfigs does.
		configOp = &zk.SetDataRequest{Path: configPath, Data: znode.EncodeConfig(configs), Version: stat.Version}
	} else if !errors.Is(err, zk.ErrNoNode) {
		return metadata.Errorf(kerr.UnknownServerError, "create topic %s: %v", name, err)
	}
	w, err := s.brokerWriter(ctx, "create topic "+name)
	if err != nil {
		return err
	}
	_, err = w.Multi(ctx, configOp, &zk.CreateRequest{Path: znode.TopicPath(name), Data: znode.EncodeTopic(topic)})
	switch {
	case errors.Is(err, ErrControllerMoved):
		return brokerWriteError(err, "create topic %s", name)
	case errors.Is(err, zk.ErrNodeExists):
		return metadata.Errorf(kerr.TopicAlreadyExists, "Topic '%s' already exists.", name)
	case err != nil:
		return metadata.Errorf(kerr.UnknownServerError, "create topic %s: %v", name, err)
	}
	s.log.Info("created topic", "topic", name, "topic_id", topic.TopicID.String(), "partitions", len(topic.Partitions))
	return nil
}

// waitReload waits until a load that started after the call has been published, so
// the caller's next read of the image includes its own write.
func (s *Source) waitReload(ctx context.Context) {
	after := s.loadsStarted.Load()
	s.requestReload()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.loadedStart.Load() <= after {
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}
