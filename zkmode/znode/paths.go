package znode

import (
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// Kafka's znode paths, named after the ZkData objects that define them
// (core/src/main/scala/kafka/zk/ZkData.scala, Kafka 3.9).
const (
	// ClusterPath is ClusterZNode; ClusterIDPath (ClusterIdZNode) holds the cluster id.
	ClusterPath   = "/cluster"
	ClusterIDPath = "/cluster/id"

	// ControllerPath is ControllerZNode: ephemeral while a ZooKeeper broker is the
	// controller, persistent while a KRaft controller runs a migration.
	ControllerPath = "/controller"
	// ControllerEpochPath is ControllerEpochZNode; every controller write checks its
	// zkVersion, which is how a stale controller is fenced.
	ControllerEpochPath = "/controller_epoch"

	// BrokersPath is BrokersZNode; BrokerIDsPath (BrokerIdsZNode) holds one ephemeral
	// znode per live broker, TopicsPath (TopicsZNode) one znode per topic.
	BrokersPath   = "/brokers"
	BrokerIDsPath = "/brokers/ids"
	TopicsPath    = "/brokers/topics"
	// BrokerSeqIDPath is BrokerSequenceIdZNode, whose zkVersion generates broker ids.
	BrokerSeqIDPath = "/brokers/seqid"

	// ConfigPath is ConfigZNode. ConfigChangesPath (ConfigEntityChangeNotificationZNode)
	// holds persistent sequential znodes named ConfigChangePrefix + counter.
	ConfigPath         = "/config"
	ConfigChangesPath  = "/config/changes"
	ConfigChangePrefix = "config_change_"

	// AdminPath is AdminZNode. DeleteTopicsPath (DeleteTopicsZNode) holds one empty znode
	// per topic queued for deletion.
	AdminPath                    = "/admin"
	DeleteTopicsPath             = "/admin/delete_topics"
	ReassignPartitionsPath       = "/admin/reassign_partitions"
	PreferredReplicaElectionPath = "/admin/preferred_replica_election"

	// IsrChangeNotificationPath holds IsrChangePrefix sequential znodes (IBP < 2.7).
	IsrChangeNotificationPath = "/isr_change_notification"
	IsrChangePrefix           = "isr_change_"
	// LogDirEventNotificationPath holds LogDirEventPrefix sequential znodes.
	LogDirEventNotificationPath = "/log_dir_event_notification"
	LogDirEventPrefix           = "log_dir_event_"

	// ProducerIDBlockPath is ProducerIdBlockZNode, the last producer-id block handed out.
	ProducerIDBlockPath = "/latest_producer_id_block"
	// ConsumersPath is ConsumerPathZNode, the pre-0.9 consumers' path (open ACL).
	ConsumersPath = "/consumers"
	// FeaturePath is FeatureZNode, the finalized features (KIP-584).
	FeaturePath = "/feature"
	// MigrationPath is MigrationZNode, KIP-866's migration state.
	MigrationPath = "/migration"

	// DelegationTokenPath is DelegationTokenAuthZNode; tokens live under
	// DelegationTokensPath, change events under DelegationTokenChangesPath.
	DelegationTokenPath         = "/delegation_token"
	DelegationTokensPath        = "/delegation_token/tokens"
	DelegationTokenChangesPath  = "/delegation_token/token_changes"
	DelegationTokenChangePrefix = "token_change_"

	// LiteralACLPath is LiteralAclStore's root, ExtendedACLPath the root of every other
	// pattern type (ExtendedAclZNode); their change stores hold ACLChangePrefix
	// sequential znodes.
	LiteralACLPath         = "/kafka-acl"
	ExtendedACLPath        = "/kafka-acl-extended"
	LiteralACLChangesPath  = "/kafka-acl-changes"
	ExtendedACLChangesPath = "/kafka-acl-extended-changes"
	ACLChangePrefix        = "acl_changes_"
)

// Config entity types, the children of /config (server-common ConfigType), and the
// entity name ZooKeeper uses for the default entity (ZooKeeperInternals.DEFAULT_STRING;
// KRaft uses "" for brokers and a null name for quotas instead).
const (
	ConfigTypeTopic   = "topics"
	ConfigTypeClient  = "clients"
	ConfigTypeUser    = "users"
	ConfigTypeBroker  = "brokers"
	ConfigTypeIP      = "ips"
	ConfigDefaultName = "<default>"
)

// configTypes is ConfigType.ALL in its order; client-metrics is left out because ZooKeeper
// mode does not support it.
var configTypes = []string{ConfigTypeTopic, ConfigTypeClient, ConfigTypeUser, ConfigTypeBroker, ConfigTypeIP}

// UnknownZkVersion is Kafka's ZkVersion.UnknownVersion, the zkVersion of a znode that
// does not exist.
const UnknownZkVersion int32 = -2

// BrokerPath is BrokerIdZNode.path: the ephemeral registration of broker id.
func BrokerPath(id int32) string { return BrokerIDsPath + "/" + strconv.Itoa(int(id)) }

// TopicPath is TopicZNode.path: a topic's replica assignment and topic id.
func TopicPath(topic string) string { return TopicsPath + "/" + topic }

// TopicPartitionsPath is TopicPartitionsZNode.path, the parent of a topic's partitions.
func TopicPartitionsPath(topic string) string { return TopicPath(topic) + "/partitions" }

// TopicPartitionPath is TopicPartitionZNode.path, an empty znode per partition.
func TopicPartitionPath(topic string, partition int32) string {
	return TopicPartitionsPath(topic) + "/" + strconv.Itoa(int(partition))
}

// TopicPartitionStatePath is TopicPartitionStateZNode.path: leader, ISR and epochs.
func TopicPartitionStatePath(topic string, partition int32) string {
	return TopicPartitionPath(topic, partition) + "/state"
}

// ConfigEntityTypePath is ConfigEntityTypeZNode.path, e.g. /config/topics.
func ConfigEntityTypePath(entityType string) string { return ConfigPath + "/" + entityType }

// ConfigEntityPath is ConfigEntityZNode.path, e.g. /config/brokers/<default>. A user's
// client-id entity is ConfigEntityPath(ConfigTypeUser, user+"/clients/"+clientID).
// User and client-id names are sanitized (SanitizeEntityName) in the path.
func ConfigEntityPath(entityType, entityName string) string {
	return ConfigEntityTypePath(entityType) + "/" + entityName
}

// DeleteTopicPath is DeleteTopicsTopicZNode.path: the deletion request of a topic.
func DeleteTopicPath(topic string) string { return DeleteTopicsPath + "/" + topic }

// ACLStorePath is ZkAclStore.aclPath of a pattern type: /kafka-acl for LITERAL,
// /kafka-acl-extended/prefixed for PREFIXED.
func ACLStorePath(patternType int8) (string, error) {
	switch patternType {
	case metadata.ACLPatternLiteral:
		return LiteralACLPath, nil
	case metadata.ACLPatternPrefixed:
		return ExtendedACLPath + "/prefixed", nil
	}
	return "", errUnknownCode("pattern type", patternType)
}

// ACLResourcePath is ResourceZNode.path: the znode holding the ACLs of one resource
// pattern, e.g. /kafka-acl/Topic/orders or /kafka-acl-extended/prefixed/Group/app-.
func ACLResourcePath(p ResourcePattern) (string, error) {
	store, err := ACLStorePath(p.PatternType)
	if err != nil {
		return "", err
	}
	name, err := ResourceTypeName(p.ResourceType)
	if err != nil {
		return "", err
	}
	return store + "/" + name + "/" + p.Name, nil
}

// PersistentPaths is ZkData.PersistentZkPaths, in its order: the znodes a Kafka broker
// creates (if absent) at start-up, before it registers.
func PersistentPaths() []string {
	out := []string{
		ConsumersPath, BrokerIDsPath, TopicsPath, ConfigChangesPath, DeleteTopicsPath,
		BrokerSeqIDPath, IsrChangeNotificationPath, ProducerIDBlockPath, LogDirEventNotificationPath,
	}
	for _, t := range configTypes {
		out = append(out, ConfigEntityTypePath(t))
	}
	return out
}

// SecureRootPaths is ZkData.SecureRootPaths: every top-level path Kafka puts ACLs on
// when zookeeper.set.acl is true.
func SecureRootPaths() []string {
	return []string{
		AdminPath, BrokersPath, ClusterPath, ConfigPath, ControllerPath, ControllerEpochPath,
		IsrChangeNotificationPath, ProducerIDBlockPath, LogDirEventNotificationPath,
		DelegationTokenPath, ExtendedACLPath, FeaturePath, MigrationPath,
		LiteralACLPath, LiteralACLChangesPath, ExtendedACLPath + "/prefixed", ExtendedACLChangesPath,
	}
}

// IsSensitivePath is ZkData.sensitivePath: znodes under these roots (user and broker
// configs hold credentials, and the delegation tokens) get no world-read ACL when
// zookeeper.set.acl is true.
func IsSensitivePath(path string) bool {
	for _, root := range []string{ConfigEntityTypePath(ConfigTypeUser), ConfigEntityTypePath(ConfigTypeBroker), DelegationTokensPath} {
		if strings.HasPrefix(path, root) {
			return true
		}
	}
	return false
}
