package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DescribeConfigs sources (Kafka's ConfigSource names) for values that come
// from this file or from Kafka's built-in defaults.
const (
	SourceStaticBroker = "STATIC_BROKER_CONFIG"
	SourceDefault      = "DEFAULT_CONFIG"
)

// topicKey is a Kafka 3.9 topic-level config (LogConfig): its type, default
// and validator, and the broker keys it defaults from
// (ServerTopicConfigSynonyms), so a topic without an override inherits the
// broker's value as in Kafka.
type topicKey struct {
	keyDef
	synonyms []string               // broker keys, highest precedence first
	broker   func(c *Config) string // the effective broker default; nil when there is no synonym
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }
func i32(n int32) string { return strconv.FormatInt(int64(n), 10) }

// topicKeys lists every topic config Kafka 3.9 accepts. None is sensitive:
// LogConfig declares no PASSWORD-typed key, so DescribeConfigs always shows
// topic values.
var topicKeys = []topicKey{
	{keyDef{name: "cleanup.policy", kind: kindList, def: "delete", rule: oneOf{"compact", "delete"}},
		[]string{"log.cleanup.policy"}, func(c *Config) string { return strings.Join(c.LogCleanupPolicy, ",") }},
	{keyDef{name: "compression.type", kind: kindString, def: "producer", rule: compressionTypes},
		[]string{"compression.type"}, func(c *Config) string { return c.CompressionType }},
	{keyDef{name: "compression.gzip.level", kind: kindInt, def: "-1", rule: gzipLevel},
		[]string{"compression.gzip.level"}, func(c *Config) string { return i32(c.CompressionGzipLevel) }},
	{keyDef{name: "compression.lz4.level", kind: kindInt, def: "9", rule: between(1, 17)},
		[]string{"compression.lz4.level"}, func(c *Config) string { return i32(c.CompressionLz4Level) }},
	{keyDef{name: "compression.zstd.level", kind: kindInt, def: "3", rule: between(-131072, 22)},
		[]string{"compression.zstd.level"}, func(c *Config) string { return i32(c.CompressionZstdLevel) }},
	{keyDef{name: "delete.retention.ms", kind: kindLong, def: "86400000", rule: atLeast(0)},
		[]string{"log.cleaner.delete.retention.ms"}, func(c *Config) string { return i64(c.LogCleanerDeleteRetentionMs) }},
	{keyDef{name: "file.delete.delay.ms", kind: kindLong, def: "60000", rule: atLeast(0)},
		[]string{"log.segment.delete.delay.ms"}, func(c *Config) string { return i64(c.LogSegmentDeleteDelayMs) }},
	{keyDef{name: "flush.messages", kind: kindLong, def: maxInt64, rule: atLeast(1)},
		[]string{"log.flush.interval.messages"}, func(c *Config) string { return i64(c.LogFlushIntervalMessages) }},
	{keyDef{name: "flush.ms", kind: kindLong, def: maxInt64, rule: atLeast(0)},
		[]string{"log.flush.interval.ms", "log.flush.scheduler.interval.ms"}, func(c *Config) string { return i64(c.LogFlushIntervalMs) }},
	{keyDef{name: "follower.replication.throttled.replicas", kind: kindList, rule: throttledReplicas}, nil, nil},
	{keyDef{name: "index.interval.bytes", kind: kindInt, def: "4096", rule: atLeast(0)},
		[]string{"log.index.interval.bytes"}, func(c *Config) string { return i32(c.LogIndexIntervalBytes) }},
	{keyDef{name: "leader.replication.throttled.replicas", kind: kindList, rule: throttledReplicas}, nil, nil},
	{keyDef{name: "local.retention.bytes", kind: kindLong, def: "-2", rule: atLeast(-2)},
		[]string{"log.local.retention.bytes"}, func(c *Config) string { return i64(c.LogLocalRetentionBytes) }},
	{keyDef{name: "local.retention.ms", kind: kindLong, def: "-2", rule: atLeast(-2)},
		[]string{"log.local.retention.ms"}, func(c *Config) string { return i64(c.LogLocalRetentionMs) }},
	{keyDef{name: "max.compaction.lag.ms", kind: kindLong, def: maxInt64, rule: atLeast(1)},
		[]string{"log.cleaner.max.compaction.lag.ms"}, func(c *Config) string { return i64(c.LogCleanerMaxCompactionLagMs) }},
	{keyDef{name: "max.message.bytes", kind: kindInt, def: "1048588", rule: atLeast(0)},
		[]string{"message.max.bytes"}, func(c *Config) string { return i32(c.MessageMaxBytes) }},
	{keyDef{name: "message.downconversion.enable", kind: kindBool, def: "true"},
		[]string{"log.message.downconversion.enable"}, func(c *Config) string { return strconv.FormatBool(c.LogMessageDownConversionEnable) }},
	{keyDef{name: "message.format.version", kind: kindString, def: "3.0-IV1", rule: kafkaVersion},
		[]string{"log.message.format.version"}, func(c *Config) string { return c.LogMessageFormatVersion }},
	{keyDef{name: "message.timestamp.after.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0)},
		[]string{"log.message.timestamp.after.max.ms"}, func(c *Config) string { return i64(c.LogMessageTimestampAfterMaxMs) }},
	{keyDef{name: "message.timestamp.before.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0)},
		[]string{"log.message.timestamp.before.max.ms"}, func(c *Config) string { return i64(c.LogMessageTimestampBeforeMaxMs) }},
	{keyDef{name: "message.timestamp.difference.max.ms", kind: kindLong, def: maxInt64, rule: atLeast(0)},
		[]string{"log.message.timestamp.difference.max.ms"}, func(c *Config) string { return i64(c.LogMessageTimestampDifferenceMaxMs) }},
	{keyDef{name: "message.timestamp.type", kind: kindString, def: "CreateTime", rule: oneOf{"CreateTime", "LogAppendTime"}},
		[]string{"log.message.timestamp.type"}, func(c *Config) string { return c.LogMessageTimestampType }},
	{keyDef{name: "min.cleanable.dirty.ratio", kind: kindDouble, def: "0.5", rule: bounds{lo: 0, hi: 1, double: true}},
		[]string{"log.cleaner.min.cleanable.ratio"}, func(c *Config) string { return JavaDouble(c.LogCleanerMinCleanableRatio) }},
	{keyDef{name: "min.compaction.lag.ms", kind: kindLong, def: "0", rule: atLeast(0)},
		[]string{"log.cleaner.min.compaction.lag.ms"}, func(c *Config) string { return i64(c.LogCleanerMinCompactionLagMs) }},
	{keyDef{name: "min.insync.replicas", kind: kindInt, def: "1", rule: atLeast(1)},
		[]string{"min.insync.replicas"}, func(c *Config) string { return i32(c.MinInsyncReplicas) }},
	{keyDef{name: "preallocate", kind: kindBool, def: "false"},
		[]string{"log.preallocate"}, func(c *Config) string { return strconv.FormatBool(c.LogPreallocate) }},
	{keyDef{name: "remote.log.copy.disable", kind: kindBool, def: "false"}, nil, nil},
	{keyDef{name: "remote.log.delete.on.disable", kind: kindBool, def: "false"}, nil, nil},
	{keyDef{name: "remote.storage.enable", kind: kindBool, def: "false"}, nil, nil},
	{keyDef{name: "retention.bytes", kind: kindLong, def: "-1"},
		[]string{"log.retention.bytes"}, func(c *Config) string { return i64(c.LogRetentionBytes) }},
	{keyDef{name: "retention.ms", kind: kindLong, def: "604800000", rule: atLeast(-1)},
		[]string{"log.retention.ms", "log.retention.minutes", "log.retention.hours"}, func(c *Config) string { return i64(c.LogRetentionMs) }},
	{keyDef{name: "segment.bytes", kind: kindInt, def: "1073741824", rule: atLeast(14)},
		[]string{"log.segment.bytes"}, func(c *Config) string { return i32(c.LogSegmentBytes) }},
	{keyDef{name: "segment.index.bytes", kind: kindInt, def: "10485760", rule: atLeast(4)},
		[]string{"log.index.size.max.bytes"}, func(c *Config) string { return i32(c.LogIndexSizeMaxBytes) }},
	{keyDef{name: "segment.jitter.ms", kind: kindLong, def: "0", rule: atLeast(0)},
		[]string{"log.roll.jitter.ms", "log.roll.jitter.hours"}, func(c *Config) string { return i64(c.LogRollJitterMs) }},
	{keyDef{name: "segment.ms", kind: kindLong, def: "604800000", rule: atLeast(1)},
		[]string{"log.roll.ms", "log.roll.hours"}, func(c *Config) string { return i64(c.LogRollMs) }},
	{keyDef{name: "unclean.leader.election.enable", kind: kindBool, def: "false"},
		[]string{"unclean.leader.election.enable"}, func(c *Config) string { return strconv.FormatBool(c.UncleanLeaderElectionEnable) }},
}

// topicKeyIndex finds a topicKeys entry by name.
var topicKeyIndex = func() map[string]*topicKey {
	m := make(map[string]*topicKey, len(topicKeys))
	for i := range topicKeys {
		m[topicKeys[i].name] = &topicKeys[i]
	}
	return m
}()

// TopicConfigError is Kafka's InvalidConfigurationException for a topic
// config; Error is Kafka's own text, which clients show to users.
type TopicConfigError struct {
	Key string
	Msg string
}

// Error returns Kafka's message, e.g. "Invalid value x for configuration
// retention.ms: Not a number of type LONG".
func (e *TopicConfigError) Error() string { return e.Msg }

// ValidateTopicConfig checks one topic config as CreateTopics, AlterConfigs
// and IncrementalAlterConfigs must before accepting it.
func ValidateTopicConfig(name, value string) error {
	k := topicKeyIndex[name]
	if k == nil {
		return &TopicConfigError{Key: name, Msg: "Unknown topic config name: " + name}
	}
	v, ok := parseValue(k.kind, value)
	if !ok {
		return &TopicConfigError{Key: name, Msg: fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, k.kind.kafkaTypeError())}
	}
	if k.rule != nil {
		if msg := k.rule.check(v); msg != "" {
			return &TopicConfigError{Key: name, Msg: fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, msg)}
		}
	}
	return nil
}

// TopicConfigNames lists the topic configs Kafka 3.9 accepts, sorted, for
// DescribeConfigs of a topic and for CLI completion.
func TopicConfigNames() []string {
	names := make([]string, 0, len(topicKeys))
	for _, k := range topicKeys {
		names = append(names, k.name)
	}
	slices.Sort(names)
	return names
}

// TopicDefault is the value a topic without an override gets for name, and
// its DescribeConfigs source: STATIC_BROKER_CONFIG when a broker synonym is
// set in the file, else DEFAULT_CONFIG. ok is false for an unknown name.
func (c *Config) TopicDefault(name string) (value, source string, ok bool) {
	k := topicKeyIndex[name]
	if k == nil {
		return "", "", false
	}
	if k.broker == nil {
		return k.def, SourceDefault, true
	}
	source = SourceDefault
	for _, syn := range k.synonyms {
		if _, set := c.Raw[syn]; set {
			source = SourceStaticBroker
		}
	}
	return k.broker(c), source, true
}
