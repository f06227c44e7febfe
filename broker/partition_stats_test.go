package broker

import (
	"testing"

	"github.com/kbridge/kbridge/metrics"
)

// statsOf is broker id's PartitionStats of topic's partition 0 and its fetchers' lag.
func (c *testCluster) statsOf(id int32, topic string) (metrics.PartitionStats, int64) {
	c.t.Helper()
	h := c.broker(id).PartitionStats()
	for _, s := range h.Partitions {
		if s.Topic == topic && s.Partition == 0 {
			return s, h.MaxFollowerLag
		}
	}
	c.t.Fatalf("broker %d reports no stats of %s-0: %+v", id, topic, h)
	return metrics.PartitionStats{}, 0
}

// TestPartitionStats: the log gauges on every replica, the partition gauges only on
// the leader, under-replication once the ISR shrinks, and the broker's state.
func TestPartitionStats(t *testing.T) {
	c := newThirtyRecordTopic(t)
	c.waitForLogs("t", 30, 1, 2)

	lead, _ := c.statsOf(1, "t")
	if lead.LogEndOffset != 30 || lead.LogStartOffset != 0 || lead.Segments != 1 || lead.Size != int64(len(c.logBytes(1, "t"))) {
		t.Errorf("leader's log stats %+v, log of %d bytes", lead, len(c.logBytes(1, "t")))
	}
	if lead.InSyncReplicas != 2 || lead.Replicas != 2 || lead.UnderReplicated || lead.UnderMinIsr || lead.AtMinIsr {
		t.Errorf("leader's partition stats %+v", lead)
	}
	waitFor(t, "the follower's lag to be 0 and its high watermark to reach 30", func() bool {
		follow, lag := c.statsOf(2, "t")
		return lag == 0 && follow.LogEndOffset == 30 && c.partition(2, "t").HighWatermark() == 30
	})
	if follow, _ := c.statsOf(2, "t"); follow.InSyncReplicas != 0 || follow.Replicas != 0 || follow.UnderReplicated {
		t.Errorf("a follower reports partition gauges only a leader reports: %+v", follow)
	}

	if got := c.broker(1).BrokerState(); got != brokerRunning {
		t.Errorf("a registered, unfenced broker's state is %d, want %d", got, brokerRunning)
	}
	follower := c.broker(2)
	c.stop(2)
	if got := follower.BrokerState(); got != brokerShuttingDown {
		t.Errorf("a closed broker's state is %d, want %d", got, brokerShuttingDown)
	}
	// The follower gone, the controller shrinks the ISR to the leader.
	c.src.electLeader(t, "t", 1, []int32{1})
	waitFor(t, "the leader to report the partition under-replicated", func() bool {
		s, _ := c.statsOf(1, "t")
		return s.UnderReplicated && s.InSyncReplicas == 1 && s.Replicas == 2 && s.AtMinIsr
	})
}
