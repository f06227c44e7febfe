package zkmode

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// checkStateZNode compares a partition state znode with Kafka's
// TopicPartitionStateZNode JSON, field by field, and returns its zkVersion.
func checkStateZNode(t *testing.T, c *Conn, topic string, p int32, leader, leaderEpoch, controllerEpoch int, isr []int32, recovering bool) int32 {
	t.Helper()
	path := znode.TopicPartitionStatePath(topic, p)
	data, stat, err := c.Get(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	got := jsonFields(t, string(data))
	want := map[string]any{"version": 1.0, "leader": float64(leader), "leader_epoch": float64(leaderEpoch), "controller_epoch": float64(controllerEpoch)}
	if recovering {
		want["leader_recovery_state"] = 1.0
	}
	if len(got) != len(want)+1 {
		t.Fatalf("%s = %s, want the fields %v and isr", path, data, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %s = %v, want %v (%s)", path, k, got[k], v, data)
		}
	}
	list, _ := got["isr"].([]any)
	gotISR := make([]int32, len(list))
	for i, v := range list {
		gotISR[i] = int32(v.(float64))
	}
	if !slices.Equal(gotISR, isr) {
		t.Fatalf("%s: isr = %v, want %v", path, gotISR, isr)
	}
	return stat.Version
}

// TestSourceAlterPartition: a ZooKeeper-mode leader's ISR change is a write of the
// state znode conditional on the partition epoch (its zkVersion) that keeps the
// leader, leader epoch and controller epoch, and the image shows the new partition
// epoch when AlterPartition returns. Stale broker epochs fail the whole request; stale
// partition epochs, stale leader epochs, non-leaders and unknown partitions fail their
// change alone, in request order, with Kafka's codes and the partition as it stands.
func TestSourceAlterPartition(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	writer := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	epoch, err := s.RegisterBroker(ctx, testRegistration())
	if err != nil {
		t.Fatal(err)
	}
	others := registerTestBrokers(t, writer, 2, 3)
	id := metadata.RandomUuid()
	createTopicZNodes(t, writer, "orders", id, map[int32][]int32{0: {1, 2, 3}, 1: {2, 1, 3}, 2: {1, 2, 3}}, map[int32]znode.PartitionState{
		0: {Leader: 1, LeaderEpoch: 3, ControllerEpoch: 7, ISR: []int32{1, 2, 3}},
		1: {Leader: 2, LeaderEpoch: 1, ControllerEpoch: 7, ISR: []int32{2, 1, 3}},
		2: {Leader: 1, LeaderEpoch: 5, ControllerEpoch: 7, ISR: []int32{1}, LeaderRecoveryState: metadata.LeaderRecoveryStateRecovering},
	})
	waitImage(t, s, "three brokers and orders with leaders", func(img *metadata.Image) bool {
		tp := img.TopicsByID[id]
		return len(img.LiveBrokers()) == 3 && img.Brokers[1].Epoch == epoch && tp != nil && tp.Partitions[2] != nil && tp.Partitions[2].Leader == 1
	})

	shrink := metadata.ISRChange{TopicID: id, Partition: 0, LeaderEpoch: 3, PartitionEpoch: 0, NewISR: []int32{1, 2}}
	results, err := s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{
		{TopicID: metadata.RandomUuid(), Partition: 0, LeaderEpoch: 0, NewISR: []int32{1}},
		shrink,
		{TopicID: id, Partition: 1, LeaderEpoch: 1, PartitionEpoch: 0, NewISR: []int32{2, 1}},
		{TopicID: id, Partition: 9, LeaderEpoch: 0, NewISR: []int32{1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []*kerr.Error{kerr.UnknownTopicID, nil, kerr.InvalidRequest, kerr.UnknownTopicOrPartition}
	for i, want := range wantErrs {
		r := results[i]
		if (want == nil && r.Err != nil) || (want != nil && !errors.Is(r.Err, want)) {
			t.Fatalf("result %d: %v, want %v", i, r.Err, want)
		}
	}
	if r := results[1]; r.TopicID != id || r.Partition != 0 || r.State == nil || !slices.Equal(r.State.ISR, []int32{1, 2}) ||
		r.State.PartitionEpoch != 1 || r.State.Leader != 1 || r.State.LeaderEpoch != 3 {
		t.Fatalf("written change: %+v (state %+v)", r, r.State)
	}
	if r := results[2]; r.State == nil || r.State.Leader != 2 || r.State.PartitionEpoch != 0 {
		t.Fatalf("refused change of a partition led by 2: state %+v", r.State)
	}
	if results[0].State != nil || results[3].State != nil {
		t.Fatal("a change of an unknown partition carries a state")
	}
	if v := checkStateZNode(t, writer, "orders", 0, 1, 3, 7, []int32{1, 2}, false); v != 1 {
		t.Fatalf("zkVersion %d after one write, want 1", v)
	}
	if p := s.Image().TopicsByID[id].Partitions[0]; p.PartitionEpoch != 1 || !slices.Equal(p.ISR, []int32{1, 2}) {
		t.Fatalf("image when AlterPartition returned: %+v", p)
	}
	checkStateZNode(t, writer, "orders", 1, 2, 1, 7, []int32{2, 1, 3}, false)
	if kids, err := writer.Children(ctx, znode.IsrChangeNotificationPath); err != nil || len(kids) != 0 {
		t.Fatalf("%s holds %v (%v): no ISR change notification is written", znode.IsrChangeNotificationPath, kids, err)
	}

	// A change the image already refuses: the old partition epoch, an old leader epoch.
	for _, tc := range []struct {
		ch   metadata.ISRChange
		code *kerr.Error
	}{
		{shrink, kerr.InvalidUpdateVersion},
		{metadata.ISRChange{TopicID: id, Partition: 0, LeaderEpoch: 2, PartitionEpoch: 1, NewISR: []int32{1}}, kerr.FencedLeaderEpoch},
		{metadata.ISRChange{TopicID: id, Partition: 0, LeaderEpoch: 3, PartitionEpoch: 1, NewISR: []int32{2}}, kerr.InvalidRequest},
	} {
		results, err := s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{tc.ch})
		if err != nil || !errors.Is(results[0].Err, tc.code) {
			t.Fatalf("%+v: %v / %v, want %v", tc.ch, err, results, tc.code)
		}
		if st := results[0].State; st == nil || st.PartitionEpoch != 1 {
			t.Fatalf("%+v: state %+v, want the partition at epoch 1", tc.ch, st)
		}
	}

	// A change to what the partition holds writes nothing.
	results, err = s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{{TopicID: id, Partition: 0, LeaderEpoch: 3, PartitionEpoch: 1, NewISR: []int32{1, 2}}})
	if err != nil || results[0].Err != nil || results[0].State.PartitionEpoch != 1 {
		t.Fatalf("unchanged ISR: %v / %+v", err, results)
	}
	checkStateZNode(t, writer, "orders", 0, 1, 3, 7, []int32{1, 2}, false)

	// Recovering from an unclean election: the ISR may not grow while RECOVERING, and
	// the leader marks the partition RECOVERED as it grows it.
	results, _ = s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{{TopicID: id, Partition: 2, LeaderEpoch: 5, PartitionEpoch: 0, NewISR: []int32{1, 3}, LeaderRecoveryState: metadata.LeaderRecoveryStateRecovering}})
	if !errors.Is(results[0].Err, kerr.InvalidRequest) {
		t.Fatalf("growing a RECOVERING ISR: %v, want INVALID_REQUEST", results[0].Err)
	}
	results, _ = s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{{TopicID: id, Partition: 2, LeaderEpoch: 5, PartitionEpoch: 0, NewISR: []int32{1, 3}, LeaderRecoveryState: metadata.LeaderRecoveryStateRecovered}})
	if results[0].Err != nil || results[0].State.LeaderRecoveryState != metadata.LeaderRecoveryStateRecovered || results[0].State.PartitionEpoch != 1 {
		t.Fatalf("recovered: %v, state %+v", results[0].Err, results[0].State)
	}
	checkStateZNode(t, writer, "orders", 2, 1, 5, 7, []int32{1, 3}, false)

	// The controller writes the state before the image shows it: the conditional write
	// fails with INVALID_UPDATE_VERSION and the answer carries the controller's state.
	thaw := freezeSourceImage(t, s, writer)
	if _, err := writer.Set(ctx, znode.TopicPartitionStatePath("orders", 0), znode.EncodePartitionState(znode.PartitionState{Leader: 1, LeaderEpoch: 3, ControllerEpoch: 8, ISR: []int32{1, 2, 3}}), 1); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		thaw()
	}()
	results, err = s.AlterPartition(ctx, 1, epoch, []metadata.ISRChange{{TopicID: id, Partition: 0, LeaderEpoch: 3, PartitionEpoch: 1, NewISR: []int32{1}}})
	if err != nil || !errors.Is(results[0].Err, kerr.InvalidUpdateVersion) {
		t.Fatalf("racing the controller: %v / %v, want INVALID_UPDATE_VERSION", err, results)
	}
	if st := results[0].State; st == nil || st.PartitionEpoch != 2 || !slices.Equal(st.ISR, []int32{1, 2, 3}) {
		t.Fatalf("racing the controller: state %+v, want the controller's at epoch 2", st)
	}
	checkStateZNode(t, writer, "orders", 0, 1, 3, 8, []int32{1, 2, 3}, false)

	// A stale broker epoch fails the whole request and writes nothing.
	for _, stale := range []int64{epoch - 1, epoch + 1} {
		if results, err := s.AlterPartition(ctx, 1, stale, []metadata.ISRChange{{TopicID: id, Partition: 0, LeaderEpoch: 3, PartitionEpoch: 2, NewISR: []int32{1}}}); !errors.Is(err, kerr.StaleBrokerEpoch) || results != nil {
			t.Fatalf("broker epoch %d (registered %d): %v / %v, want STALE_BROKER_EPOCH", stale, epoch, err, results)
		}
	}
	// Another broker's epoch is the one the image holds.
	if _, err := s.AlterPartition(ctx, 2, others[2]+1, []metadata.ISRChange{{TopicID: id, Partition: 1, LeaderEpoch: 1, PartitionEpoch: 0, NewISR: []int32{2}}}); !errors.Is(err, kerr.StaleBrokerEpoch) {
		t.Fatalf("broker 2 with epoch %d (registered %d): %v, want STALE_BROKER_EPOCH", others[2]+1, others[2], err)
	}
	if v := checkStateZNode(t, writer, "orders", 0, 1, 3, 8, []int32{1, 2, 3}, false); v != 2 {
		t.Fatalf("zkVersion %d after refused requests, want 2", v)
	}
}
