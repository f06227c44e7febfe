package config

import (
	"net"
	"strings"
)

const (
	msPerMinute = 60 * 1000
	msPerHour   = 60 * msPerMinute
)

// decode fills a Config from the raw pairs, applying Kafka's defaults and
// fallbacks. It reports the first malformed value; cross-key rules are
// checked afterwards by validate.
func decode(d *decoder) (*Config, error) {
	c := &Config{Source: d.file, Raw: d.raw, overridden: d.overridden}
	decodeIdentity(d, c)
	decodeQuorum(d, c)
	decodeListeners(d, c)
	decodeZooKeeper(d, c)
	decodeTopics(d, c)
	decodeLog(d, c)
	decodeRetention(d, c)
	decodeMessageFormat(d, c)
	decodeCoordinator(d, c)
	decodeMetricsListeners(d, c)
	decodeAuthorizer(d, c)
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// decodeIdentity reads the roles and ids. Kafka treats node.id and broker.id
// as synonyms: either one alone sets both (KafkaConfig.populateSynonyms).
func decodeIdentity(d *decoder, c *Config) {
	c.ProcessRoles = d.list("process.roles")
	c.NodeID, c.BrokerID = d.int("node.id"), d.int("broker.id")
	switch {
	case d.isSet("node.id") && d.isSet("broker.id") && c.NodeID != c.BrokerID:
		d.fail("node.id", "%d must equal broker.id (%d) when both are set", c.NodeID, c.BrokerID)
	case d.isSet("broker.id"):
		c.NodeID = c.BrokerID
	case d.isSet("node.id"):
		c.BrokerID = c.NodeID
	}
	c.BrokerRack = d.str("broker.rack")
	c.ReservedBrokerMaxID = d.int("reserved.broker.max.id")
}

func decodeQuorum(d *decoder, c *Config) {
	voters, err := parseVoters(d.list("controller.quorum.voters"))
	if err != nil {
		d.fail("controller.quorum.voters", "%v", err)
	}
	c.ControllerQuorumVoters = voters
	c.ControllerQuorumBootstrapServers = d.list("controller.quorum.bootstrap.servers")
	if err := checkHostPorts(c.ControllerQuorumBootstrapServers); err != nil {
		d.fail("controller.quorum.bootstrap.servers", "%v", err)
	}
	c.ControllerQuorumElectionTimeoutMs = d.int("controller.quorum.election.timeout.ms")
	c.ControllerQuorumRequestTimeoutMs = d.int("controller.quorum.request.timeout.ms")
	c.ControllerQuorumFetchTimeoutMs = d.int("controller.quorum.fetch.timeout.ms")
	c.BrokerSessionTimeoutMs = d.int("broker.session.timeout.ms")
	c.BrokerHeartbeatIntervalMs = d.int("broker.heartbeat.interval.ms")
	c.MetadataLogMaxRecordBytesBetweenSnapshots = d.long("metadata.log.max.record.bytes.between.snapshots")
	c.MetadataLogMaxSnapshotIntervalMs = d.long("metadata.log.max.snapshot.interval.ms")
	c.MetadataMaxIdleIntervalMs = d.int("metadata.max.idle.interval.ms")
}

func decodeZooKeeper(d *decoder, c *Config) {
	c.ZookeeperConnect = strings.TrimSpace(d.str("zookeeper.connect"))
	c.ZookeeperSessionTimeoutMs = d.int("zookeeper.session.timeout.ms")
	c.ZookeeperMetadataMigrationMinBatchSize = d.int("zookeeper.metadata.migration.min.batch.size")
	c.ZookeeperConnectionTimeoutMs = c.ZookeeperSessionTimeoutMs
	if ms, ok := d.optInt("zookeeper.connection.timeout.ms"); ok {
		c.ZookeeperConnectionTimeoutMs = ms
	}
	c.ZookeeperMetadataMigrationEnable = d.bool("zookeeper.metadata.migration.enable")
	c.InterBrokerProtocolVersion = strings.TrimSpace(d.str("inter.broker.protocol.version"))
}

func decodeTopics(d *decoder, c *Config) {
	c.NumPartitions = d.int("num.partitions")
	c.DefaultReplicationFactor = d.int("default.replication.factor")
	c.AutoCreateTopicsEnable = d.bool("auto.create.topics.enable")
	c.DeleteTopicEnable = d.bool("delete.topic.enable")
	c.MinInsyncReplicas = d.int("min.insync.replicas")
	c.UncleanLeaderElectionEnable = d.bool("unclean.leader.election.enable")
	c.AutoLeaderRebalanceEnable = d.bool("auto.leader.rebalance.enable")
	c.MessageMaxBytes = d.int("message.max.bytes")
	c.ReplicaFetchMaxBytes = d.int("replica.fetch.max.bytes")
	c.ReplicaLagTimeMaxMs = d.long("replica.lag.time.max.ms")
	c.ReplicaFetchWaitMaxMs = d.int("replica.fetch.wait.max.ms")
	c.ReplicaFetchMinBytes = d.int("replica.fetch.min.bytes")
	c.ReplicaFetchBackoffMs = d.int("replica.fetch.backoff.ms")
	c.MaxIncrementalFetchSessionCacheSlots = d.int("max.incremental.fetch.session.cache.slots")
	c.LeaderImbalanceCheckIntervalSeconds = d.long("leader.imbalance.check.interval.seconds")
	c.ControlledShutdownEnable = d.bool("controlled.shutdown.enable")
}

// decodeLog reads directories and segment settings. log.dirs wins over
// log.dir; both are comma-separated lists.
func decodeLog(d *decoder, c *Config) {
	logDir := d.str("log.dir")
	dirs, ok := d.optList("log.dirs")
	if !ok {
		dirs = splitList(logDir)
	}
	c.LogDirs = dirs
	c.MetadataLogDir = strings.TrimSpace(d.str("metadata.log.dir"))
	if c.MetadataLogDir == "" && len(dirs) > 0 {
		c.MetadataLogDir = dirs[0]
	}
	c.LogSegmentBytes = d.int("log.segment.bytes")
	c.LogRollMs = msOrHours(d, "log.roll.ms", "log.roll.hours")
	c.LogRollJitterMs = msOrHours(d, "log.roll.jitter.ms", "log.roll.jitter.hours")
	c.LogIndexIntervalBytes = d.int("log.index.interval.bytes")
	c.LogIndexSizeMaxBytes = d.int("log.index.size.max.bytes")
	c.LogSegmentDeleteDelayMs = d.long("log.segment.delete.delay.ms")
	c.LogPreallocate = d.bool("log.preallocate")
}

// msOrHours is Kafka's "the .ms key if set, else the .hours key" fallback.
func msOrHours(d *decoder, msKey, hoursKey string) int64 {
	hours := int64(d.int(hoursKey))
	if ms, ok := d.optLong(msKey); ok {
		return ms
	}
	return hours * msPerHour
}

// decodeRetention applies Kafka's precedence log.retention.ms >
// log.retention.minutes > log.retention.hours; any negative result means
// unlimited and is normalised to -1 (KafkaConfig.logRetentionTimeMillis).
func decodeRetention(d *decoder, c *Config) {
	hours := int64(d.int("log.retention.hours"))
	minutes, minutesSet := d.optInt("log.retention.minutes")
	ms, msSet := d.optLong("log.retention.ms")
	switch {
	case msSet:
	case minutesSet:
		ms = int64(minutes) * msPerMinute
	default:
		ms = hours * msPerHour
	}
	c.LogRetentionMs = max(ms, -1)
	c.LogRetentionBytes = d.long("log.retention.bytes")
	c.LogRetentionCheckIntervalMs = d.long("log.retention.check.interval.ms")
	c.LogLocalRetentionMs = d.long("log.local.retention.ms")
	c.LogLocalRetentionBytes = d.long("log.local.retention.bytes")
	c.LogFlushIntervalMessages = d.long("log.flush.interval.messages")
	scheduler := d.long("log.flush.scheduler.interval.ms")
	c.LogFlushIntervalMs = scheduler
	if ms, ok := d.optLong("log.flush.interval.ms"); ok {
		c.LogFlushIntervalMs = ms
	}
	c.LogCleanupPolicy = d.list("log.cleanup.policy")
	c.LogCleanerDeleteRetentionMs = d.long("log.cleaner.delete.retention.ms")
	c.LogCleanerMinCompactionLagMs = d.long("log.cleaner.min.compaction.lag.ms")
	c.LogCleanerMaxCompactionLagMs = d.long("log.cleaner.max.compaction.lag.ms")
	c.LogCleanerMinCleanableRatio = d.double("log.cleaner.min.cleanable.ratio")
}

func decodeMessageFormat(d *decoder, c *Config) {
	c.LogMessageTimestampType = d.str("log.message.timestamp.type")
	c.LogMessageTimestampDifferenceMaxMs = d.long("log.message.timestamp.difference.max.ms")
	c.LogMessageTimestampBeforeMaxMs = d.long("log.message.timestamp.before.max.ms")
	c.LogMessageTimestampAfterMaxMs = d.long("log.message.timestamp.after.max.ms")
	c.LogMessageDownConversionEnable = d.bool("log.message.downconversion.enable")
	c.LogMessageFormatVersion = d.str("log.message.format.version")
	c.CompressionType = d.str("compression.type")
	c.CompressionGzipLevel = d.int("compression.gzip.level")
	c.CompressionLz4Level = d.int("compression.lz4.level")
	c.CompressionZstdLevel = d.int("compression.zstd.level")
}

func decodeCoordinator(d *decoder, c *Config) {
	c.OffsetsTopicNumPartitions = d.int("offsets.topic.num.partitions")
	c.OffsetsTopicReplicationFactor = d.short("offsets.topic.replication.factor")
	c.OffsetsRetentionMinutes = d.int("offsets.retention.minutes")
	c.TransactionStateLogReplicationFactor = d.short("transaction.state.log.replication.factor")
	c.TransactionStateLogMinIsr = d.int("transaction.state.log.min.isr")
	c.TransactionStateLogNumPartitions = d.int("transaction.state.log.num.partitions")
	c.TransactionStateLogSegmentBytes = d.int("transaction.state.log.segment.bytes")
	c.TransactionMaxTimeoutMs = d.int("transaction.max.timeout.ms")
	c.TransactionalIDExpirationMs = d.int("transactional.id.expiration.ms")
	c.TransactionAbortTimedOutIntervalMs = d.int("transaction.abort.timed.out.transaction.cleanup.interval.ms")
	c.TransactionRemoveExpiredIntervalMs = d.int("transaction.remove.expired.transaction.cleanup.interval.ms")
	c.TransactionPartitionVerification = d.bool("transaction.partition.verification.enable")
	c.GroupInitialRebalanceDelayMs = d.int("group.initial.rebalance.delay.ms")
	c.GroupMinSessionTimeoutMs = d.int("group.min.session.timeout.ms")
	c.GroupMaxSessionTimeoutMs = d.int("group.max.session.timeout.ms")
	c.GroupMaxSize = d.int("group.max.size")
}

// decodeMetricsListeners reads metrics.listeners: plain HTTP only, as TLS on the
// metrics port is not implemented and a security setting that cannot be honoured must
// not start open.
func decodeMetricsListeners(d *decoder, c *Config) {
	for _, l := range d.list("metrics.listeners") {
		rest, ok := strings.CutPrefix(l, "http://")
		if !ok {
			d.fail("metrics.listeners", "%q: want http://host:port (https is not supported)", l)
			return
		}
		if _, port, err := net.SplitHostPort(rest); err != nil || port == "" {
			d.fail("metrics.listeners", "%q: want http://host:port", l)
			return
		}
		c.MetricsListeners = append(c.MetricsListeners, rest)
	}
}
