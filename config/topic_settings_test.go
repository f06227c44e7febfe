package config

import (
	"strings"
	"testing"
)

// TestResolveTopic: a topic's overrides win, the broker's file gives the rest (its
// log.retention.hours, not Kafka's 7 days), 0 stays 0, and an override that does not
// parse is named in the error and replaced by the broker's default, never a zero.
func TestResolveTopic(t *testing.T) {
	c := mustParse(t, "zookeeper.connect=zk:2181\nlog.retention.hours=1\nmin.insync.replicas=2\n")
	ts, err := c.ResolveTopic(map[string]string{
		"retention.bytes": "0", "delete.retention.ms": "0", "cleanup.policy": "compact,delete",
		"message.timestamp.type": "LogAppendTime", "min.cleanable.dirty.ratio": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := TopicSettings{
		CleanupPolicy: "compact,delete", DeleteRetentionMs: 0, MinCleanableDirtyRatio: 0, MinCompactionLagMs: 0,
		MaxCompactionLagMs: 1<<63 - 1, SegmentBytes: 1 << 30, SegmentMs: 604800000, RetentionMs: 3600000, RetentionBytes: 0,
		FlushMessages: 1<<63 - 1, FlushMs: 1<<63 - 1, IndexIntervalBytes: 4096, MaxMessageBytes: 1048588,
		MinInsyncReplicas: 2, LogAppendTime: true,
	}
	if ts != want {
		t.Fatalf("resolved\n %+v\nwant\n %+v", ts, want)
	}
	ts, err = c.ResolveTopic(map[string]string{"retention.ms": "soon", "segment.bytes": "1000"})
	if err == nil || !strings.Contains(err.Error(), `retention.ms="soon"`) || !strings.Contains(err.Error(), "3600000") {
		t.Fatalf("an unparsable override: %v", err)
	}
	if ts.RetentionMs != 3600000 || ts.SegmentBytes != 1000 {
		t.Fatalf("retention.ms %d (want the broker's 3600000), segment.bytes %d (want the override 1000)", ts.RetentionMs, ts.SegmentBytes)
	}
}
