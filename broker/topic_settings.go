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

// storageConfig is what the partition log needs of the topic's settings.
func (s topicSettings) storageConfig() storage.Config {
	return storage.Config{
		SegmentBytes:          s.int64("segment.bytes"),
		SegmentMs:             s.int64("segment.ms"),
		RetentionMs:           s.int64("retention.ms"),
		RetentionBytes:        s.int64("retention.bytes"),
		FlushIntervalMessages: s.int64("flush.messages"),
		FlushIntervalMs:       s.int64("flush.ms"),
		IndexIntervalBytes:    int32(s.int64("index.interval.bytes")),
		MaxMessageBytes:       int32(s.int64("max.message.bytes")),
	}
}
