package storage

import "math"

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
)

// Config holds the topic-level settings that shape a partition log. Zero fields take
// Kafka's defaults, so a config built from a sparse topic override is still complete;
// -1 means unlimited where Kafka allows it (retention).
type Config struct {
	SegmentBytes          int64 // segment.bytes: roll when the active segment would exceed it
	SegmentMs             int64 // segment.ms: roll when the active segment's first batch is older
	RetentionMs           int64 // retention.ms; -1 = unlimited
	RetentionBytes        int64 // retention.bytes; -1 = unlimited
	FlushIntervalMessages int64 // flush.messages: fsync after this many messages
	FlushIntervalMs       int64 // flush.ms: fsync when this long since the last flush
	IndexIntervalBytes    int32 // index.interval.bytes: spacing of offset and time index entries
	MaxMessageBytes       int32 // max.message.bytes: largest batch Append accepts
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
	return c
}
