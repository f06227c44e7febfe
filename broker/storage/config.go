package storage

import (
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

// Config holds the topic-level settings that shape a partition log. Zero fields take
// Kafka's defaults, so a config built from a sparse topic override is still complete;
// -1 means unlimited where Kafka allows it (retention). The two cleaner settings whose
// 0 is meaningful but not the default (DeleteRetentionMs, MinCleanableDirtyRatio)
// take any negative value to mean 0.
type Config struct {
	SegmentBytes          int64 // segment.bytes: roll when the active segment would exceed it
	SegmentMs             int64 // segment.ms: roll when the active segment's first batch is older
	RetentionMs           int64 // retention.ms; -1 = unlimited
	RetentionBytes        int64 // retention.bytes; -1 = unlimited
	FlushIntervalMessages int64 // flush.messages: fsync after this many messages
	FlushIntervalMs       int64 // flush.ms: fsync when this long since the last flush
	IndexIntervalBytes    int32 // index.interval.bytes: spacing of offset and time index entries
	MaxMessageBytes       int32 // max.message.bytes: largest batch Append accepts

	CleanupPolicy          string  // cleanup.policy: "delete", "compact" or "compact,delete"; empty = delete
	DeleteRetentionMs      int64   // delete.retention.ms: how long tombstones outlive compaction; <0 = 0
	MinCleanableDirtyRatio float64 // min.cleanable.dirty.ratio: dirty share that makes a log due; <0 = 0
	MinCompactionLagMs     int64   // min.compaction.lag.ms: records younger than this are not compacted
	MaxCompactionLagMs     int64   // max.compaction.lag.ms: dirty records older than this force a cleaning; <=0 = unlimited
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

// DefaultConfig returns Kafka's defaults, the starting point a topic override edits.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.SegmentBytes <= 0 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	// Index entries hold 32-bit file positions, which is why Kafka's segment.bytes is an int.
	c.SegmentBytes = min(c.SegmentBytes, math.MaxInt32)
	if c.SegmentMs <= 0 {
		c.SegmentMs = DefaultSegmentMs
	}
	if c.RetentionMs == 0 {
		c.RetentionMs = DefaultRetentionMs
	}
	if c.RetentionBytes == 0 {
		c.RetentionBytes = DefaultRetentionBytes
	}
	if c.FlushIntervalMessages <= 0 {
		c.FlushIntervalMessages = math.MaxInt64
	}
	if c.FlushIntervalMs <= 0 {
		c.FlushIntervalMs = math.MaxInt64
	}
	if c.IndexIntervalBytes <= 0 {
		c.IndexIntervalBytes = DefaultIndexIntervalBytes
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	switch {
	case c.DeleteRetentionMs == 0:
		c.DeleteRetentionMs = DefaultDeleteRetentionMs
	case c.DeleteRetentionMs < 0:
		c.DeleteRetentionMs = 0
	}
	switch {
	case c.MinCleanableDirtyRatio == 0:
		c.MinCleanableDirtyRatio = DefaultMinCleanableDirtyRatio
	case c.MinCleanableDirtyRatio < 0:
		c.MinCleanableDirtyRatio = 0
	}
	c.MinCompactionLagMs = max(c.MinCompactionLagMs, 0)
	if c.MaxCompactionLagMs <= 0 {
		c.MaxCompactionLagMs = math.MaxInt64
	}
	return c
}
