package config

// keyDef is one Kafka config key as ConfigDef defines it: the single place a
// default lives, so the struct, DescribeConfigs and the docs cannot disagree.
type keyDef struct {
	name    string
	kind    kind
	def     string // Kafka's default as Kafka prints it
	null    bool   // Kafka's default is null (the key has no value)
	rule    rule   // nil: any value of the kind
	dynamic bool   // Kafka can change it at runtime, so DescribeConfigs says not read-only
}

const (
	maxInt32 = "2147483647"          // Integer.MAX_VALUE
	maxInt64 = "9223372036854775807" // Long.MAX_VALUE, Kafka's "never"
)

// compressionTypes are BrokerCompressionType's names; "producer" keeps the
// producer's codec.
var compressionTypes = oneOf{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}

// brokerKeys are the server.properties keys the Config struct reads, with
// Kafka 3.9's types, defaults and validators (KafkaConfig, ServerLogConfigs,
// KRaftConfigs, ZkConfigs, GroupCoordinatorConfig, ...).
var brokerKeys = []keyDef{
	// Roles and identity.
	{name: "process.roles", kind: kindList, rule: oneOf{"broker", "controller"}},
	{name: "node.id", kind: kindInt, def: "-1"},
	{name: "broker.id", kind: kindInt, def: "-1"},
	{name: "broker.rack", kind: kindString, null: true},
	{name: "reserved.broker.max.id", kind: kindInt, def: "1000", rule: atLeast(0)},

	// KRaft quorum.
	{name: "controller.quorum.voters", kind: kindList},
	{name: "controller.quorum.bootstrap.servers", kind: kindList},
	{name: "controller.listener.names", kind: kindList, null: true},
	{name: "controller.quorum.election.timeout.ms", kind: kindInt, def: "1000"},
	{name: "controller.quorum.fetch.timeout.ms", kind: kindInt, def: "2000"},
	{name: "controller.quorum.request.timeout.ms", kind: kindInt, def: "2000", rule: atLeast(1)},
	{name: "broker.session.timeout.ms", kind: kindInt, def: "9000"},
	{name: "broker.heartbeat.interval.ms", kind: kindInt, def: "2000"},
	{name: "metadata.log.dir", kind: kindString, null: true},
	{name: "metadata.log.max.record.bytes.between.snapshots", kind: kindLong, def: "20971520", rule: atLeast(1)},
	{name: "metadata.log.max.snapshot.interval.ms", kind: kindLong, def: "3600000", rule: atLeast(0)},
	{name: "metadata.max.idle.interval.ms", kind: kindInt, def: "500", rule: atLeast(0)},

	// Listeners.
	{name: "listeners", kind: kindList, def: "PLAINTEXT://:9092", dynamic: true},
	{name: "advertised.listeners", kind: kindList, null: true, dynamic: true},
	{name: "listener.security.protocol.map", kind: kindList, def: "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", dynamic: true},
	{name: "inter.broker.listener.name", kind: kindString, null: true},
	{name: "security.inter.broker.protocol", kind: kindString, def: "PLAINTEXT", rule: securityProtocols},
	{name: "socket.request.max.bytes", kind: kindInt, def: "104857600", rule: atLeast(1)},
	{name: "num.network.threads", kind: kindInt, def: "3", rule: atLeast(1), dynamic: true},
	{name: "num.io.threads", kind: kindInt, def: "8", rule: atLeast(1), dynamic: true},

	// ZooKeeper and migration.
	{name: "zookeeper.connect", kind: kindString, null: true},
	{name: "zookeeper.session.timeout.ms", kind: kindInt, def: "18000"},
	{name: "zookeeper.connection.timeout.ms", kind: kindInt, null: true},
	{name: "zookeeper.metadata.migration.enable", kind: kindBool, def: "false"},
	{name: "zookeeper.metadata.migration.min.batch.size", kind: kindInt, def: "200", rule: atLeast(1)},
	{name: "inter.broker.protocol.version", kind: kindString, def: "3.9-IV0", rule: kafkaVersion},

	// Authorization: Kafka's two ACL authorizers, which kbridge serves with one
	// implementation (docs/security.md); super.users is ";"-separated.
	{name: "authorizer.class.name", kind: kindString, def: "", rule: oneOf{"", AuthorizerStandard, AuthorizerACL}},
	{name: "super.users", kind: kindString, null: true},
	{name: "allow.everyone.if.no.acl.found", kind: kindBool, def: "false"},

	// Topics and replication.
	{name: "num.partitions", kind: kindInt, def: "1", rule: atLeast(1)},
	{name: "default.replication.factor", kind: kindInt, def: "1", rule: atLeast(1)},
	{name: "auto.create.topics.enable", kind: kindBool, def: "true"},
	{name: "delete.topic.enable", kind: kindBool, def: "true"},
	{name: "min.insync.replicas", kind: kindInt, def: "1", rule: atLeast(1), dynamic: true},
	{name: "unclean.leader.election.enable", kind: kindBool, def: "false", dynamic: true},
	{name: "auto.leader.rebalance.enable", kind: kindBool, def: "true"},
	{name: "message.max.bytes", kind: kindInt, def: "1048588", rule: atLeast(0), dynamic: true},
	{name: "replica.fetch.max.bytes", kind: kindInt, def: "1048576", rule: atLeast(0)},
	{name: "replica.lag.time.max.ms", kind: kindLong, def: "30000"},
	{name: "replica.fetch.wait.max.ms", kind: kindInt, def: "500"},
	{name: "replica.fetch.min.bytes", kind: kindInt, def: "1", rule: atLeast(1)},
	{name: "replica.fetch.backoff.ms", kind: kindInt, def: "1000", rule: atLeast(0)},
	{name: "max.incremental.fetch.session.cache.slots", kind: kindInt, def: "1000", rule: atLeast(0)},
	{name: "leader.imbalance.check.interval.seconds", kind: kindLong, def: "300", rule: atLeast(1)},
	{name: "controlled.shutdown.enable", kind: kindBool, def: "true"},

	// Log directories and segments.
	{name: "log.dirs", kind: kindList, null: true},
	{name: "log.dir", kind: kindString, def: "/tmp/kafka-logs"},
	{name: "log.segment.bytes", kind: kindInt, def: "1073741824", rule: atLeast(14), dynamic: true},
	{name: "log.roll.ms", kind: kindLong, null: true, dynamic: true},
	{name: "log.roll.hours", kind: kindInt, def: "168", rule: atLeast(1), dynamic: true},
	{name: "log.roll.jitter.ms", kind: kindLong, null: true, dynamic: true},
	{name: "log.roll.jitter.hours", kind: kindInt, def: "0", rule: atLeast(0), dynamic: true},
	{name: "log.index.interval.bytes", kind: kindInt, def: "4096", rule: atLeast(0), dynamic: true},
	{name: "log.index.size.max.bytes", kind: kindInt, def: "10485760", rule: atLeast(4), dynamic: true},
	{name: "log.segment.delete.delay.ms", kind: kindLong, def: "60000", rule: atLeast(0), dynamic: true},
	{name: "log.preallocate", kind: kindBool, def: "false", dynamic: true},

	// Retention and flushing.
	{name: "log.retention.ms", kind: kindLong, null: true, dynamic: true},
	{name: "log.retention.minutes", kind: kindInt, null: true, dynamic: true},
	{name: "log.retention.hours", kind: kindInt, def: "168", dynamic: true},
	{name: "log.retention.bytes", kind: kindLong, def: "-1", dynamic: true},
	{name: "log.retention.check.interval.ms", kind: kindLong, def: "300000", rule: atLeast(1)},
	{name: "log.local.retention.ms", kind: kindLong, def: "-2", rule: atLeast(-2), dynamic: true},
	{name: "log.local.retention.bytes", kind: kindLong, def: "-2", rule: atLeast(-2), dynamic: true},
	{name: "log.flush.interval.messages", kind: kindLong, def: maxInt64, rule: atLeast(1), dynamic: true},
	{name: "log.flush.interval.ms", kind: kindLong, null: true, dynamic: true},
	{name: "log.flush.scheduler.interval.ms", kind: kindLong, def: maxInt64},

	// Cleaning (compaction).
	{name: "log.cleanup.policy", kind: kindList, def: "delete", rule: oneOf{"compact", "delete"}, dynamic: true},
	{name: "log.cleaner.delete.retention.ms", kind: kindLong, def: "86400000", rule: atLeast(0), dynamic: true},
	{name: "log.cleaner.min.compaction.lag.ms", kind: kindLong, def: "0", rule: atLeast(0), dynamic: true},
	{name: "log.cleaner.max.compaction.lag.ms", kind: kindLong, def: maxInt64, rule: atLeast(1), dynamic: true},
	{name: "log.cleaner.min.cleanable.ratio", kind: kindDouble, def: "0.5", rule: bounds{lo: 0, hi: 1, double: true}, dynamic: true},

	// Message format and compression.
	{name: "log.message.timestamp.type", kind: kindString, def: "CreateTime", rule: oneOf{"CreateTime", "LogAppendTime"}, dynamic: true},
	{name: "log.message.timestamp.difference.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0), dynamic: true},
	{name: "log.message.timestamp.before.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0), dynamic: true},
	{name: "log.message.timestamp.after.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0), dynamic: true},
	{name: "log.message.downconversion.enable", kind: kindBool, def: "true", dynamic: true},
	{name: "log.message.format.version", kind: kindString, def: "3.0-IV1", rule: kafkaVersion, dynamic: true},
	{name: "compression.type", kind: kindString, def: "producer", rule: compressionTypes, dynamic: true},
	{name: "compression.gzip.level", kind: kindInt, def: "-1", rule: gzipLevel, dynamic: true},
	{name: "compression.lz4.level", kind: kindInt, def: "9", rule: between(1, 17), dynamic: true},
	{name: "compression.zstd.level", kind: kindInt, def: "3", rule: between(-131072, 22), dynamic: true},

	// Internal topics and the group coordinator.
	{name: "offsets.topic.num.partitions", kind: kindInt, def: "50", rule: atLeast(1)},
	{name: "offsets.topic.replication.factor", kind: kindShort, def: "3", rule: atLeast(1)},
	{name: "offsets.retention.minutes", kind: kindInt, def: "10080", rule: atLeast(1)},
	{name: "transaction.state.log.replication.factor", kind: kindShort, def: "3", rule: atLeast(1)},
	{name: "transaction.state.log.min.isr", kind: kindInt, def: "2", rule: atLeast(1)},
	{name: "transaction.state.log.num.partitions", kind: kindInt, def: "50", rule: atLeast(1)},
	{name: "transaction.state.log.segment.bytes", kind: kindInt, def: "104857600", rule: atLeast(1)},
	{name: "transaction.max.timeout.ms", kind: kindInt, def: "900000", rule: atLeast(1)},
	{name: "transactional.id.expiration.ms", kind: kindInt, def: "604800000", rule: atLeast(1)},
	{name: "transaction.abort.timed.out.transaction.cleanup.interval.ms", kind: kindInt, def: "10000", rule: atLeast(1)},
	{name: "transaction.remove.expired.transaction.cleanup.interval.ms", kind: kindInt, def: "3600000", rule: atLeast(1)},
	{name: "transaction.partition.verification.enable", kind: kindBool, def: "true", dynamic: true},

	// kbridge's own: where the node serves Prometheus metrics, /healthz and /readyz
	// (docs/metrics.md). Off unless set.
	{name: "metrics.listeners", kind: kindList, def: ""},
	{name: "group.initial.rebalance.delay.ms", kind: kindInt, def: "3000"},
	{name: "group.min.session.timeout.ms", kind: kindInt, def: "6000"},
	{name: "group.max.session.timeout.ms", kind: kindInt, def: "1800000"},
	{name: "group.max.size", kind: kindInt, def: maxInt32, rule: atLeast(1)},
}

// brokerKeyIndex finds a brokerKeys entry by name.
var brokerKeyIndex = indexKeys(brokerKeys)

func indexKeys(defs []keyDef) map[string]*keyDef {
	m := make(map[string]*keyDef, len(defs))
	for i := range defs {
		m[defs[i].name] = &defs[i]
	}
	return m
}
