package broker

import (
	"strconv"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// topicSettings resolves a topic config the way Kafka does: the topic's own override
// from the metadata image, else the broker's static default for that key.
type topicSettings struct {
	cfg   *config.Config
	img   *metadata.Image
	topic string
}

// lookup returns the effective value and where it came from (Kafka's config sources).
func (s topicSettings) lookup(key string) (value string, source string) {
	if s.img != nil {
		if v, ok := s.img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: s.topic}][key]; ok {
			return v, "DYNAMIC_TOPIC_CONFIG"
		}
	}
	v, src, _ := s.cfg.TopicDefault(key)
	return v, src
}

func (s topicSettings) string(key string) string {
	v, _ := s.lookup(key)
	return v
}

func (s topicSettings) int64(key string) int64 {
	n, _ := strconv.ParseInt(s.string(key), 10, 64)
	return n
}

func (s topicSettings) float64(key string) float64 {
	f, _ := strconv.ParseFloat(s.string(key), 64)
	return f
}

// zeroAsNegative maps a configured 0 to the storage package's spelling of an explicit
// zero (its zero value means "Kafka's default").
func zeroAsNegative[T int64 | float64](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// storageConfig is what the partition log needs of the topic's settings.
func (s topicSettings) storageConfig() storage.Config {
	return storage.Config{
		CleanupPolicy:          s.string("cleanup.policy"),
		DeleteRetentionMs:      zeroAsNegative(s.int64("delete.retention.ms")),
		MinCleanableDirtyRatio: zeroAsNegative(s.float64("min.cleanable.dirty.ratio")),
		MinCompactionLagMs:     s.int64("min.compaction.lag.ms"),
		MaxCompactionLagMs:     s.int64("max.compaction.lag.ms"),
		SegmentBytes:           s.int64("segment.bytes"),
		SegmentMs:              s.int64("segment.ms"),
		RetentionMs:            s.int64("retention.ms"),
		RetentionBytes:         s.int64("retention.bytes"),
		FlushIntervalMessages:  s.int64("flush.messages"),
		FlushIntervalMs:        s.int64("flush.ms"),
		IndexIntervalBytes:     int32(s.int64("index.interval.bytes")),
		MaxMessageBytes:        int32(s.int64("max.message.bytes")),
	}
}
