package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const raftMetric = "kafka_server_raftmetrics_"

// TestRaftMetricsOfQuorum: on a 3+1 cluster exactly one controller reports itself the
// Raft leader and all report the same leader and epoch; creating a topic moves every
// controller's high watermark, shows as records appended on the leader and fetched on
// the followers, and the leader's high watermark agrees with `kbridge metadata quorum
// describe`. Every controller's exposition passes promtool.
func TestRaftMetricsOfQuorum(t *testing.T) {
	promtool := requireTool(t, "promtool")
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 1, Metrics: true})
	var bodies []string
	leader := -1
	WaitFor(t, 20*time.Second, "one controller to report itself leader and all the same leader and epoch", func() bool {
		bodies = scrapeEach(t, c.Controllers)
		leader = -1
		for i, b := range bodies {
			if metricValue(b, raftMetric+`current_state{current_state="leader"}`) == 1 {
				if leader >= 0 {
					return false
				}
				leader = i
			}
		}
		if leader < 0 {
			return false
		}
		for _, b := range bodies {
			if metricValue(b, raftMetric+"current_leader") != float64(leader+1) ||
				metricValue(b, raftMetric+"current_epoch") != metricValue(bodies[leader], raftMetric+"current_epoch") {
				return false
			}
		}
		return true
	})
	if epoch := metricValue(bodies[leader], raftMetric+"current_epoch"); epoch < 1 {
		t.Fatalf("the leader reports epoch %v", epoch)
	}
	if vote := metricValue(bodies[leader], raftMetric+"current_vote"); vote != float64(leader+1) {
		t.Errorf("the leader, node %d, reports voting for %v", leader+1, vote)
	}
	for i, b := range bodies {
		if i != leader && metricValue(b, raftMetric+`current_state{current_state="follower"}`) != 1 {
			t.Errorf("controller %d is neither leader nor follower:\n%s", i+1, raftLines(b))
		}
	}

	before := make([]float64, len(bodies))
	for i, b := range bodies {
		before[i] = metricValue(b, raftMetric+"high_watermark")
	}
	createTopic(t, c.Brokers[0].BrokerAddr, "raft-metered", 3, nil)
	WaitFor(t, 10*time.Second, "every controller's high watermark to move past the topic's records, fetched by the followers", func() bool {
		bodies = scrapeEach(t, c.Controllers)
		for i, b := range bodies {
			if metricValue(b, raftMetric+"high_watermark") <= before[i] {
				return false
			}
			if i != leader && metricValue(b, raftMetric+"fetch_records_rate") <= 0 {
				return false
			}
		}
		return true
	})
	lb := bodies[leader]
	if rate := metricValue(lb, raftMetric+"append_records_rate"); rate <= 0 {
		t.Errorf("the leader's append_records_rate is %v after writing the topic", rate)
	}
	if avg, max := metricValue(lb, raftMetric+"commit_latency_avg"), metricValue(lb, raftMetric+"commit_latency_max"); math.IsNaN(avg) || avg < 0 || max < avg {
		t.Errorf("the leader's commit latency avg %v max %v after writing the topic", avg, max)
	}
	if end, hw := metricValue(lb, raftMetric+"log_end_offset"), metricValue(lb, raftMetric+"high_watermark"); end < hw {
		t.Errorf("the leader's log ends at %v, before its high watermark %v", end, hw)
	}

	hwBefore := metricValue(lb, raftMetric+"high_watermark")
	var status struct {
		LeaderID      int32 `json:"leader_id"`
		LeaderEpoch   int32 `json:"leader_epoch"`
		HighWatermark int64 `json:"high_watermark"`
	}
	out := Run(t, "metadata", "quorum", "--bootstrap-controller", strings.Join(c.ControllerAddrs(), ","), "describe", "--status", "--output", "json")
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("metadata quorum describe: %v\n%s", err, out)
	}
	_, after := scrape(t, "http://"+c.Controllers[leader].MetricsAddr+"/metrics")
	hwAfter := metricValue(after, raftMetric+"high_watermark")
	if int(status.LeaderID) != leader+1 || float64(status.LeaderEpoch) != metricValue(after, raftMetric+"current_epoch") ||
		float64(status.HighWatermark) < hwBefore || float64(status.HighWatermark) > hwAfter {
		t.Errorf("metadata quorum describe says leader %d, epoch %d, high watermark %d; the metrics say leader %d, epoch %v, high watermark %v then %v",
			status.LeaderID, status.LeaderEpoch, status.HighWatermark, leader+1, metricValue(after, raftMetric+"current_epoch"), hwBefore, hwAfter)
	}

	for _, b := range bodies {
		promtoolCheckMetrics(t, promtool, b)
	}
}

