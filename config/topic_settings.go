package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// TopicSettings are a topic's effective configs that shape its log and its produce
// checks, typed and resolved once: the topic's override where it has one, else this
// broker's default (TopicDefault), with Kafka's meaning of 0 and -1 kept as they are
// (retention.ms=0 deletes every closed segment, -1 keeps them). The log, the leader's
// produce checks and DescribeConfigs read the same values.
type TopicSettings struct {
	CleanupPolicy          string
	DeleteRetentionMs      int64
	MinCleanableDirtyRatio float64
	MinCompactionLagMs     int64
	MaxCompactionLagMs     int64
	SegmentBytes           int64
	SegmentMs              int64
	RetentionMs            int64
	RetentionBytes         int64
	FlushMessages          int64
	FlushMs                int64
	IndexIntervalBytes     int32
	MaxMessageBytes        int32
	MinInsyncReplicas      int32
	// LogAppendTime is message.timestamp.type=LogAppendTime.
	LogAppendTime bool
}

// ResolveTopic resolves a topic's overrides against this broker's defaults. Every
// value that enters through kbridge was validated (ValidateTopicConfig), so an
// override that does not parse as its key's type was written to ZooKeeper by another
// tool: the error names it, and the broker's default is used for that key, never a
// zero.
func (c *Config) ResolveTopic(overrides map[string]string) (TopicSettings, error) {
	r := topicResolver{c: c, overrides: overrides}
	s := TopicSettings{
		CleanupPolicy:          r.string("cleanup.policy"),
		DeleteRetentionMs:      r.int64("delete.retention.ms"),
		MinCleanableDirtyRatio: r.float64("min.cleanable.dirty.ratio"),
		MinCompactionLagMs:     r.int64("min.compaction.lag.ms"),
		MaxCompactionLagMs:     r.int64("max.compaction.lag.ms"),
		SegmentBytes:           r.int64("segment.bytes"),
		SegmentMs:              r.int64("segment.ms"),
		RetentionMs:            r.int64("retention.ms"),
		RetentionBytes:         r.int64("retention.bytes"),
		FlushMessages:          r.int64("flush.messages"),
		FlushMs:                r.int64("flush.ms"),
		IndexIntervalBytes:     int32(r.int64("index.interval.bytes")),
		MaxMessageBytes:        int32(r.int64("max.message.bytes")),
		MinInsyncReplicas:      int32(r.int64("min.insync.replicas")),
		LogAppendTime:          r.string("message.timestamp.type") == "LogAppendTime",
	}
	return s, errors.Join(r.errs...)
}

// topicResolver reads one topic's keys, collecting the overrides that do not parse.
type topicResolver struct {
	c         *Config
	overrides map[string]string
	errs      []error
}

// value is key's override, or the broker's default when there is none or it does not
// parse as the key's kind.
func (r *topicResolver) value(key string) any {
	k := topicKeyIndex[key]
	def, _, _ := r.c.TopicDefault(key)
	if v, ok := r.overrides[key]; ok {
		if parsed, ok := parseValue(k.kind, v); ok {
			return parsed
		}
		r.errs = append(r.errs, fmt.Errorf("%s=%q: %s; using the broker's default %s", key, v, k.kind.kafkaTypeError(), def))
	}
	parsed, _ := parseValue(k.kind, def)
	return parsed
}

func (r *topicResolver) int64(key string) int64 {
	n, _ := r.value(key).(int64)
	return n
}

func (r *topicResolver) float64(key string) float64 {
	f, _ := r.value(key).(float64)
	return f
}

// string is key's value as Kafka prints it; a list (cleanup.policy) joined by commas.
func (r *topicResolver) string(key string) string {
	switch v := r.value(key).(type) {
	case []string:
		return strings.Join(v, ",")
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	default:
		return fmt.Sprint(v)
	}
}
