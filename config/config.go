package config

import (
	"net"
	"slices"
	"strconv"
)

// Config is one node's server.properties, typed and validated. Field names
// are Kafka's key names; values are the effective ones after Kafka's
// defaults and fallbacks (log.retention.hours for log.retention.ms, ...).
type Config struct {
	// Source is the file the config was read from, for error messages and logs.
	Source string
	// overridden are the keys whose value came from --override (KeySource).
	overridden map[string]bool
	// Raw is every key as given (file and overrides; keys lower-cased by
	// viper), so DescribeConfigs can return keys kbridge does not type.
	Raw map[string]string
	// UnknownKeys are keys Kafka 3.9 does not know, sorted, for the caller
	// to log as a warning (Kafka logs them and starts anyway).
	UnknownKeys []string
	// IgnoredKeys are Kafka keys kbridge accepts without acting on them
	// (metrics, tuning knobs it has no equivalent for, a security key left at
	// its "off" value), sorted, for the caller to log once. Keys that would
	// change security or durability never get here: Parse refuses them.
	IgnoredKeys []string

	// Roles and identity. Empty ProcessRoles means ZooKeeper mode.
	ProcessRoles        []string
	NodeID              int32 // node.id; copied from broker.id when only that is set
	BrokerID            int32 // broker.id; copied from node.id when only that is set
	BrokerRack          string
	ReservedBrokerMaxID int32

	// KRaft quorum.
	ControllerQuorumVoters                    []QuorumVoter
	ControllerQuorumBootstrapServers          []string
	ControllerListenerNames                   []string // defaults to CONTROLLER on a controller with a CONTROLLER listener
	ControllerQuorumElectionTimeoutMs         int32
	ControllerQuorumFetchTimeoutMs            int32
	ControllerQuorumRequestTimeoutMs          int32
	BrokerSessionTimeoutMs                    int32
	BrokerHeartbeatIntervalMs                 int32
	MetadataLogDir                            string // metadata.log.dir, else the first log dir
	MetadataLogMaxRecordBytesBetweenSnapshots int64
	MetadataLogMaxSnapshotIntervalMs          int64
	MetadataMaxIdleIntervalMs                 int32

	// Listeners. Listener names are upper-cased, as Kafka normalises them.
	Listeners                   []Listener
	AdvertisedListeners         []Listener // advertised.listeners, else listeners; an empty host becomes "localhost"
	ListenerSecurityProtocolMap map[string]string
	InterBrokerListenerName     string // inter.broker.listener.name, else security.inter.broker.protocol
	SocketRequestMaxBytes       int32
	NumNetworkThreads           int32
	NumIoThreads                int32

	// ZooKeeper and migration.
	ZookeeperConnect                 string
	ZookeeperSessionTimeoutMs        int32
	ZookeeperConnectionTimeoutMs     int32 // defaults to the session timeout
	ZookeeperMetadataMigrationEnable bool
	// ZookeeperMetadataMigrationMinBatchSize is the copy's soft minimum batch size
	// (an internal Kafka key).
	ZookeeperMetadataMigrationMinBatchSize int32
	InterBrokerProtocolVersion             string

	// Topics and replication.
	NumPartitions               int32
	DefaultReplicationFactor    int32
	AutoCreateTopicsEnable      bool
	DeleteTopicEnable           bool
	MinInsyncReplicas           int32
	UncleanLeaderElectionEnable bool
	AutoLeaderRebalanceEnable   bool
	MessageMaxBytes             int32
	ReplicaFetchMaxBytes        int32
	ReplicaLagTimeMaxMs         int64
	ReplicaFetchWaitMaxMs       int32
	ReplicaFetchMinBytes        int32
	ReplicaFetchBackoffMs       int32
	// MaxIncrementalFetchSessionCacheSlots bounds the fetch sessions (KIP-227) a broker
	// keeps; only followers are given one.
	MaxIncrementalFetchSessionCacheSlots int32
	// LeaderImbalanceCheckIntervalSeconds is how often the active controller runs
	// preferred-leader election when auto.leader.rebalance.enable is set.
	LeaderImbalanceCheckIntervalSeconds int64
	ControlledShutdownEnable            bool

	// Log directories and segments.
	LogDirs                 []string // log.dirs, else log.dir
	LogSegmentBytes         int32
	LogRollMs               int64 // log.roll.ms, else log.roll.hours
	LogRollJitterMs         int64 // log.roll.jitter.ms, else log.roll.jitter.hours
	LogIndexIntervalBytes   int32
	LogIndexSizeMaxBytes    int32
	LogSegmentDeleteDelayMs int64
	LogPreallocate          bool

	// Retention and flushing.
	LogRetentionMs              int64 // ms > minutes > hours; -1 is unlimited
	LogRetentionBytes           int64
	LogRetentionCheckIntervalMs int64
	LogLocalRetentionMs         int64
	LogLocalRetentionBytes      int64
	LogFlushIntervalMessages    int64
	LogFlushIntervalMs          int64 // log.flush.interval.ms, else log.flush.scheduler.interval.ms; MaxInt64 is never

	// Cleaning (compaction).
	LogCleanupPolicy             []string
	LogCleanerDeleteRetentionMs  int64
	LogCleanerMinCompactionLagMs int64
	LogCleanerMaxCompactionLagMs int64
	LogCleanerMinCleanableRatio  float64

	// Message format and compression.
	LogMessageTimestampType            string
	LogMessageTimestampDifferenceMaxMs int64
	LogMessageTimestampBeforeMaxMs     int64
	LogMessageTimestampAfterMaxMs      int64
	LogMessageDownConversionEnable     bool
	LogMessageFormatVersion            string
	CompressionType                    string
	CompressionGzipLevel               int32
	CompressionLz4Level                int32
	CompressionZstdLevel               int32

	// Internal topics and the group coordinator.
	OffsetsTopicNumPartitions            int32
	OffsetsTopicReplicationFactor        int16
	OffsetsRetentionMinutes              int32
	TransactionStateLogReplicationFactor int16
	TransactionStateLogMinIsr            int32
	TransactionStateLogNumPartitions     int32
	TransactionStateLogSegmentBytes      int32
	TransactionMaxTimeoutMs              int32
	TransactionalIDExpirationMs          int32
	TransactionAbortTimedOutIntervalMs   int32
	TransactionRemoveExpiredIntervalMs   int32
	TransactionPartitionVerification     bool
	GroupInitialRebalanceDelayMs         int32
	GroupMinSessionTimeoutMs             int32
	GroupMaxSessionTimeoutMs             int32
	GroupMaxSize                         int32

	// MetricsListeners are the host:port addresses of metrics.listeners
	// (http://host:port entries); empty when metrics are off.
	MetricsListeners []string

	// Authorization (docs/security.md).
	AuthorizerClassName       string   // "" = no authorizer: every principal may do everything
	SuperUsers                []string // principals ("User:admin") every check allows
	AllowEveryoneIfNoACLFound bool
}

