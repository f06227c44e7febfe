package zkmode

import (
	"context"
	"testing"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestControllerLeadsPartitions: the controller writes a new topic's state znodes as
// Kafka's does (first live replica leads, the live replicas are the ISR, epoch 0,
// its own controller epoch); when a broker's session closes, the partitions it led get
// the next live ISR member as leader and every ISR it was in shrinks, each with the
// leader epoch bumped; a partition whose last ISR member it was goes leaderless and
// is led by that broker again when it comes back. A partition with no live replica is
// initialized once one registers.
func TestControllerLeadsPartitions(t *testing.T) {
	srv := zktest.Start(t)
	connect := srv.Addr() + "/leaders"
	b1, _ := startControllerBroker(t, connect, 1, ControllerOptions{})
	b2 := startTestBroker(t, connect, 2)
	startTestBroker(t, connect, 3)
	waitBrokers(t, b1.src, 1, 2, 3)

	createTopic(t, b1.src, "orders", map[int32][]int32{0: {2, 3, 1}, 1: {3, 1, 2}, 2: {1, 2, 3}})
	createTopic(t, b1.src, "solo", map[int32][]int32{0: {2}})
	waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 2, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{2, 3, 1}})
	waitState(t, b1.conn, "orders", 1, znode.PartitionState{Leader: 3, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{3, 1, 2}})
	waitState(t, b1.conn, "orders", 2, znode.PartitionState{Leader: 1, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{1, 2, 3}})
	waitState(t, b1.conn, "solo", 0, znode.PartitionState{Leader: 2, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{2}})
	waitImage(t, b1.src, "the brokers' images show the leaders", func(img *metadata.Image) bool {
		p, ok := img.Partition("orders", 0)
		return ok && p.Leader == 2 && p.PartitionEpoch == 0
	})

	b2.stop()
	waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 3, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{3, 1}})
	waitState(t, b1.conn, "orders", 1, znode.PartitionState{Leader: 3, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{3, 1}})
	waitState(t, b1.conn, "orders", 2, znode.PartitionState{Leader: 1, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{1, 3}})
	// Its last ISR member stays in the ISR, so that it, holding every acknowledged
	// record, is the one that leads again.
	waitState(t, b1.conn, "solo", 0, znode.PartitionState{Leader: -1, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{2}})
	_, ordersVersion, _ := readState(t, b1.conn, "orders", 0)

	startTestBroker(t, connect, 2)
	waitState(t, b1.conn, "solo", 0, znode.PartitionState{Leader: 2, LeaderEpoch: 2, ControllerEpoch: 1, ISR: []int32{2}})
	// The controller decides every partition in one pass: what it did not change with
	// solo-0 it leaves alone. Catching up into the ISR is the leader's business.
	if s, v, _ := readState(t, b1.conn, "orders", 0); v != ordersVersion || s.Leader != 3 {
		t.Fatalf("orders-0 changed when broker 2 returned: %+v at zkVersion %d, was %d", s, v, ordersVersion)
	}

	// A topic written by a tool, on a broker that is not registered: no state until
	// broker 7 registers.
	ctx := context.Background()
	if _, err := b1.conn.Create(ctx, znode.TopicPath("waiting"), znode.EncodeTopic(znode.TopicZNode{TopicID: metadata.RandomUuid(), Partitions: map[int32][]int32{0: {7}}}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, b1.src, "topic waiting loaded", func(img *metadata.Image) bool { return img.Topics["waiting"] != nil })
	startTestBroker(t, connect, 7)
	waitState(t, b1.conn, "waiting", 0, znode.PartitionState{Leader: 7, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{7}})
}

// TestControllerUncleanElection: with unclean.leader.election.enable set on the topic,
// a partition whose ISR is all gone is led by a live replica outside it, which becomes
// the whole ISR, RECOVERING.
func TestControllerUncleanElection(t *testing.T) {
	srv := zktest.Start(t)
	connect := srv.Addr() + "/unclean"
	b1, _ := startControllerBroker(t, connect, 1, ControllerOptions{})
	b2 := startTestBroker(t, connect, 2)
	waitBrokers(t, b1.src, 1, 2)
	createTopic(t, b1.src, "lossy", map[int32][]int32{0: {2, 1}})
	v := waitState(t, b1.conn, "lossy", 0, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2, 1}})
	// The leader shrank the ISR to itself (broker 1 fell behind), as AlterPartition would.
	if _, err := b1.conn.Set(context.Background(), znode.TopicPartitionStatePath("lossy", 0),
		znode.EncodePartitionState(znode.PartitionState{Leader: 2, LeaderEpoch: 0, ControllerEpoch: 1, ISR: []int32{2}}), v); err != nil {
		t.Fatal(err)
	}
	// CreateTopics wrote the topic's config znode; kafka-configs.sh would set it so.
	if _, err := b1.conn.Set(context.Background(), znode.ConfigEntityPath(znode.ConfigTypeTopic, "lossy"),
		znode.EncodeConfig(map[string]string{metadata.UncleanLeaderElectionConfig: "true"}), -1); err != nil {
		t.Fatal(err)
	}
	waitImage(t, b1.src, "unclean election enabled for lossy", func(img *metadata.Image) bool {
		return metadata.UncleanElectionEnabled(img, "lossy", 1, false)
	})

	b2.stop()
	state := znode.PartitionState{Leader: 1, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{1}, LeaderRecoveryState: metadata.LeaderRecoveryStateRecovering}
	path := znode.TopicPartitionStatePath("lossy", 0)
	waitFor(t, controllerWithin, "lossy-0 led uncleanly by broker 1", func() bool {
		s, _, ok := readState(t, b1.conn, "lossy", 0)
		return ok && s.Leader == state.Leader && s.LeaderEpoch == state.LeaderEpoch && len(s.ISR) == 1 && s.ISR[0] == 1
	})
	data := mustGet(t, b1.conn, path)
	if data != string(znode.EncodePartitionState(state)) {
		t.Fatalf("%s = %s, want %s", path, data, znode.EncodePartitionState(state))
	}
	if fields := jsonFields(t, data); fields["leader_recovery_state"] != 1.0 {
		t.Fatalf("%s has no leader_recovery_state 1: %s", path, data)
	}
}
