package zkmode

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// maxConditionalWrites bounds the read-modify-write attempts of one admin write whose
// conditional write keeps losing to other writers of the same znode.
const maxConditionalWrites = 5

// errConcurrentWrite marks a conditional write that failed because another writer
// changed the znode after it was read: the caller reads again and retries.
var errConcurrentWrite = errors.New("the znode changed after it was read")

// zkWriteError is the error the broker answers with when a ZooKeeper request of an
// admin write fails: REQUEST_TIMED_OUT when the request's own deadline ended it, as
// Kafka's purgatory answers an admin request whose timeout passed, and
// UNKNOWN_SERVER_ERROR otherwise, Kafka's answer to a ZooKeeper exception.
func zkWriteError(err error, format string, args ...any) error {
	code := kerr.UnknownServerError
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		code = kerr.RequestTimedOut
	}
	return metadata.Errorf(code, "%s: %v", fmt.Sprintf(format, args...), err)
}

// AlterConfigs changes the dynamic configs of a topic, a broker or the cluster-wide
// broker default (BROKER with name "") as Kafka's ZooKeeper-mode AdminManager does
// through AdminZkClient.changeConfigs. The entity's config znode is read fresh (a
// missing one is an empty set), the changes are applied with metadata.AlteredConfigs,
// the topic keys whose value changes are checked with SourceOptions.ValidateTopicConfig
// (INVALID_CONFIG), and then one multi writes the whole set to /config/topics/<topic>,
// /config/brokers/<id> or /config/brokers/<default> and announces it with a sequential
// /config/changes/config_change_ ({"version":2,"entity_path":"topics/<topic>"}), which
// every Kafka broker of the cluster watches. Unlike Kafka, which overwrites whatever
// version is there and checks the topic beforehand, the write is conditional on the
// version read (a lost race reads again) and checks in the same multi that the topic
// znode still exists, so a concurrent change is never lost and no config znode outlives
// a deleted topic. Also unlike Kafka, nothing is written when the set does not change,
// as the KRaft controller writes no records for it. With validateOnly nothing is
// written.
//
// A broker's password configs (ssl.keystore.password, ...) are refused, as Kafka's
// ZooKeeper mode refuses them without password.encoder.secret, which kbridge does not
// support: it would have to store them in clear.
//
// A per-broker entity is accepted only for this broker, as Kafka's ZooKeeper mode
// refuses another broker's id: that broker's own config is what validates its dynamic
// configs, so clients send per-broker changes to the broker they configure.
func (s *Source) AlterConfigs(ctx context.Context, res metadata.ConfigResource, changes []metadata.ConfigChange, incremental, validateOnly bool) error {
	if err := s.checkNotMigrating("AlterConfigs"); err != nil {
		return err
	}
	if err := metadata.CheckConfigResource(s.Image(), res); err != nil {
		return err
	}
	if res.Type == metadata.ConfigResourceBroker {
		for _, ch := range changes {
			if ch.Value != nil && metadata.IsPasswordConfig(ch.Name) {
				return metadata.Errorf(kerr.InvalidRequest, "%s: password config can be defined only if password.encoder.secret is configured (Kafka stores dynamic passwords in ZooKeeper encrypted with it; kbridge does not support it yet)", ch.Name)
			}
		}
	}
	entityType, entityName, err := s.configEntity(res)
	if err != nil {
		return err
	}
	written, err := retryConditional("alter configs of "+entityType+"/"+entityName, func() (bool, error) {
		return s.alterEntityConfig(ctx, res, entityType, entityName, changes, incremental, validateOnly)
	})
	if written {
		s.waitReload(ctx)
	}
	return err
}

