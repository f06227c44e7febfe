package zkmode

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

func testRegistration() metadata.BrokerRegistration {
	return metadata.BrokerRegistration{
		BrokerID:  1,
		Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9092}},
		Features:  []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: 21}},
		Rack:      "r1",
	}
}

// TestSourceRegistersAndReregisters: the registration appears in the image with the
// czxid as broker epoch; after the session expires the source registers again, with
// a higher epoch; a second broker with the same id waits until the first is gone.
func TestSourceRegistersAndReregisters(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	epoch, err := s.RegisterBroker(ctx, testRegistration())
	if err != nil {
		t.Fatal(err)
	}
	_, stat, err := conn.Get(ctx, znode.BrokerPath(1))
	if err != nil || stat.Czxid != epoch || stat.EphemeralOwner != conn.SessionID() {
		t.Fatalf("registration znode %+v (err %v), epoch %d", stat, err, epoch)
	}
	waitImage(t, s, "broker 1 registered with its epoch", func(img *metadata.Image) bool {
		b := img.Brokers[1]
		return b != nil && b.Epoch == epoch && b.Rack == "r1" && !b.Fenced
	})

	events := conn.SessionEvents()
	srv.ExpireSession(conn.SessionID())
	waitSession(t, events, zk.StateExpired)
	waitSession(t, events, zk.StateHasSession)
	waitImage(t, s, "broker 1 registered again with a higher epoch", func(img *metadata.Image) bool {
		b := img.Brokers[1]
		return b != nil && b.Epoch > epoch && s.Epoch() == b.Epoch
	})

	other := dial(t, srv.Addr())
	s2 := startSource(t, other, "")
	done := make(chan error, 1)
	go func() {
		_, err := s2.RegisterBroker(ctx, testRegistration())
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a second broker 1 registered while the first is alive (err %v)", err)
	case <-time.After(time.Second):
	}
	s.Close()
	conn.Close()
	if err := <-done; err != nil {
		t.Fatalf("second broker 1 after the first left: %v", err)
	}
}

// TestSourceSuspendsLeadershipOnExpiry: when the session expires, the image stops
// naming this broker as any partition's leader until the new session's tree is
// loaded, so the broker cannot accept writes as a stale leader; the reload then
// restores what ZooKeeper says.
func TestSourceSuspendsLeadershipOnExpiry(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr())
	s := startSource(t, conn, "")
	var seen []int32
	var mu sync.Mutex
	s.Subscribe(func(img *metadata.Image) {
		if tp := img.Topics["orders"]; tp != nil && tp.Partitions[0] != nil {
			mu.Lock()
			seen = append(seen, tp.Partitions[0].Leader)
			mu.Unlock()
		}
	})
	writer := dial(t, srv.Addr())
	ctx := context.Background()
	if _, err := writer.Create(ctx, znode.TopicPath("orders"), znode.EncodeTopic(znode.TopicZNode{TopicID: metadata.RandomUuid(), Partitions: map[int32][]int32{0: {1}}}), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.CreateRecursive(ctx, znode.TopicPartitionStatePath("orders", 0), znode.EncodePartitionState(znode.PartitionState{Leader: 1, ISR: []int32{1}}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "orders-0 led by 1", func(img *metadata.Image) bool {
		tp := img.Topics["orders"]
		return tp != nil && tp.Partitions[0] != nil && tp.Partitions[0].Leader == 1
	})
	events := conn.SessionEvents()
	srv.ExpireSession(conn.SessionID())
	waitSession(t, events, zk.StateHasSession)
	waitSession(t, events, zk.StateHasSession)
	waitImage(t, s, "orders-0 led by 1 again after the reload", func(img *metadata.Image) bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0 && seen[len(seen)-1] == 1 && slices.Contains(seen, metadata.NoLeader)
	})
}
