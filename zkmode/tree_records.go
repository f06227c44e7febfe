package zkmode

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// MigrationRecords returns the records Kafka's migration copies from ZooKeeper into
// the metadata log, in its order (ZkMigrationClient.readAllMetadata; docs/kafka-compatibility.md,
// "Copy order and batching"): each topic's TopicRecord, ConfigRecords and PartitionRecords (v0); broker
// ConfigRecords; ClientQuotaRecords and UserScramCredentialRecords; one
// ProducerIdsRecord; AccessControlEntryRecords; DelegationTokenRecords (v0), last.
// Within each kind, entities are in name order where Kafka's is a hash order. The
// caller frames them: BeginTransactionRecord before, ZkMigrationStateRecord(MIGRATION)
// and EndTransactionRecord after.
//
// Where this differs from Tree.Image, it is Kafka's migration that is followed:
//   - Broker registrations and features are not copied: ZooKeeper brokers register
//     with the KRaft controller themselves, and the quorum's features are its own.
//   - A partition without a state znode is initialized as Kafka does: the first
//     replica leads, every replica is in the ISR, epochs 0.
//   - A topic without a topic_id cannot be copied (Kafka fails on topicIdOpt.get), so
//     its presence is an error.
//
// The records share memory with the tree: encode or apply them, never modify them.
func (t *Tree) MigrationRecords() ([]metadata.Record, error) {
	if len(t.TopicsWithoutID) > 0 {
		return nil, fmt.Errorf("migration records: topics without a topic_id cannot be migrated: %s", strings.Join(t.TopicsWithoutID, ", "))
	}
	var out []metadata.Record
	for _, lt := range t.topics {
		var err error
		if out, err = lt.appendRecords(out, initializeLikeKafka); err != nil {
			return nil, fmt.Errorf("migration records: %w", err)
		}
	}
	return t.appendClusterRecords(out), nil
}

// appendClusterRecords appends what follows the topics in Kafka's copy order.
func (t *Tree) appendClusterRecords(out []metadata.Record) []metadata.Record {
	out = append(out, t.brokerConfigs...)
	out = append(out, t.quotas...)
	if b := t.ProducerIDBlock; b != nil {
		rec := metadata.NewProducerIdsRecord()
		rec.BrokerID = b.BrokerID
		rec.NextProducerID = b.NextProducerID()
		out = append(out, rec)
	}
	out = append(out, t.acls...)
	return append(out, t.tokens...)
}

// buildImage applies the loaded znodes, as records, to an empty image.
func (t *Tree) buildImage(clusterID string) (*metadata.Image, error) {
	img := metadata.NewImage()
	img.ClusterID = clusterID
	records := slices.Clone(t.brokers)
	if f := t.Feature; f != nil && f.Status == znode.FeatureStatusEnabled {
		for _, name := range slices.Sorted(maps.Keys(f.Features)) {
			records = append(records, &metadata.FeatureLevelRecord{Name: name, FeatureLevel: f.Features[name]})
		}
	}
	for _, r := range records {
		if err := img.Apply(r); err != nil {
			return nil, fmt.Errorf("build image: %w", err)
		}
	}
	for _, lt := range t.topics {
		if err := addTopic(img, lt); err != nil {
			return nil, fmt.Errorf("build image: topic %s: %w", lt.name, err)
		}
	}
	for _, r := range t.appendClusterRecords(nil) {
		if err := img.Apply(r); err != nil {
			return nil, fmt.Errorf("build image: %w", err)
		}
	}
	return img, nil
}

// addTopic applies a topic's records to img. A topic without an id cannot go through
// Apply (every such topic would claim the zero id in TopicsByID), so its partitions
// are built by Apply on an image of its own and the topic is added by name only: it
// is served by name, and no request may find it by the zero id.
func addTopic(img *metadata.Image, lt *loadedTopic) error {
	records, err := lt.appendRecords(nil, leaveLeaderless)
	if err != nil {
		return err
	}
	target := img
	if lt.znode.TopicID.IsZero() {
		target = metadata.NewImage()
	}
	for _, r := range records {
		apply := target.Apply
		if _, ok := r.(*metadata.ConfigRecord); ok {
			apply = img.Apply
		}
		if err := apply(r); err != nil {
			return err
		}
	}
	if target != img {
		img.Topics[lt.name] = target.Topics[lt.name]
	}
	return nil
}
