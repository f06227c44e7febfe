package zkmode

import (
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSourcePresumesSessionLostWhenZooKeeperFallsSilent: a broker that hears nothing
// from ZooKeeper cannot learn that its session expired, since only the server can say
// so; after the session timeout of silence it must presume it did: it stops leading,
// and its view no longer shows its registration, as the other brokers' do not once
// the server expired it (issue 16: a broker cut from ZooKeeper went on acknowledging
// writes as a stale leader, and its Metadata sent clients back to it). Here the server still hears the client, so the session truly lives on:
// once the server is heard again, the same session is back and the broker leads what
// the tree says again, without registering anew.
func TestSourcePresumesSessionLostWhenZooKeeperFallsSilent(t *testing.T) {
	const sessionTimeout = 2 * time.Second
	srv, r, conn := relayedSession(t, sessionTimeout)
	s := startSource(t, conn, "")
	ctx := t.Context()

	writer := dial(t, srv.Addr()+"/kafka")
	id := metadata.RandomUuid()
	if _, err := writer.Create(ctx, znode.TopicPath("orders"), znode.EncodeTopic(znode.TopicZNode{TopicID: id, Partitions: map[int32][]int32{0: {1, 2}}}), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.CreateRecursive(ctx, znode.TopicPartitionStatePath("orders", 0), znode.EncodePartitionState(znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2}}), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisterBroker(ctx, testRegistration()); err != nil {
		t.Fatal(err)
	}
	// as says whether the image shows this broker registered and leading orders-0.
	as := func(registered bool, leader int32) func(*metadata.Image) bool {
		return func(img *metadata.Image) bool {
			p, ok := img.Partition("orders", 0)
			_, reg := img.Brokers[1]
			return ok && p.Leader == leader && reg == registered
		}
	}
	waitImage(t, s, "this broker registered and leading orders-0", as(true, 1))
	if s.SessionLost() {
		t.Fatal("session lost while ZooKeeper answers")
	}
	session := conn.SessionID()

	r.Silence(true)
	waitFor(t, 15*time.Second, "the session presumed lost", s.SessionLost)
	if silent := time.Since(conn.LastHeard()); silent < sessionTimeout {
		t.Fatalf("session presumed lost after %v of silence, before the session timeout %v", silent, sessionTimeout)
	}
	waitImage(t, s, "neither this broker's registration nor a leader of orders-0 in its view", as(false, metadata.NoLeader))
	if state, _, err := writer.Get(ctx, znode.TopicPartitionStatePath("orders", 0)); err != nil {
		t.Fatal(err)
	} else if st, _ := znode.DecodePartitionState(state); st.Leader != 1 {
		t.Fatalf("the broker's suspension reached ZooKeeper: leader %d", st.Leader)
	}
	if tree := s.Tree().Image; tree.Topics["orders"].Partitions[0].Leader != 1 || tree.Brokers[1] == nil {
		t.Fatal("the tree lost what it read")
	}

	r.Silence(false)
	waitFor(t, 15*time.Second, "the session back", func() bool { return !s.SessionLost() })
	waitImage(t, s, "this broker registered and leading orders-0 again", as(true, 1))
	if now := conn.SessionID(); now != session {
		t.Fatalf("session 0x%x after the silence, want the same 0x%x", now, session)
	}
}