// Listener is one NAME://host:port entry of listeners or advertised.listeners.
// An empty Host in listeners means every interface.
type Listener struct {
	Name string
	Host string
	Port int
}

// Address is host:port, bracketing IPv6 hosts, ready for net.Dial or Listen.
func (l Listener) Address() string {
	return net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
}

// QuorumVoter is one id@host:port entry of controller.quorum.voters.
type QuorumVoter struct {
	ID   int32
	Host string
	Port int
}

// Mode is how the node coordinates: through ZooKeeper or a KRaft quorum.
type Mode int

const (
	// ModeZooKeeper is a node without process.roles.
	ModeZooKeeper Mode = iota
	// ModeKRaft is a node with process.roles.
	ModeKRaft
)

// String names the mode as Kafka's docs do.
func (m Mode) String() string {
	if m == ModeKRaft {
		return "KRaft"
	}
	return "ZooKeeper"
}

// Mode decides the coordination mode from process.roles, as Kafka does.
func (c *Config) Mode() Mode {
	if len(c.ProcessRoles) == 0 {
		return ModeZooKeeper
	}
	return ModeKRaft
}

// IsBroker reports whether the node serves clients: every ZooKeeper-mode
// node, and KRaft nodes with the broker role.
func (c *Config) IsBroker() bool {
	return c.Mode() == ModeZooKeeper || slices.Contains(c.ProcessRoles, "broker")
}

// IsController reports whether the node is a KRaft controller (a quorum voter
// or, with migration enabled, the migration controller).
func (c *Config) IsController() bool {
	return slices.Contains(c.ProcessRoles, "controller")
}

// KeySource is where key's value came from, named as KeyError.File names it
// ("--override" or the file), so a log line about a key points at what to edit.
func (c *Config) KeySource(key string) string {
	if c.overridden[key] {
		return overrideSource
	}
	return c.Source
}

// ListenerByName finds a listener by its (upper-case) name.
func (c *Config) ListenerByName(name string) (Listener, bool) {
	for _, l := range c.Listeners {
		if l.Name == name {
			return l, true
		}
	}
	return Listener{}, false
}

// ControllerListener is the listener the quorum and broker-to-controller
// requests use: the first of controller.listener.names, as Kafka's brokers
// pick it. ok is false when this node does not listen on it (a pure broker).
func (c *Config) ControllerListener() (Listener, bool) {
	if len(c.ControllerListenerNames) == 0 {
		return Listener{}, false
	}
	return c.ListenerByName(c.ControllerListenerNames[0])
}

// BrokerListeners are the listeners that serve clients and other brokers:
// every listener not named in controller.listener.names.
func (c *Config) BrokerListeners() []Listener {
	return c.withoutControllerListeners(c.Listeners)
}

// AdvertisedBrokerListeners are the endpoints a broker registers (in
// /brokers/ids or BrokerRegistration): advertised listeners minus controller
// listeners, as Kafka's effectiveAdvertisedBrokerListeners.
func (c *Config) AdvertisedBrokerListeners() []Listener {
	return c.withoutControllerListeners(c.AdvertisedListeners)
}

func (c *Config) withoutControllerListeners(ls []Listener) []Listener {
	var out []Listener
	for _, l := range ls {
		if !slices.Contains(c.ControllerListenerNames, l.Name) {
			out = append(out, l)
		}
	}
	return out
}
