package config

import (
	"errors"
	"slices"
	"testing"
)

func TestValidateTopicConfig(t *testing.T) {
	tests := []struct {
		name, value string
		want        string // "" for valid
	}{
		{"retention.ms", "86400000", ""},
		{"retention.ms", "-1", ""},
		{"retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1"},
		{"retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"},
		{"segment.bytes", "13", "Invalid value 13 for configuration segment.bytes: Value must be at least 14"},
		{"segment.bytes", "4294967296", "Invalid value 4294967296 for configuration segment.bytes: Not a number of type INT"},
		{"segment.ms", "0", "Invalid value 0 for configuration segment.ms: Value must be at least 1"},
		{"cleanup.policy", "compact,delete", ""},
		{"cleanup.policy", "compact", ""},
		{"cleanup.policy", "shred", "Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete"},
		{"compression.type", "zstd", ""},
		{"compression.type", "brotli", "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"},
		{"message.timestamp.type", "LogAppendTime", ""},
		{"message.timestamp.type", "logappendtime", "Invalid value logappendtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"},
		{"min.cleanable.dirty.ratio", "0.1", ""},
		{"min.cleanable.dirty.ratio", "2", "Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no more than 1.0"},
		{"min.cleanable.dirty.ratio", "x", "Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE"},
		{"min.insync.replicas", "0", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"},
		{"unclean.leader.election.enable", "TRUE", ""},
		{"preallocate", "maybe", "Invalid value maybe for configuration preallocate: Expected value to be either true or false"},
		{"max.message.bytes", "-1", "Invalid value -1 for configuration max.message.bytes: Value must be at least 0"},
		{"local.retention.ms", "-2", ""},
		{"local.retention.bytes", "-3", "Invalid value -3 for configuration local.retention.bytes: Value must be at least -2"},
		{"max.compaction.lag.ms", "0", "Invalid value 0 for configuration max.compaction.lag.ms: Value must be at least 1"},
		{"compression.gzip.level", "-1", ""},
		{"compression.gzip.level", "0", "Invalid value 0 for configuration compression.gzip.level: Value must be -1 or between 1 and 9"},
		{"compression.zstd.level", "23", "Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22"},
		{"leader.replication.throttled.replicas", "*", ""},
		{"leader.replication.throttled.replicas", "0:1,1:2", ""},
		{"follower.replication.throttled.replicas", "0-1", "Invalid value 0-1 for configuration follower.replication.throttled.replicas: Value must be '*' or a list of partition:brokerId pairs"},
		{"message.format.version", "2.8", ""},
		{"remote.storage.enable", "false", ""},
		{"retention", "1", "Unknown topic config name: retention"},
		{"log.retention.ms", "1", "Unknown topic config name: log.retention.ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			err := ValidateTopicConfig(tt.name, tt.value)
			if tt.want == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			var te *TopicConfigError
			if !errors.As(err, &te) || te.Key != tt.name || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTopicConfigNames(t *testing.T) {
	names := TopicConfigNames()
	if !slices.IsSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
	for _, want := range []string{"cleanup.policy", "retention.ms", "segment.bytes", "max.message.bytes", "leader.replication.throttled.replicas", "remote.storage.enable"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func TestTopicDefaultsComeFromTheBroker(t *testing.T) {
	defaults := mustParse(t, seedsFile)
	c := mustParse(t, seedsFile+"log.retention.hours=1\nmessage.max.bytes=2000000\nlog.cleanup.policy=compact\n")
	tests := []struct {
		cfg                 *Config
		name, value, source string
	}{
		{defaults, "retention.ms", "604800000", SourceDefault},
		{c, "retention.ms", "3600000", SourceStaticBroker},
		{defaults, "max.message.bytes", "1048588", SourceDefault},
		{c, "max.message.bytes", "2000000", SourceStaticBroker},
		{c, "cleanup.policy", "compact", SourceStaticBroker},
		{defaults, "segment.ms", "604800000", SourceDefault},
		{defaults, "flush.ms", "9223372036854775807", SourceDefault},
		{defaults, "min.cleanable.dirty.ratio", "0.5", SourceDefault},
		{defaults, "message.downconversion.enable", "true", SourceDefault},
		{defaults, "leader.replication.throttled.replicas", "", SourceDefault},
		{defaults, "remote.storage.enable", "false", SourceDefault},
	}
	for _, tt := range tests {
		value, source, ok := tt.cfg.TopicDefault(tt.name)
		if !ok || value != tt.value || source != tt.source {
			t.Errorf("TopicDefault(%s) = %q, %s, %v; want %q, %s", tt.name, value, source, ok, tt.value, tt.source)
		}
	}
	if _, _, ok := defaults.TopicDefault("nope"); ok {
		t.Error("TopicDefault of an unknown key reported ok")
	}
}

// Every topic default must itself pass validation, and with no broker keys
// set the broker-derived value must equal Kafka's topic default.
func TestTopicDefaultsAreConsistent(t *testing.T) {
	c := mustParse(t, seedsFile)
	for _, k := range topicKeys {
		if err := ValidateTopicConfig(k.name, k.def); err != nil {
			t.Errorf("default of %s: %v", k.name, err)
		}
		if v, _, _ := c.TopicDefault(k.name); v != k.def {
			t.Errorf("%s: broker-derived default %q, Kafka's topic default %q", k.name, v, k.def)
		}
		for _, syn := range k.synonyms {
			if brokerKeyIndex[syn] == nil {
				t.Errorf("%s: synonym %s is not a broker key", k.name, syn)
			}
		}
	}
}
