package broker

import (
	"fmt"

	"github.com/kbridge/kbridge/broker/storage"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// topicSettings is one topic's configs as the image and this broker's config give
// them: the topic's own override from the metadata image, else the broker's default
// for that key (config.Config.ResolveTopic types and resolves them).
type topicSettings struct {
	cfg   *config.Config
	img   *metadata.Image
	topic string
}

// overrides are the topic's own configs in the image.
func (s topicSettings) overrides() map[string]string {
	if s.img == nil {
		return nil
	}
	return s.img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: s.topic}]
}

// lookup returns the effective value as Kafka prints it and where it came from
// (Kafka's config sources), for DescribeConfigs.
func (s topicSettings) lookup(key string) (value string, source string) {
	if v, ok := s.overrides()[key]; ok {
		return v, "DYNAMIC_TOPIC_CONFIG"
	}
	v, src, _ := s.cfg.TopicDefault(key)
	return v, src
}

// resolved is the topic's typed settings; the error names overrides that did not
// parse, replaced by the broker's defaults.
func (s topicSettings) resolved() (config.TopicSettings, error) {
	ts, err := s.cfg.ResolveTopic(s.overrides())
	if err != nil {
		err = fmt.Errorf("topic %q: %w", s.topic, err)
	}
	return ts, err
}

// storageConfig is what the partition log needs of the topic's settings, every value
// resolved: the log never guesses a default.
func storageConfig(ts config.TopicSettings) storage.Config {
	return storage.Config{
		CleanupPolicy:          ts.CleanupPolicy,
		DeleteRetentionMs:      ts.DeleteRetentionMs,
		MinCleanableDirtyRatio: ts.MinCleanableDirtyRatio,
		MinCompactionLagMs:     ts.MinCompactionLagMs,
		MaxCompactionLagMs:     ts.MaxCompactionLagMs,
		SegmentBytes:           ts.SegmentBytes,
		SegmentMs:              ts.SegmentMs,
		RetentionMs:            ts.RetentionMs,
		RetentionBytes:         ts.RetentionBytes,
		FlushIntervalMessages:  ts.FlushMessages,
		FlushIntervalMs:        ts.FlushMs,
		IndexIntervalBytes:     ts.IndexIntervalBytes,
		MaxMessageBytes:        ts.MaxMessageBytes,
	}
}
