// Package metadata is the cluster model shared by every mode: the Image a broker serves
// from, Kafka's metadata record types with their exact framing, and the Source interface
// through which a broker reads the image and makes the few writes a broker makes.
// It does no I/O, so ZooKeeper mode, KRaft mode and the migration all build the same Image.
//
// It also holds the mode-independent rules of creating topics (TopicPlanner: names,
// replication factors, rack-aware placement, config validation, new partitions) so a
// topic is planned the same way whichever mode writes it; their errors carry Kafka's
// codes, which is why this package imports franz-go's kerr beside kbin and kmsg.
package metadata

import "fmt"

// Image is the whole cluster state at one metadata offset. A published Image is never
// mutated: sources build the next one with Clone and Apply and hand out the new pointer.
type Image struct {
	// ClusterID is the 22-character base64 cluster id.
	ClusterID string
	// Offset and Epoch are the metadata log position the image reflects (-1 when unknown).
	Offset int64
	Epoch  int32

	Features         map[string]int16
	Brokers          map[int32]*Broker
	Controllers      map[int32]*Controller
	Topics           map[string]*Topic
	TopicsByID       map[Uuid]*Topic
	Configs          map[ConfigResource]map[string]string
	ProducerIDs      ProducerIDs
	ZkMigrationState ZkMigrationState
	ACLs             map[Uuid]*AccessControlEntryRecord
	Scram            map[ScramKey]*UserScramCredentialRecord
	Quotas           map[string]*QuotaEntity // keyed by QuotaEntity.Key()
	DelegationTokens map[string]*DelegationTokenRecord

	// pending holds records of an open metadata transaction (BeginTransactionRecord):
	// they are applied together at EndTransactionRecord and dropped at
	// AbortTransactionRecord, as Kafka's MetadataLoader does.
	pending     []Record
	inTxn       bool
	pendingName string
}

// Broker is one registered broker as the controller sees it.
type Broker struct {
	ID                   int32
	Epoch                int64
	IncarnationID        Uuid
	Endpoints            []Endpoint
	Features             []FeatureRange
	Rack                 string // "" when broker.rack is unset
	Fenced               bool
	InControlledShutdown bool
	IsMigratingZkBroker  bool
	LogDirs              []Uuid
}

// Controller is one registered controller (RegisterControllerRecord, KIP-919).
type Controller struct {
	ID               int32
	IncarnationID    Uuid
	ZkMigrationReady bool
	Endpoints        []Endpoint
	Features         []FeatureRange
}

// Endpoint is one listener of a broker or controller.
type Endpoint struct {
	Name             string `json:"name"`
	Host             string `json:"host"`
	Port             uint16 `json:"port"`
	SecurityProtocol int16  `json:"securityProtocol"`
}

// FeatureRange is a supported feature version range.
type FeatureRange struct {
	Name       string `json:"name"`
	MinVersion int16  `json:"minSupportedVersion"`
	MaxVersion int16  `json:"maxSupportedVersion"`
}

// Topic is one topic and its partitions.
type Topic struct {
	Name       string
	ID         Uuid
	Partitions map[int32]*Partition
}

// Partition is one partition's replica assignment and leadership.
type Partition struct {
	ID                  int32
	Replicas            []int32
	ISR                 []int32
	RemovingReplicas    []int32
	AddingReplicas      []int32
	Leader              int32 // -1 = no leader
	LeaderRecoveryState int8
	LeaderEpoch         int32
	PartitionEpoch      int32
	Directories         []Uuid
	// EligibleLeaderReplicas and LastKnownELR are KIP-966's ELR state (PartitionRecord
	// v2); nil when the controller does not use ELR.
	EligibleLeaderReplicas []int32
	LastKnownELR           []int32
}

// ConfigResource names the owner of a config set, with Kafka's resource type codes
// (TOPIC=2, BROKER=4, BROKER_LOGGER=8). Name "" with type BROKER is the cluster default.
type ConfigResource struct {
	Type int8
	Name string
}

// Config resource types as Kafka numbers them.
const (
	ConfigResourceTopic        int8 = 2
	ConfigResourceBroker       int8 = 4
	ConfigResourceBrokerLogger int8 = 8
)

// ProducerIDs is the producer-id allocation state.
type ProducerIDs struct {
	NextProducerID int64
	BrokerID       int32
	BrokerEpoch    int64
}

// ZkMigrationState is KIP-866's migration state, with Kafka 3.5+ numbering.
type ZkMigrationState int8

// The persisted migration states. ZK=4 is only ever a metric value in Kafka; kbridge
// also persists it, as the state a rollback leaves the log in (`migrate rollback` in
// the README): ZooKeeper leads again and the quorum takes no metadata writes.
const (
	ZkMigrationNone          ZkMigrationState = 0
	ZkMigrationMigration     ZkMigrationState = 1
	ZkMigrationPreMigration  ZkMigrationState = 2
	ZkMigrationPostMigration ZkMigrationState = 3
	ZkMigrationZK            ZkMigrationState = 4
)

// String is Kafka's name of the state (ZkMigrationState.java), as logs, errors and
// `migrate status` print it.
func (s ZkMigrationState) String() string {
	switch s {
	case ZkMigrationNone:
		return "NONE"
	case ZkMigrationMigration:
		return "MIGRATION"
	case ZkMigrationPreMigration:
		return "PRE_MIGRATION"
	case ZkMigrationPostMigration:
		return "POST_MIGRATION"
	case ZkMigrationZK:
		return "ZK"
	}
	return fmt.Sprintf("UNKNOWN(%d)", int8(s))
}

// ScramKey identifies one SCRAM credential.
type ScramKey struct {
	Name      string
	Mechanism int8
}

// QuotaEntity is one client-quota entity and its values.
type QuotaEntity struct {
	Entity []QuotaEntityPart
	Values map[string]float64
}

// QuotaEntityPart is one (type, name) pair; a nil Name is the default entity.
type QuotaEntityPart struct {
	Type string  `json:"entityType"`
	Name *string `json:"entityName"`
}
