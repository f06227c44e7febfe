package zkmode

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// setState overwrites a partition's state znode, as an earlier controller or the
// partition's leader would have left it, and waits until src's image shows it.
func setState(t *testing.T, b *testBroker, topic string, partition int32, s znode.PartitionState) {
	t.Helper()
	stat, err := b.conn.Set(context.Background(), znode.TopicPartitionStatePath(topic, partition), znode.EncodePartitionState(s), -1)
	if err != nil {
		t.Fatal(err)
	}
	waitImage(t, b.src, "the state written", func(img *metadata.Image) bool {
		p, ok := img.Partition(topic, partition)
		return ok && p.PartitionEpoch == stat.Version
	})
}

// TestControllerPreferredElection: ElectLeaders moves leadership to the preferred
// replica and answers, per partition, as Kafka does; the legacy
// /admin/preferred_replica_election request does the same and is deleted; the auto
// rebalance brings leaders home on its own.
func TestControllerPreferredElection(t *testing.T) {
	srv := zktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("OnRequest", func(t *testing.T) {
		connect := srv.Addr() + "/preferred"
		b1, ctrl := startControllerBroker(t, connect, 1, ControllerOptions{})
		startTestBroker(t, connect, 2)
		startTestBroker(t, connect, 3)
		waitBrokers(t, b1.src, 1, 2, 3)
		createTopic(t, b1.src, "orders", map[int32][]int32{0: {1, 2, 3}, 1: {2, 3, 1}, 2: {3, 1, 2}})
		waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})
		waitState(t, b1.conn, "orders", 1, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2, 3, 1}})
		waitState(t, b1.conn, "orders", 2, znode.PartitionState{Leader: 3, ControllerEpoch: 1, ISR: []int32{3, 1, 2}})
		setState(t, b1, "orders", 0, znode.PartitionState{Leader: 2, LeaderEpoch: 4, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})
		setState(t, b1, "orders", 2, znode.PartitionState{Leader: 1, LeaderEpoch: 4, ControllerEpoch: 1, ISR: []int32{1, 2}})

		results, err := ctrl.ElectLeaders(ctx, false, map[string][]int32{"orders": {0, 1, 2, 9}, "missing": {0}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]error{
			"missing-0": kerr.UnknownTopicOrPartition,
			"orders-0":  nil,
			"orders-1":  kerr.ElectionNotNeeded,
			"orders-2":  kerr.PreferredLeaderNotAvailable, // broker 3 is not in the ISR
			"orders-9":  kerr.UnknownTopicOrPartition,
		}
		if len(results) != len(want) {
			t.Fatalf("results %+v", results)
		}
		for _, r := range results {
			key := fmt.Sprintf("%s-%d", r.Topic, r.Partition)
			if w, ok := want[key]; !ok || (w == nil) != (r.Err == nil) || (w != nil && !errors.Is(r.Err, w)) {
				t.Errorf("%s: %v, want %v", key, r.Err, w)
			}
		}
		// ElectLeaders returned once the image held the election.
		if p, _ := ctrl.src.Image().Partition("orders", 0); p.Leader != 1 {
			t.Fatalf("image after ElectLeaders: orders-0 led by %d", p.Leader)
		}
		waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 1, LeaderEpoch: 5, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})

		// All partitions: only those that need an election are answered for.
		setState(t, b1, "orders", 1, znode.PartitionState{Leader: 3, LeaderEpoch: 2, ControllerEpoch: 1, ISR: []int32{3, 2}})
		results, err = ctrl.ElectLeaders(ctx, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 2 || results[0].Partition != 1 || results[0].Err != nil ||
			results[1].Partition != 2 || !errors.Is(results[1].Err, kerr.PreferredLeaderNotAvailable) {
			t.Fatalf("election of all partitions: %+v", results)
		}
		waitState(t, b1.conn, "orders", 1, znode.PartitionState{Leader: 2, LeaderEpoch: 3, ControllerEpoch: 1, ISR: []int32{3, 2}})

		// An unclean election is needed only where there is no leader.
		results, err = ctrl.ElectLeaders(ctx, true, map[string][]int32{"orders": {1}})
		if err != nil || len(results) != 1 || !errors.Is(results[0].Err, kerr.ElectionNotNeeded) {
			t.Fatalf("unclean election of a led partition: %+v, %v", results, err)
		}

		// kafka-preferred-replica-election.sh before Kafka 2.4.
		setState(t, b1, "orders", 2, znode.PartitionState{Leader: 1, LeaderEpoch: 7, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})
		mustCreate(t, b1.conn, znode.PreferredReplicaElectionPath, string(znode.EncodePartitions([]znode.TopicPartition{{Topic: "orders", Partition: 2}, {Topic: "gone", Partition: 0}})), zk.FlagPersistent)
		waitState(t, b1.conn, "orders", 2, znode.PartitionState{Leader: 3, LeaderEpoch: 8, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})
		waitFor(t, controllerWithin, znode.PreferredReplicaElectionPath+" is deleted", func() bool {
			ok, _, err := b1.conn.Exists(ctx, znode.PreferredReplicaElectionPath)
			return err == nil && !ok
		})
	})

	t.Run("AutoRebalance", func(t *testing.T) {
		connect := srv.Addr() + "/rebalance"
		b1, _ := startControllerBroker(t, connect, 1, ControllerOptions{AutoLeaderRebalance: true, LeaderImbalanceCheckInterval: 100 * time.Millisecond})
		startTestBroker(t, connect, 2)
		waitBrokers(t, b1.src, 1, 2)
		createTopic(t, b1.src, "orders", map[int32][]int32{0: {2, 1}})
		waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2, 1}})
		setState(t, b1, "orders", 0, znode.PartitionState{Leader: 1, LeaderEpoch: 3, ControllerEpoch: 1, ISR: []int32{1, 2}})
		waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 2, LeaderEpoch: 4, ControllerEpoch: 1, ISR: []int32{1, 2}})
	})
}
