package broker

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metrics"
)

// TestConsumerLagAcrossBrokers: the broker coordinating a group reports its committed
// offsets with the high watermark of a partition it leads, read locally, and of one
// another broker leads, asked of that broker; once that broker is gone the partition's
// high watermark is unknown (-1) rather than a stale or made-up number.
func TestConsumerLagAcrossBrokers(t *testing.T) {
	c := newCluster(t, 2, "offsets.topic.num.partitions=1")
	c.createTopic("__consumer_offsets", []int32{1}, 1, []int32{1}, map[string]string{"cleanup.policy": "compact"})
	c.createTopic("near", []int32{1}, 1, []int32{1}, nil)
	c.createTopic("far", []int32{2}, 2, []int32{2}, nil)
	for _, p := range []struct {
		broker  int32
		topic   string
		records int
	}{{1, "near", 4}, {2, "far", 10}} {
		if _, sp := c.produce(p.broker, p.topic, 1, 5*time.Second, recordBatch(p.records, -1, 0)); sp.ErrorCode != 0 {
			t.Fatalf("produce to %s: error %d", p.topic, sp.ErrorCode)
		}
	}
	waitFor(t, "the coordinator to load __consumer_offsets-0", func() bool {
		return commitOffsets(t, c, 1, "lagging", map[string]int64{"near": 1, "far": 3})
	})

	b := c.broker(1)
	if got := b.GroupMetadataStats(); got != (metrics.GroupMetadataStats{NumGroups: 1, NumGroupsEmpty: 1, NumOffsets: 2}) {
		t.Fatalf("group stats %+v", got)
	}
	want := map[string]metrics.PartitionOffset{
		"near": {Topic: "near", Committed: 1, HighWatermark: 4},
		"far":  {Topic: "far", Committed: 3, HighWatermark: 10},
	}
	if got := lagByTopic(t, b.ConsumerLag()); got["near"] != want["near"] || got["far"] != want["far"] {
		t.Fatalf("offsets %+v, want %+v", got, want)
	}

	c.stop(2)
	time.Sleep(highWatermarkTTL)
	want["far"] = metrics.PartitionOffset{Topic: "far", Committed: 3, HighWatermark: -1}
	if got := lagByTopic(t, b.ConsumerLag()); got["near"] != want["near"] || got["far"] != want["far"] {
		t.Fatalf("offsets with far's leader gone %+v, want %+v", got, want)
	}
}

// commitOffsets commits offsets of partition 0 of each topic for group as a simple
// consumer would, through broker id; false while the coordinator is not ready.
func commitOffsets(t *testing.T, c *testCluster, id int32, group string, offsets map[string]int64) bool {
	t.Helper()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	for topic, offset := range offsets {
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = topic
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Offset = offset
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
	}
	for _, rt := range c.request(id, req).(*kmsg.OffsetCommitResponse).Topics {
		for _, rp := range rt.Partitions {
			if rp.ErrorCode != 0 {
				return false
			}
		}
	}
	return true
}

// lagByTopic is the one group's offset of each topic's partition 0.
func lagByTopic(t *testing.T, groups []metrics.GroupOffsets) map[string]metrics.PartitionOffset {
	t.Helper()
	if len(groups) != 1 {
		t.Fatalf("groups %+v, want one", groups)
	}
	out := map[string]metrics.PartitionOffset{}
	for _, o := range groups[0].Offsets {
		out[o.Topic] = o
	}
	return out
}
