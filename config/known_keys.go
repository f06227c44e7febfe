package config

import "strings"

// metricsReporterHint is what the server logs for a Java metrics reporter or JMX
// setting: an operator who configured one expects metrics somewhere.
const metricsReporterHint = "kbridge runs no Java metrics reporter and no JMX; it serves Kafka's metrics to Prometheus at metrics.listeners (docs/metrics.md)"

// ignoredKeyHints say, for some ignored keys, what kbridge offers instead.
var ignoredKeyHints = map[string]string{
	"metric.reporters":          metricsReporterHint,
	"kafka.metrics.reporters":   metricsReporterHint,
	"auto.include.jmx.reporter": metricsReporterHint,
}

// IgnoredKeyHint is what kbridge offers instead of an ignored key, or "".
func IgnoredKeyHint(key string) string { return ignoredKeyHints[key] }

// kafkaKeys are Kafka 3.9 broker keys that kbridge accepts and ignores, so a
// real cluster's server.properties loads; the server logs each one it finds.
// None changes security or durability: those are in unsupportedKeys, and
// refused unless left off.
var kafkaKeys = []string{
	// Metrics and reporters: observability only.
	"auto.include.jmx.reporter", "kafka.metrics.polling.interval.secs", "kafka.metrics.reporters",
	"metric.reporters", "metrics.num.samples", "metrics.recording.level", "metrics.sample.window.ms",
	"telemetry.max.bytes",

	// Threads, buffers, sockets, timeouts and purgatory sizes of Kafka's JVM
	// implementation; kbridge sizes its own.
	"background.threads", "connections.max.idle.ms", "controlled.shutdown.max.retries",
	"controlled.shutdown.retry.backoff.ms", "controller.quorum.append.linger.ms",
	"controller.quorum.election.backoff.max.ms",
	"controller.quorum.retry.backoff.ms", "controller.socket.timeout.ms",
	"delete.records.purgatory.purge.interval.requests", "fetch.max.bytes",
	"fetch.purgatory.purge.interval.requests", "initial.broker.registration.timeout.ms",
	"log.cleaner.backoff.ms", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.load.factor",
	"log.cleaner.io.buffer.size", "log.cleaner.io.max.bytes.per.second", "log.cleaner.threads",
	"log.dir.failure.timeout.ms", "log.initial.task.delay.ms", "max.request.partition.size.limit",
	"num.recovery.threads.per.data.dir", "num.replica.alter.log.dirs.threads", "num.replica.fetchers",
	"offsets.load.buffer.size", "producer.purgatory.purge.interval.requests", "queued.max.requests",
	"remote.fetch.max.wait.ms", "replica.fetch.response.max.bytes", "replica.socket.receive.buffer.bytes",
	"replica.socket.timeout.ms", "request.timeout.ms", "server.max.startup.time.ms",
	"socket.connection.setup.timeout.max.ms", "socket.connection.setup.timeout.ms",
	"socket.listen.backlog.size", "socket.receive.buffer.bytes", "socket.send.buffer.bytes",
	"transaction.state.log.load.buffer.size", "zookeeper.max.in.flight.requests",

	// How often recovery points and watermarks are checkpointed: they bound the
	// work of recovery after a crash, not which acknowledged records survive it
	// (log.flush.* decides that, and is implemented).
	"log.flush.offset.checkpoint.interval.ms", "log.flush.start.offset.checkpoint.interval.ms",
	"replica.high.watermark.checkpoint.interval.ms",

	// The KRaft metadata log's segments and retention; kbridge's quorum keeps
	// its log and snapshots by metadata.log.max.* (brokerKeys).
	"metadata.log.segment.bytes", "metadata.log.segment.min.bytes", "metadata.log.segment.ms",
	"metadata.max.retention.bytes", "metadata.max.retention.ms",

	// Group coordinator and producer-state tuning. offsets.commit.required.acks
	// can only weaken Kafka's default (-1); kbridge always commits offsets with
	// acks=all.
	"offset.metadata.max.bytes", "offsets.commit.required.acks", "offsets.commit.timeout.ms",
	"offsets.retention.check.interval.ms", "offsets.topic.compression.codec", "offsets.topic.segment.bytes",
	"producer.id.expiration.check.interval.ms", "producer.id.expiration.ms",

	// Quota sampling windows: they shape quotas set at runtime, not in this file.
	"alter.log.dirs.replication.quota.window.num", "alter.log.dirs.replication.quota.window.size.seconds",
	"quota.window.num", "quota.window.size.seconds", "replication.quota.window.num",
	"replication.quota.window.size.seconds",

	// Placement, listeners and versions that do not touch safety: rack-aware
	// fetching (KIP-392), the leader balance threshold, the cleaner switch
	// (compaction removes only what cleanup.policy asks), id generation, the
	// separate ZooKeeper-mode control plane (KIP-291) and unreleased versions.
	"broker.id.generation.enable", "control.plane.listener.name", "early.start.listeners",
	"leader.imbalance.per.broker.percentage", "log.cleaner.enable", "replica.selector.class",
	"unstable.api.versions.enable", "unstable.feature.versions.enable", "unstable.metadata.versions.enable",

	// Settings of refused features that do nothing while the feature is off:
	// delegation token lifetimes (without a secret key), the password encoder's
	// algorithm (without password.encoder.secret), the delay after a failed
	// authentication (there is no authentication) and ZooKeeper's Netty socket
	// (TLS needs zookeeper.ssl.client.enable=true).
	"connection.failed.authentication.delay.ms", "delegation.token.expiry.check.interval.ms",
	"delegation.token.expiry.time.ms", "delegation.token.max.lifetime.ms",
	"password.encoder.cipher.algorithm", "password.encoder.iterations", "password.encoder.key.length",
	"password.encoder.keyfactory.algorithm", "zookeeper.clientCnxnSocket",
}

