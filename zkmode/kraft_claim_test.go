package zkmode

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// readControllerZNode reads /controller and its stat.
func readControllerZNode(t *testing.T, c *Conn) (znode.ControllerZNode, *zk.Stat) {
	t.Helper()
	data, stat, err := c.Get(context.Background(), znode.ControllerPath)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := znode.DecodeController(data)
	if err != nil {
		t.Fatal(err)
	}
	return holder, stat
}

func TestClaimControllerForKRaft(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("FencesTheZooKeeperController", func(t *testing.T) {
		connect := srv.Addr() + "/fence"
		brokers := startElectors(t, connect, 1, 2)
		zkController := waitController(t, 20*time.Second, brokers, 1)
		stale := zkController.rec.current()

		kraft := dial(t, connect)
		w, err := ClaimControllerForKRaft(ctx, kraft, 3000, 7)
		if err != nil {
			t.Fatal(err)
		}
		if w.Epoch() != 2 {
			t.Fatalf("claimed controller epoch %d, want 2 (the ZooKeeper controller's 1, bumped)", w.Epoch())
		}
		holder, stat := readControllerZNode(t, kraft)
		if holder.BrokerID != 3000 || holder.KRaftControllerEpoch != 7 || stat.EphemeralOwner != 0 {
			t.Fatalf("/controller = %+v, ephemeral owner %#x; want KRaft controller 3000, epoch 7, persistent", holder, stat.EphemeralOwner)
		}

		// The ZooKeeper controller resigns, and no broker is elected in its place.
		waitFor(t, failoverWithin, "the ZooKeeper controller resigns", func() bool {
			active, _ := controllers(brokers)
			return len(active) == 0
		})
		if err := probeWrite(ctx, stale, "stale"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write of the fenced ZooKeeper controller: %v, want ErrControllerMoved", err)
		}
		if err := probeWrite(ctx, w, "kraft"); err != nil {
			t.Fatalf("write of the KRaft controller's term: %v", err)
		}
		// Even the broker that held /controller, stopping, leaves it to the KRaft controller.
		zkController.stop()
		time.Sleep(200 * time.Millisecond)
		if active, _ := controllers(brokers); len(active) != 0 {
			t.Fatalf("broker %d was elected while the KRaft controller holds /controller", active[0].id)
		}
		if holder, _ := readControllerZNode(t, kraft); holder.BrokerID != 3000 {
			t.Fatalf("/controller moved to %d", holder.BrokerID)
		}
	})

	t.Run("StaleKRaftLeaderFails", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/stale")
		mustCreate(t, c, znode.ControllerEpochPath, "4", zk.FlagPersistent)
		first, err := ClaimControllerForKRaft(ctx, c, 3000, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, claim := range []struct{ node, epoch int32 }{{3001, 4}, {3001, 5}} {
			_, err := ClaimControllerForKRaft(ctx, c, claim.node, claim.epoch)
			if !errors.Is(err, ErrControllerMoved) {
				t.Fatalf("claim of node %d in epoch %d over node 3000 in epoch 5: %v, want ErrControllerMoved", claim.node, claim.epoch, err)
			}
		}
		if got := mustGet(t, c, znode.ControllerEpochPath); got != "5" {
			t.Fatalf("/controller_epoch = %s after refused claims, want 5", got)
		}

		// The leader itself claims again in its own epoch (a claim whose answer it
		// lost): the epoch moves on, and so do the term's writes.
		again, err := ClaimControllerForKRaft(ctx, c, 3000, 5)
		if err != nil {
			t.Fatalf("re-claim in the same epoch: %v", err)
		}
		if again.Epoch() != first.Epoch()+1 || again.EpochZkVersion() == first.EpochZkVersion() {
			t.Fatalf("re-claim gave epoch %d zkVersion %d after %d zkVersion %d", again.Epoch(), again.EpochZkVersion(), first.Epoch(), first.EpochZkVersion())
		}
		if err := probeWrite(ctx, first, "first"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write of the superseded claim: %v, want ErrControllerMoved", err)
		}

		// A later Raft leader takes over.
		next, err := ClaimControllerForKRaft(ctx, c, 3001, 6)
		if err != nil {
			t.Fatal(err)
		}
		if holder, _ := readControllerZNode(t, c); holder.BrokerID != 3001 || holder.KRaftControllerEpoch != 6 {
			t.Fatalf("/controller = %+v, want node 3001 in epoch 6", holder)
		}
		if err := probeWrite(ctx, again, "again"); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write of the previous KRaft leader: %v, want ErrControllerMoved", err)
		}
		if err := probeWrite(ctx, next, "next"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("NeedsAZooKeeperCluster", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/empty")
		if _, err := ClaimControllerForKRaft(ctx, c, 3000, 1); !errors.Is(err, zk.ErrNoNode) {
			t.Fatalf("claim without /controller_epoch: %v, want zk.ErrNoNode", err)
		}
		mustExist(t, c, znode.ControllerPath, false)
	})
}
