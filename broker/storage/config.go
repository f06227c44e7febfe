package storage

import (
	"fmt"
	"math"
	"strings"
)

// Kafka's broker defaults for the settings below (log.segment.bytes, log.roll.ms,
// log.retention.ms, log.retention.bytes, log.flush.*, log.index.interval.bytes,
// message.max.bytes).
const (
	DefaultSegmentBytes       = 1 << 30
	DefaultSegmentMs          = 7 * 24 * 60 * 60 * 1000
	DefaultRetentionMs        = 7 * 24 * 60 * 60 * 1000
	DefaultRetentionBytes     = -1
	DefaultIndexIntervalBytes = 4096
	DefaultMaxMessageBytes    = 1048588

	// Kafka's defaults for the log cleaner's topic settings (delete.retention.ms,
	// min.cleanable.dirty.ratio; min.compaction.lag.ms is 0 and max.compaction.lag.ms
	// unlimited).
	DefaultDeleteRetentionMs      = 24 * 60 * 60 * 1000
	DefaultMinCleanableDirtyRatio = 0.5
)

// cleanup.policy values, as Kafka spells them. The setting is a list, so
// "compact,delete" and "delete,compact" mean the same.
const (
	CleanupPolicyDelete  = "delete"
	CleanupPolicyCompact = "compact"
)

// Config holds the topic-level settings that shape a partition log, resolved: every
// field is the value to use, with Kafka's meaning of 0 and -1 (retention.ms=0 and
// retention.bytes=0 delete every closed segment, -1 keeps them; delete.retention.ms=0
// drops tombstones at the next cleaning; index.interval.bytes=0 indexes every batch).
// The log never guesses a default: the broker resolves each key from the topic's
// override or the broker's default (broker/topic_settings.go), and DefaultConfig is
// Kafka's defaults for code with no topic behind it. A value no validated topic config
// can hold is refused by Open and SetConfig (check).
type Config struct {
	SegmentBytes          int64 // segment.bytes: roll when the active segment would exceed it
	SegmentMs             int64 // segment.ms: roll when the active segment's first batch is older
	RetentionMs           int64 // retention.ms; -1 = unlimited
	RetentionBytes        int64 // retention.bytes; -1 = unlimited
	FlushIntervalMessages int64 // flush.messages: fsync after this many messages
	FlushIntervalMs       int64 // flush.ms: fsync when this long since the last flush
	IndexIntervalBytes    int32 // index.interval.bytes: spacing of offset and time index entries
	MaxMessageBytes       int32 // max.message.bytes: largest batch Append accepts

	CleanupPolicy          string  // cleanup.policy: "delete", "compact" or "compact,delete"
	DeleteRetentionMs      int64   // delete.retention.ms: how long tombstones outlive compaction
	MinCleanableDirtyRatio float64 // min.cleanable.dirty.ratio: dirty share that makes a log due
	MinCompactionLagMs     int64   // min.compaction.lag.ms: records younger than this are not compacted
	MaxCompactionLagMs     int64   // max.compaction.lag.ms: dirty records older than this force a cleaning
}

// Compacts reports whether cleanup.policy includes compact: the log cleaner runs, and
// produced records must carry a key (ValidateCompactedBatch).
func (c Config) Compacts() bool { return c.hasPolicy(CleanupPolicyCompact) }

// Deletes reports whether cleanup.policy includes delete (the default): retention.ms
// and retention.bytes remove old segments.
func (c Config) Deletes() bool {
	return strings.TrimSpace(c.CleanupPolicy) == "" || c.hasPolicy(CleanupPolicyDelete)
}

func (c Config) hasPolicy(p string) bool {
	for _, v := range strings.Split(c.CleanupPolicy, ",") {
		if strings.EqualFold(strings.TrimSpace(v), p) {
			return true
		}
	}
	return false
}

// DefaultConfig is Kafka's defaults for a topic without overrides on a broker with
// Kafka's defaults.
func DefaultConfig() Config {
	return Config{
		SegmentBytes:           DefaultSegmentBytes,
		SegmentMs:              DefaultSegmentMs,
		RetentionMs:            DefaultRetentionMs,
		RetentionBytes:         DefaultRetentionBytes,
		FlushIntervalMessages:  math.MaxInt64,
		FlushIntervalMs:        math.MaxInt64,
		IndexIntervalBytes:     DefaultIndexIntervalBytes,
		MaxMessageBytes:        DefaultMaxMessageBytes,
		CleanupPolicy:          CleanupPolicyDelete,
		DeleteRetentionMs:      DefaultDeleteRetentionMs,
		MinCleanableDirtyRatio: DefaultMinCleanableDirtyRatio,
		MaxCompactionLagMs:     math.MaxInt64,
	}
}

// minSegmentBytes is Kafka's lower bound of segment.bytes (LegacyRecord.RECORD_OVERHEAD_V0).
const minSegmentBytes = 14

// check refuses values outside the ranges Kafka's topic config validators allow, so a
// log never runs on a setting whose meaning Kafka does not define.
func (c Config) check() error {
	bad := func(key string, v any, want string) error {
		return fmt.Errorf("%w: %s=%v, want %s", ErrInvalidConfig, key, v, want)
	}
	switch {
	case c.SegmentBytes < minSegmentBytes || c.SegmentBytes > math.MaxInt32:
		return bad("segment.bytes", c.SegmentBytes, "14 to 2147483647")
	case c.SegmentMs < 1:
		return bad("segment.ms", c.SegmentMs, "at least 1")
	case c.RetentionMs < -1:
		return bad("retention.ms", c.RetentionMs, "at least -1")
	case c.FlushIntervalMessages < 1:
		return bad("flush.messages", c.FlushIntervalMessages, "at least 1")
	case c.FlushIntervalMs < 0:
		return bad("flush.ms", c.FlushIntervalMs, "at least 0")
	case c.IndexIntervalBytes < 0:
		return bad("index.interval.bytes", c.IndexIntervalBytes, "at least 0")
	case c.MaxMessageBytes < 0:
		return bad("max.message.bytes", c.MaxMessageBytes, "at least 0")
	case c.DeleteRetentionMs < 0:
		return bad("delete.retention.ms", c.DeleteRetentionMs, "at least 0")
	case c.MinCleanableDirtyRatio < 0 || c.MinCleanableDirtyRatio > 1:
		return bad("min.cleanable.dirty.ratio", c.MinCleanableDirtyRatio, "0 to 1")
	case c.MinCompactionLagMs < 0:
		return bad("min.compaction.lag.ms", c.MinCompactionLagMs, "at least 0")
	case c.MaxCompactionLagMs < 1:
		return bad("max.compaction.lag.ms", c.MaxCompactionLagMs, "at least 1")
	}
	return nil
}
