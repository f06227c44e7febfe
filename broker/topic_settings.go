package broker

import (
	"errors"
	"fmt"
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

// typedSettings reads a topic's settings as numbers, collecting the keys whose value
// does not parse. Every value entering through kbridge is validated first
// (config.ValidateTopicConfig), so such a value was written to ZooKeeper by another
// tool: it is reported, and the broker's default for the key is used instead, never a
// zero.
type typedSettings struct {
	topicSettings
	errs []error
}

func (t *typedSettings) int64(key string) int64 {
	v, src := t.lookup(key)
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		return n
	}
	t.errs = append(t.errs, fmt.Errorf("topic %q: %s=%q (%s) is not a number; using the broker's default", t.topic, key, v, src))
	def, _, _ := t.cfg.TopicDefault(key)
	n, _ = strconv.ParseInt(def, 10, 64)
	return n
}

func (t *typedSettings) float64(key string) float64 {
	v, src := t.lookup(key)
	f, err := strconv.ParseFloat(v, 64)
	if err == nil {
		return f
	}
	t.errs = append(t.errs, fmt.Errorf("topic %q: %s=%q (%s) is not a number; using the broker's default", t.topic, key, v, src))
	def, _, _ := t.cfg.TopicDefault(key)
	f, _ = strconv.ParseFloat(def, 64)
	return f
}

// storageConfig is what the partition log needs of the topic's settings, every value
// resolved (the log never guesses a default); the error lists the values that did not
// parse and were replaced by the broker's defaults.
func (s topicSettings) storageConfig() (storage.Config, error) {
	t := &typedSettings{topicSettings: s}
	sc := storage.Config{
		CleanupPolicy:          t.string("cleanup.policy"),
		DeleteRetentionMs:      t.int64("delete.retention.ms"),
		MinCleanableDirtyRatio: t.float64("min.cleanable.dirty.ratio"),
		MinCompactionLagMs:     t.int64("min.compaction.lag.ms"),
		MaxCompactionLagMs:     t.int64("max.compaction.lag.ms"),
		SegmentBytes:           t.int64("segment.bytes"),
		SegmentMs:              t.int64("segment.ms"),
		RetentionMs:            t.int64("retention.ms"),
		RetentionBytes:         t.int64("retention.bytes"),
		FlushIntervalMessages:  t.int64("flush.messages"),
		FlushIntervalMs:        t.int64("flush.ms"),
		IndexIntervalBytes:     int32(t.int64("index.interval.bytes")),
		MaxMessageBytes:        int32(t.int64("max.message.bytes")),
	}
	return sc, errors.Join(t.errs...)
}

// partitionSettings is what a partition's leader checks on produce, resolved like
// storageConfig.
func (s topicSettings) partitionSettings() (minISR int, maxMessage int32, appendTime bool, err error) {
	t := &typedSettings{topicSettings: s}
	minISR = int(t.int64("min.insync.replicas"))
	maxMessage = int32(t.int64("max.message.bytes"))
	appendTime = t.string("message.timestamp.type") == "LogAppendTime"
	return minISR, maxMessage, appendTime, errors.Join(t.errs...)
}
