package metadata

import "context"

// Source is what a broker sees of its cluster's coordination, whichever mode runs it.
// ZooKeeper mode and KRaft mode each implement it; swapping one Source for another is
// how a broker moves from ZooKeeper to the quorum without restarting.
//
// Errors returned by the write methods are franz-go kerr errors (possibly wrapped), so
// the broker can answer with Kafka's error code: kerr.TopicAlreadyExists,
// kerr.UnknownTopicOrPartition, kerr.InvalidPartitions, kerr.InvalidReplicationFactor,
// kerr.InvalidConfig, kerr.NotController, kerr.PolicyViolation and so on.
type Source interface {
	// Image returns the newest committed image; never nil once the source has started.
	Image() *Image
	// Subscribe registers fn to be called, in order and from one goroutine, with every
	// newly published image. fn must return quickly.
	Subscribe(fn func(*Image))

	// RegisterBroker registers (or re-registers) a broker and returns its broker epoch.
	RegisterBroker(ctx context.Context, reg BrokerRegistration) (int64, error)
	// CreateTopics creates topics; with validateOnly nothing is written. Results are in
	// request order.
	CreateTopics(ctx context.Context, specs []TopicSpec, validateOnly bool) []CreateTopicResult
	// DeleteTopics deletes topics by name; errors are in request order (nil = deleted).
	DeleteTopics(ctx context.Context, names []string) []error
	// CreatePartitions raises a topic's partition count to total.
	CreatePartitions(ctx context.Context, topic string, total int32, assignment [][]int32, validateOnly bool) error
	// AlterConfigs applies config changes to one resource. Incremental changes keep the
	// keys they do not name; a non-incremental alter (AlterConfigs API) replaces the whole set.
	AlterConfigs(ctx context.Context, res ConfigResource, changes []ConfigChange, incremental, validateOnly bool) error
	// AllocateProducerIDs hands out a block of producer ids to a broker.
	AllocateProducerIDs(ctx context.Context, brokerID int32, brokerEpoch int64) (first int64, count int32, err error)

	// AlterPartition is a partition leader's request to shrink or expand ISRs
	// (Kafka's AlterPartition). The error is for the whole request (stale broker epoch,
	// no controller); per-partition outcomes are in the results, in request order.
	AlterPartition(ctx context.Context, brokerID int32, brokerEpoch int64, changes []ISRChange) ([]ISRChangeResult, error)
	// ElectLeaders runs preferred (or, with unclean, unclean) leader election on the
	// named partitions; nil means every partition. Results name each partition tried.
	ElectLeaders(ctx context.Context, unclean bool, partitions map[string][]int32) ([]ElectionResult, error)
	// ControlledShutdown moves every leadership of the broker to other ISR members and
	// returns when the broker leads nothing it could hand over, so that stopping it
	// costs clients no election timeout.
	ControlledShutdown(ctx context.Context, brokerID int32, brokerEpoch int64) error

	// CreateACLs stores ACL bindings, each already validated (ACLBinding.Validate);
	// errors are in request order (nil = stored). Storing a binding that exists
	// succeeds without a second copy.
	CreateACLs(ctx context.Context, acls []ACLBinding) []error
	// DeleteACLs removes every ACL each filter matches; results are in filter order.
	DeleteACLs(ctx context.Context, filters []ACLFilter) []DeleteACLsResult
	// AlterScramCredentials stores and deletes SCRAM credentials; errors are in
	// request order (nil = done; kerr.ResourceNotFound for a deletion of a credential
	// that does not exist).
	AlterScramCredentials(ctx context.Context, changes []ScramChange) []error
}

// ISRChange is one partition in an AlterPartition request: the ISR the leader wants,
// fenced by the leader epoch and partition epoch the leader last saw.
type ISRChange struct {
	TopicID             Uuid
	Partition           int32
	LeaderEpoch         int32
	PartitionEpoch      int32
	NewISR              []int32
	LeaderRecoveryState int8
}

// ISRChangeResult is the outcome of one ISRChange. Err is a kerr error
// (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, INELIGIBLE_REPLICA,
// NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_ID ...); State is the partition after the change,
// or as it stands when the change was refused and the partition exists.
type ISRChangeResult struct {
	TopicID   Uuid
	Partition int32
	Err       error
	State     *Partition
}

// ElectionResult is the outcome of electing one partition's leader. Err is nil when a
// new leader was written, or kerr.ElectionNotNeeded, kerr.PreferredLeaderNotAvailable,
// kerr.EligibleLeadersNotAvailable, kerr.UnknownTopicOrPartition.
type ElectionResult struct {
	Topic     string
	Partition int32
	Err       error
}

// BrokerRegistration is what a broker tells the controller about itself.
type BrokerRegistration struct {
	BrokerID            int32
	IncarnationID       Uuid
	Endpoints           []Endpoint
	Features            []FeatureRange
	Rack                string
	IsMigratingZkBroker bool
	LogDirs             []Uuid
}

// TopicSpec is one topic to create. NumPartitions/ReplicationFactor of -1 take the
// broker defaults (num.partitions, default.replication.factor); Assignment, when given,
// fixes the replicas of each partition.
type TopicSpec struct {
	Name              string
	NumPartitions     int32
	ReplicationFactor int16
	Assignment        map[int32][]int32
	Configs           map[string]*string
}

// CreateTopicResult is the outcome of one TopicSpec.
type CreateTopicResult struct {
	Name              string
	ID                Uuid
	NumPartitions     int32
	ReplicationFactor int16
	Err               error
}

// ConfigOp is an IncrementalAlterConfigs operation, numbered as in Kafka.
type ConfigOp int8

// Kafka's IncrementalAlterConfigs operations.
const (
	ConfigOpSet      ConfigOp = 0
	ConfigOpDelete   ConfigOp = 1
	ConfigOpAppend   ConfigOp = 2
	ConfigOpSubtract ConfigOp = 3
)

// ConfigChange is one key change.
type ConfigChange struct {
	Name  string
	Op    ConfigOp
	Value *string
}

// ControllerLocator is implemented by sources in which one broker is the controller
// that clients must address: ZooKeeper mode, whose admin requests such as ElectLeaders
// only the broker holding /controller carries out. Metadata and DescribeCluster name
// it, as a ZooKeeper-mode Kafka broker does. A KRaft broker names itself instead,
// since clients cannot reach the quorum.
type ControllerLocator interface {
	// ControllerID is the controller broker's id, -1 while there is none.
	ControllerID() int32
}

// RegistrationEpoch is implemented by sources that register the broker again on their
// own — on a new ZooKeeper session, or after a STALE_BROKER_EPOCH from the controller —
// so the broker epoch it sends in fetches and AlterPartition changes while it runs.
type RegistrationEpoch interface {
	// Epoch is the broker epoch of the current registration, -1 before the first.
	Epoch() int64
}

// SessionLiveness is implemented by sources whose broker can lose its session without
// being told: a KRaft broker cut off from the controllers, a ZooKeeper-mode broker cut
// off from ZooKeeper (which learns of its session's expiry only when it reaches a
// server again). Once SessionLost, the broker must assume the controller fenced it and
// moved its leaderships, so it stops acknowledging writes and answers
// NOT_LEADER_OR_FOLLOWER: clients move to the new leader at once instead of waiting
// out their request timeout.
type SessionLiveness interface {
	SessionLost() bool
}
