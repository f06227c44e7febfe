package config

import "strings"

// kafkaKeys are Kafka 3.9 broker keys that kbridge accepts but does not act
// on, so a real cluster's server.properties loads without warnings.
var kafkaKeys = []string{
	"alter.config.policy.class.name", "alter.log.dirs.replication.quota.window.num",
	"alter.log.dirs.replication.quota.window.size.seconds", "authorizer.class.name",
	"auto.include.jmx.reporter", "background.threads", "broker.id.generation.enable",
	"client.quota.callback.class", "connection.failed.authentication.delay.ms",
	"connections.max.idle.ms", "connections.max.reauth.ms", "control.plane.listener.name",
	"controlled.shutdown.max.retries",
	"controlled.shutdown.retry.backoff.ms", "controller.quorum.append.linger.ms",
	"controller.quorum.election.backoff.max.ms", "controller.quorum.request.timeout.ms",
	"controller.quorum.retry.backoff.ms", "controller.socket.timeout.ms",
	"create.topic.policy.class.name", "delegation.token.expiry.check.interval.ms",
	"delegation.token.expiry.time.ms", "delegation.token.master.key",
	"delegation.token.max.lifetime.ms", "delegation.token.secret.key",
	"delete.records.purgatory.purge.interval.requests", "early.start.listeners",
	"eligible.leader.replicas.enable", "fetch.max.bytes",
	"fetch.purgatory.purge.interval.requests", "initial.broker.registration.timeout.ms",
	"kafka.metrics.polling.interval.secs", "kafka.metrics.reporters",
	"leader.imbalance.per.broker.percentage",
	"log.cleaner.backoff.ms", "log.cleaner.dedupe.buffer.size", "log.cleaner.enable",
	"log.cleaner.io.buffer.load.factor", "log.cleaner.io.buffer.size",
	"log.cleaner.io.max.bytes.per.second", "log.cleaner.threads", "log.dir.failure.timeout.ms",
	"log.flush.offset.checkpoint.interval.ms", "log.flush.start.offset.checkpoint.interval.ms",
	"log.initial.task.delay.ms", "max.connection.creation.rate", "max.connections",
	"max.connections.per.ip", "max.connections.per.ip.overrides",
	"max.request.partition.size.limit",
	"metadata.log.segment.bytes",
	"metadata.log.segment.min.bytes", "metadata.log.segment.ms", "metadata.max.retention.bytes",
	"metadata.max.retention.ms", "metric.reporters", "metrics.num.samples",
	"metrics.recording.level", "metrics.sample.window.ms", "num.recovery.threads.per.data.dir",
	"num.replica.alter.log.dirs.threads", "num.replica.fetchers", "offset.metadata.max.bytes",
	"offsets.commit.required.acks", "offsets.commit.timeout.ms", "offsets.load.buffer.size",
	"offsets.retention.check.interval.ms", "offsets.topic.compression.codec",
	"offsets.topic.segment.bytes", "password.encoder.cipher.algorithm",
	"password.encoder.iterations", "password.encoder.key.length",
	"password.encoder.keyfactory.algorithm", "password.encoder.old.secret",
	"password.encoder.secret", "principal.builder.class",
	"producer.id.expiration.check.interval.ms", "producer.id.expiration.ms",
	"producer.purgatory.purge.interval.requests", "queued.max.request.bytes",
	"queued.max.requests", "quota.window.num", "quota.window.size.seconds",
	"remote.fetch.max.wait.ms", "replica.fetch.response.max.bytes", "replica.high.watermark.checkpoint.interval.ms",
	"replica.selector.class", "replica.socket.receive.buffer.bytes",
	"replica.socket.timeout.ms", "replication.quota.window.num",
	"replication.quota.window.size.seconds", "request.timeout.ms", "security.providers",
	"server.max.startup.time.ms", "socket.connection.setup.timeout.max.ms",
	"socket.connection.setup.timeout.ms", "socket.listen.backlog.size",
	"socket.receive.buffer.bytes", "socket.send.buffer.bytes", "telemetry.max.bytes",
	"transaction.abort.timed.out.transaction.cleanup.interval.ms",
	"transaction.max.timeout.ms", "transaction.partition.verification.enable",
	"transaction.remove.expired.transaction.cleanup.interval.ms",
	"transaction.state.log.load.buffer.size", "transaction.state.log.num.partitions",
	"transaction.state.log.segment.bytes", "transactional.id.expiration.ms",
	"unstable.api.versions.enable", "unstable.feature.versions.enable",
	"unstable.metadata.versions.enable", "zookeeper.clientCnxnSocket",
	"zookeeper.max.in.flight.requests",
	"zookeeper.set.acl",
}

// kafkaKeyFamilies are prefixes under which Kafka defines open-ended keys:
// per-listener overrides, security settings, tiered storage plugins, config
// providers and the KIP-848/KIP-932 group settings.
var kafkaKeyFamilies = []string{
	"ssl.", "sasl.", "listener.name.", "zookeeper.ssl.", "remote.log.", "rsm.config.",
	"rlmm.config.", "config.providers", "group.consumer.", "group.share.",
	"group.coordinator.",
}

// kafkaKeySet holds kafkaKeys for lookup.
var kafkaKeySet = func() map[string]bool {
	m := make(map[string]bool, len(kafkaKeys))
	for _, k := range kafkaKeys {
		m[k] = true
	}
	return m
}()

// isKafkaKey reports whether Kafka 3.9 knows key, read by kbridge or not.
func isKafkaKey(key string) bool {
	if brokerKeyIndex[key] != nil || kafkaKeySet[key] {
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