// kafkaKeyFamilies are prefixes under which Kafka defines open-ended keys that
// kbridge ignores. Their switches are in unsupportedKeys: per-listener
// security overrides, zookeeper.ssl.client.enable, remote.log.storage.system.enable
// and config.providers; without them these keys have no effect in Kafka either.
// The KIP-848/KIP-932 group settings tune protocols kbridge does not offer.
var kafkaKeyFamilies = []string{
	"ssl.", "listener.name.", "zookeeper.ssl.", "remote.log.", "rsm.config.", "rlmm.config.",
	"config.providers.", "group.consumer.", "group.share.", "group.coordinator.",
}

// kafkaKeySet holds kafkaKeys for lookup.
var kafkaKeySet = func() map[string]bool {
	m := make(map[string]bool, len(kafkaKeys))
	for _, k := range kafkaKeys {
		m[k] = true
	}
	return m
}()

// isKafkaKey reports whether Kafka 3.9 knows key, read by kbridge, ignored or
// refused.
func isKafkaKey(key string) bool {
	if brokerKeyIndex[key] != nil || kafkaKeySet[key] || unsupportedKeyFor(key) != nil {
		return true
	}
	for _, prefix := range kafkaKeyFamilies {
		if strings.HasPrefix(key, prefix) {
			return true
		}
	}
	return false
}

// isSensitiveKey guesses, for keys kbridge does not type, whether Kafka
// declares them as PASSWORD: DescribeConfigs must never echo a secret.
func isSensitiveKey(key string) bool {
	for _, marker := range []string{"password", "secret", "jaas.config", "master.key", "credentials"} {
		if strings.Contains(key, marker) {
			return true
		}
	}
	return false
}

// isTLSKey tells whether key is a listener's TLS setting (ssl.* or
// listener.name.<listener>.ssl.*), which tlsconf reads for listeners mapped to SSL.
func isTLSKey(key string) bool {
	if rest, ok := strings.CutPrefix(key, listenerNamePrefix); ok {
		_, key, _ = strings.Cut(rest, ".")
	}
	return strings.HasPrefix(key, "ssl.")
}