// configEntity names the entity that holds res's configs in ZooKeeper: its type and
// name below /config, which are also the entity path of its change notification.
// Broker ids are written as Kafka writes them (the parsed id, so "01" is broker 1), and
// the cluster default is ZooKeeper's <default>.
func (s *Source) configEntity(res metadata.ConfigResource) (entityType, entityName string, err error) {
	if res.Type == metadata.ConfigResourceTopic {
		return znode.ConfigTypeTopic, res.Name, nil
	}
	if res.Name == "" {
		return znode.ConfigTypeBroker, znode.ConfigDefaultName, nil
	}
	id, err := strconv.ParseInt(res.Name, 10, 32)
	if err != nil {
		return "", "", metadata.Errorf(kerr.InvalidRequest, "Broker id must be an integer, but it is: %s", res.Name)
	}
	if int32(id) != s.opts.BrokerID {
		return "", "", metadata.Errorf(kerr.InvalidRequest, "Unexpected broker id, expected %d, but received %s", s.opts.BrokerID, res.Name)
	}
	return znode.ConfigTypeBroker, strconv.Itoa(int(id)), nil
}

// alterEntityConfig is one read-modify-write of an entity's config znode; written
// reports whether it wrote. A lost race returns errConcurrentWrite.
func (s *Source) alterEntityConfig(ctx context.Context, res metadata.ConfigResource, entityType, entityName string, changes []metadata.ConfigChange, incremental, validateOnly bool) (bool, error) {
	path := znode.ConfigEntityPath(entityType, entityName)
	data, stat, err := s.conn.Get(ctx, path)
	exists := err == nil
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return false, zkWriteError(err, "alter configs of %s/%s", entityType, entityName)
	}
	var current map[string]string
	if exists {
		if current, err = znode.DecodeConfig(data); err != nil {
			return false, metadata.Errorf(kerr.UnknownServerError, "alter configs of %s/%s: %v", entityType, entityName, decodeError(path, err))
		}
	}
	next, err := metadata.AlteredConfigs(current, changes, incremental)
	if err != nil {
		return false, err
	}
	if res.Type == metadata.ConfigResourceTopic && s.opts.ValidateTopicConfig != nil {
		for _, k := range slices.Sorted(maps.Keys(next)) {
			if old, ok := current[k]; ok && old == next[k] {
				continue
			}
			if err := s.opts.ValidateTopicConfig(k, next[k]); err != nil {
				return false, metadata.Errorf(kerr.InvalidConfig, "%s", err.Error())
			}
		}
	}
	if validateOnly || maps.Equal(current, next) {
		return false, nil
	}

	var ops []any
	if res.Type == metadata.ConfigResourceTopic {
		// Version -1 matches any version but still fails when the znode is gone.
		ops = append(ops, &zk.CheckVersionRequest{Path: znode.TopicPath(res.Name), Version: -1})
	}
	if exists {
		ops = append(ops, &zk.SetDataRequest{Path: path, Data: znode.EncodeConfig(next), Version: stat.Version})
	} else {
		ops = append(ops, &zk.CreateRequest{Path: path, Data: znode.EncodeConfig(next), Flags: zk.FlagPersistent})
	}
	ops = append(ops, &zk.CreateRequest{
		Path:  znode.ConfigChangesPath + "/" + znode.ConfigChangePrefix,
		Data:  znode.EncodeConfigChange(entityType + "/" + entityName),
		Flags: zk.FlagSequence,
	})
	w, err := s.brokerWriter(ctx, "alter configs of "+entityType+"/"+entityName)
	if err != nil {
		return false, err
	}
	_, err = w.Multi(ctx, ops...)
	switch {
	case err == nil:
	case errors.Is(err, ErrControllerMoved):
		return false, brokerWriteError(err, "alter configs of %s/%s", entityType, entityName)
	case errors.Is(err, zk.ErrNoNode) && res.Type == metadata.ConfigResourceTopic:
		// The topic znode, or the config znode its deletion takes away, is gone.
		return false, metadata.Errorf(kerr.UnknownTopicOrPartition, "Topic '%s' does not exist.", res.Name)
	case errors.Is(err, zk.ErrBadVersion), errors.Is(err, zk.ErrNodeExists), errors.Is(err, zk.ErrNoNode):
		return false, fmt.Errorf("%w: %v", errConcurrentWrite, err)
	default:
		return false, zkWriteError(err, "alter configs of %s/%s", entityType, entityName)
	}
	s.log.Info("altered dynamic configs", "entity", entityType+"/"+entityName, "keys", slices.Sorted(maps.Keys(next)))
	return true, nil
}
