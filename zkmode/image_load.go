package zkmode

import (
	"context"
	"fmt"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// Tree is a Kafka cluster as its ZooKeeper tree describes it: the metadata.Image the
// cluster holds, and what ZooKeeper keeps beside it that an Image has no place for
// (pending deletions, the controller znodes, the migration state, raw znodes the
// migration's preflight inspects).
type Tree struct {
	// Image is the cluster in the model every mode shares, built with metadata's own
	// records and Image.Apply, so it is what the KRaft side holds for the same records:
	//   - ClusterID from /cluster/id ("" when the znode does not exist yet).
	//   - Brokers from /brokers/ids: unfenced (a registered ZooKeeper broker is live),
	//     Epoch the znode's czxid (Kafka's ZooKeeper broker epoch), zero incarnation id.
	//   - Topics from /brokers/topics with their partitions' state znodes (the
	//     partition epoch is the state znode's zkVersion). Topics pending deletion are
	//     left out, as Kafka's migration leaves them out. A topic whose znode has no
	//     topic_id is loaded with the zero Uuid, in Topics but not in TopicsByID,
	//     because a ZooKeeper broker still serves it and the dry-run must report it. A
	//     partition without a state znode has no leader (-1), an empty ISR and epochs -1.
	//   - Configs from /config/topics (loaded topics only) and /config/brokers, the
	//     <default> broker entity under the name "". Broker password configs are as
	//     stored: encrypted with password.encoder.secret.
	//   - Quotas and Scram from /config/users, /config/clients, /config/users/*/clients
	//     and /config/ips, names desanitized, <default> as the null entity name.
	//   - ACLs from /kafka-acl and /kafka-acl-extended/prefixed, with ids from ACLID.
	//   - DelegationTokens from /delegation_token/tokens, principals desanitized, the
	//     requester of a token written before Kafka 3.3 its owner.
	//   - ProducerIDs from /latest_producer_id_block (BrokerEpoch -1, as migrated).
	//   - Features: what an enabled /feature finalizes, usually nothing. ZooKeeper has
	//     no metadata.version (a ZooKeeper cluster's version is its IBP): the caller
	//     sets it. ZkMigrationState stays NONE and Offset/Epoch -1, as ZooKeeper has no
	//     metadata log position.
	//   - Controllers stay empty: ZooKeeper has no KRaft controllers.
	Image *metadata.Image

	// BrokerZNodes are the registrations as written, by broker id (their JSON version
	// tells a broker's IBP range).
	BrokerZNodes map[int32]znode.BrokerZNode
	// PendingDeletions are the children of /admin/delete_topics, sorted.
	PendingDeletions []string
	// TopicsWithoutID are the loaded topics whose znode has no topic_id, sorted.
	TopicsWithoutID []string
	// PartitionsWithoutState are the loaded partitions that have no state znode yet
	// (a ZooKeeper controller has not elected their first leader).
	PartitionsWithoutState []znode.TopicPartition

	// Controller is /controller, nil when no controller is registered.
	Controller *znode.ControllerZNode
	// ControllerEpoch and ControllerEpochZkVersion are /controller_epoch's value and
	// zkVersion, the fencing token of controller writes; 0 and UnknownZkVersion when
	// the znode does not exist (no controller was ever elected).
	ControllerEpoch          int32
	ControllerEpochZkVersion int32
	// Migration is /migration, nil when no migration ever started.
	Migration *MigrationState
	// Feature is /feature, nil when it does not exist.
	Feature *znode.FeatureZNode
	// ProducerIDBlock is /latest_producer_id_block, nil when no block was handed out.
	ProducerIDBlock *znode.ProducerIDBlock

	topics []*loadedTopic
	// brokers, brokerConfigs, quotas, acls and tokens are records in the order
	// Kafka's migration reads them (quotas include the SCRAM credentials, user by
	// user; tokens are the delegation tokens).
	brokers       []metadata.Record
	brokerConfigs []metadata.Record
	quotas        []metadata.Record
	acls          []metadata.Record
	tokens        []metadata.Record
}

// MigrationState is /migration with the znode's stat fields Kafka keeps beside it
// (ZkMigrationLeadershipState's migrationZkVersion and lastUpdatedTimeMs).
type MigrationState struct {
	znode.MigrationZNode
	// ZkVersion fences the KRaft controller's writes to ZooKeeper.
	ZkVersion int32
	// LastUpdatedTimeMs is the znode's mtime.
	LastUpdatedTimeMs int64
}

// LoadImage reads the ZooKeeper tree of a Kafka cluster into an Image; see Tree.Image
// for what it holds and LoadTree for the rest of what the tree says.
func LoadImage(ctx context.Context, r TreeReader) (*metadata.Image, error) {
	t, err := LoadTree(ctx, r)
	if err != nil {
		return nil, err
	}
	return t.Image, nil
}

// LoadTree reads the whole ZooKeeper tree of a Kafka cluster, as a Kafka 2.x or 3.x
// cluster writes it. It fails on the first znode it cannot decode, naming it. Reads
// are issued concurrently, so r must be safe for concurrent use (Conn is).
//
// The read is not a snapshot: ZooKeeper has no multi-znode read, so a cluster that
// changes meanwhile may be seen half-changed, as Kafka's own controller and migration
// see it. Znodes that vanish between listing and reading are skipped.
func LoadTree(ctx context.Context, r TreeReader) (*Tree, error) {
	t := &Tree{ControllerEpochZkVersion: znode.UnknownZkVersion, BrokerZNodes: map[int32]znode.BrokerZNode{}}
	clusterID, err := t.loadCluster(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, load := range []func(context.Context, TreeReader) error{
		t.loadBrokers, t.loadTopics, t.loadBrokerConfigs, t.loadClientQuotas, t.loadACLs, t.loadDelegationTokens,
	} {
		if err := load(ctx, r); err != nil {
			return nil, err
		}
	}
	if t.Image, err = t.buildImage(clusterID); err != nil {
		return nil, fmt.Errorf("load ZooKeeper tree: %w", err)
	}
	return t, nil
}