// TestConsumerLagMetrics: a group that consumed and committed 100 of the 150 records
// of a three-partition topic shows lag 50 over the topic on its coordinator, with
// kafka_exporter's names, and the GroupMetadataManager counts one Stable group with
// three offsets, then one Empty group once its consumer leaves.
func TestConsumerLagMetrics(t *testing.T) {
	promtool := requireTool(t, "promtool")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	n := StartSingleNode(t, "metrics.listeners=http://"+addr, "group.initial.rebalance.delay.ms=0")
	const topic, group = "lagging", "lag-group"
	createTopic(t, n.BrokerAddr, topic, 3, nil)
	produceValues(t, newClient(t, n.BrokerAddr, kgo.RecordPartitioner(kgo.ManualPartitioner())), topic, "l", 150, 3)

	cl, err := kgo.NewClient(kgo.SeedBrokers(n.BrokerAddr), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	next := map[int32]int64{0: 0, 1: 0, 2: 0}
	for consumed := 0; consumed < 100; {
		fs := cl.PollRecords(ctx, 100-consumed)
		if err := fs.Err(); err != nil {
			t.Fatalf("consume: %v", err)
		}
		for _, r := range fs.Records() {
			next[r.Partition] = r.Offset + 1
			consumed++
		}
	}
	// Every partition is committed, those not read yet at 0: the lag is per committed
	// partition, as kafka_exporter reports it.
	commit := map[string]map[int32]kgo.EpochOffset{topic: {}}
	for p, off := range next {
		commit[topic][p] = kgo.EpochOffset{Epoch: -1, Offset: off}
	}
	var commitErr error
	cl.CommitOffsetsSync(ctx, commit, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		commitErr = err
		if err == nil {
			for _, rt := range resp.Topics {
				for _, rp := range rt.Partitions {
					commitErr = cmp.Or(commitErr, kerr.ErrorForCode(rp.ErrorCode))
				}
			}
		}
	})
	if commitErr != nil {
		t.Fatalf("commit: %v", commitErr)
	}

	base := "http://" + addr + "/metrics"
	const gm = "kafka_coordinator_group_groupmetadatamanager_"
	lagSum := fmt.Sprintf(`kafka_consumergroup_lag_sum{consumergroup=%q,topic=%q}`, group, topic)
	currentSum := fmt.Sprintf(`kafka_consumergroup_current_offset_sum{consumergroup=%q,topic=%q}`, group, topic)
	members := fmt.Sprintf(`kafka_consumergroup_members{consumergroup=%q}`, group)
	var body string
	WaitFor(t, 10*time.Second, "lag 50 of a Stable group with one member", func() bool {
		_, body = scrape(t, base)
		return metricValue(body, lagSum) == 50 && metricValue(body, currentSum) == 100 && metricValue(body, members) == 1 &&
			metricValue(body, gm+"numgroups") == 1 && metricValue(body, gm+"numgroupsstable") == 1 &&
			metricValue(body, gm+"numgroupsempty") == 0 && metricValue(body, gm+"numoffsets") == 3
	})
	var lag float64
	for p, off := range next {
		l := metricValue(body, fmt.Sprintf(`kafka_consumergroup_lag{consumergroup=%q,partition="%d",topic=%q}`, group, p, topic))
		if want := float64(50 - off); l != want {
			t.Errorf("partition %d: lag %v, want %v (50 records, %d consumed)", p, l, want, off)
		}
		lag += l
	}
	if lag != 50 {
		t.Errorf("partition lags add up to %v", lag)
	}
	promtoolCheckMetrics(t, promtool, body)

	cl.Close()
	WaitFor(t, 10*time.Second, "the group to be Empty with the same lag once its consumer left", func() bool {
		_, body = scrape(t, base)
		return metricValue(body, lagSum) == 50 && metricValue(body, members) == 0 &&
			metricValue(body, gm+"numgroups") == 1 && metricValue(body, gm+"numgroupsempty") == 1 && metricValue(body, gm+"numgroupsstable") == 0
	})
}

// scrapeEach returns each node's /metrics.
func scrapeEach(t *testing.T, nodes []*Node) []string {
	t.Helper()
	out := make([]string, len(nodes))
	for i, n := range nodes {
		_, out[i] = scrape(t, "http://"+n.MetricsAddr+"/metrics")
	}
	return out
}

// raftLines are the Raft metrics of an exposition, for a failure message.
func raftLines(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, raftMetric) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
