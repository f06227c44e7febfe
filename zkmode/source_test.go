package zkmode

import (
	"context"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

func startSource(t *testing.T, conn *Conn, clusterID string) *Source {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := StartSource(ctx, conn, SourceOptions{BrokerID: 1, ClusterID: clusterID, ProposedClusterID: "fMCL8kv1SWm87L_Md-I2hg", MetadataVersion: 21})
	if err != nil {
		t.Fatalf("start source: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func waitImage(t *testing.T, s *Source, what string, cond func(*metadata.Image) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond(s.Image()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for the image to show %s", what)
}

// TestSourceFollowsTheTree: a source on an empty chroot creates Kafka's top-level
// paths and /cluster/id, and its image follows topic and partition-state writes made
// by another session, as a Kafka controller makes them, through watches alone.
func TestSourceFollowsTheTree(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	if s.ClusterID() != "fMCL8kv1SWm87L_Md-I2hg" {
		t.Fatalf("cluster id %q, want the proposed one", s.ClusterID())
	}
	if s.Image().MetadataVersion() != 21 {
		t.Fatalf("metadata.version %d, want 21", s.Image().MetadataVersion())
	}
	if _, _, err := conn.Get(context.Background(), "/brokers/ids"); err != nil {
		t.Fatalf("top-level paths missing: %v", err)
	}

	writer := dial(t, srv.Addr()+"/kafka")
	ctx := context.Background()
	id := metadata.RandomUuid()
	if _, err := writer.Create(ctx, znode.TopicPath("orders"), znode.EncodeTopic(znode.TopicZNode{TopicID: id, Partitions: map[int32][]int32{0: {1, 2}}}), 0); err != nil {
		t.Fatal(err)
	}
	// The state znode comes after the image has the topic without it, as the
	// controller writes it: its creation alone must trigger the next load.
	waitImage(t, s, "orders-0 without a leader yet", func(img *metadata.Image) bool {
		tp := img.TopicsByID[id]
		return tp != nil && tp.Partitions[0] != nil && tp.Partitions[0].Leader == metadata.NoLeader
	})
	if _, err := writer.CreateRecursive(ctx, znode.TopicPartitionStatePath("orders", 0), znode.EncodePartitionState(znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2}}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "orders-0 led by 1", func(img *metadata.Image) bool {
		tp := img.TopicsByID[id]
		return tp != nil && tp.Partitions[0] != nil && tp.Partitions[0].Leader == 1
	})
	if _, err := writer.Set(ctx, znode.TopicPartitionStatePath("orders", 0), znode.EncodePartitionState(znode.PartitionState{Leader: 2, LeaderEpoch: 1, ControllerEpoch: 1, ISR: []int32{2}}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "orders-0 led by 2 at partition epoch 1", func(img *metadata.Image) bool {
		p := img.TopicsByID[id].Partitions[0]
		return p.Leader == 2 && p.LeaderEpoch == 1 && p.PartitionEpoch == 1 && len(p.ISR) == 1
	})

	// After the session expires, watches are gone; the source reloads on the new
	// session and keeps following.
	events := conn.SessionEvents()
	srv.ExpireSession(conn.SessionID())
	waitSession(t, events, zk.StateExpired)
	waitSession(t, events, zk.StateHasSession)
	if _, err := writer.Create(ctx, znode.TopicPath("after-expiry"), znode.EncodeTopic(znode.TopicZNode{TopicID: metadata.RandomUuid(), Partitions: map[int32][]int32{0: {1}}}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "a topic created after the session expired", func(img *metadata.Image) bool {
		return img.Topics["after-expiry"] != nil
	})
}

// TestSourceRefusesAnotherCluster: meta.properties naming another cluster than
// /cluster/id stops the broker, as Kafka's InconsistentClusterIdException does.
func TestSourceRefusesAnotherCluster(t *testing.T) {
	srv := zktest.Start(t)
	startSource(t, dial(t, srv.Addr()), "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := StartSource(ctx, dial(t, srv.Addr()), SourceOptions{BrokerID: 2, ClusterID: "AAAAAAAAAAAAAAAAAAAAAA"}); err == nil {
		t.Fatal("a broker of another cluster started")
	}
}
