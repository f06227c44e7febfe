package zkmode

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestControllerNotController: a broker that is not the controller answers
// ElectLeaders with NOT_CONTROLLER, so that the client asks /controller's broker.
func TestControllerNotController(t *testing.T) {
	srv := zktest.Start(t)
	connect := srv.Addr() + "/notcontroller"
	startControllerBroker(t, connect, 1, ControllerOptions{})
	b2 := startTestBroker(t, connect, 2)
	ctrl := NewController(b2.src, ControllerOptions{BrokerID: 2, Logger: testLogger(t)})
	t.Cleanup(ctrl.Close)
	if ctrl.Active() {
		t.Fatal("a controller without a term is active")
	}
	_, err := ctrl.ElectLeaders(context.Background(), false, nil)
	if !errors.Is(err, kerr.NotController) {
		t.Fatalf("ElectLeaders on broker 2: %v, want NOT_CONTROLLER", err)
	}
}

// TestControllerFenced: once another election has bumped /controller_epoch, the
// controller's writes are refused: the change it tries to make does not appear, and
// its term ends without waiting for the elector. The term of the new epoch makes it.
func TestControllerFenced(t *testing.T) {
	srv := zktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	connect := srv.Addr() + "/fenced"
	b1 := startTestBroker(t, connect, 1)
	b2 := startTestBroker(t, connect, 2)
	waitBrokers(t, b1.src, 1, 2)
	// No elector: the test hands out the terms, and another session plays the
	// election that fences the first.
	ctrl := NewController(b1.src, ControllerOptions{BrokerID: 1, Logger: testLogger(t)})
	t.Cleanup(ctrl.Close)
	mustCreate(t, b1.conn, znode.ControllerEpochPath, "1", zk.FlagPersistent)
	ctrl.OnBecomeController(NewFencedWriter(b1.conn, 1, 0))
	createTopic(t, b1.src, "orders", map[int32][]int32{0: {2, 1}})
	waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2, 1}})

	other := dial(t, connect)
	if _, err := other.Set(ctx, znode.ControllerEpochPath, znode.EncodeControllerEpoch(2), 0); err != nil {
		t.Fatal(err)
	}
	b2.stop()
	waitBrokers(t, b1.src, 1)
	waitFor(t, controllerWithin, "the fenced controller's term ends", func() bool { return !ctrl.Active() })
	if s, v, _ := readState(t, b1.conn, "orders", 0); v != 0 || s.Leader != 2 || s.LeaderEpoch != 0 {
		t.Fatalf("the fenced controller changed orders-0: %+v at zkVersion %d", s, v)
	}
	if _, err := ctrl.ElectLeaders(ctx, false, nil); !errors.Is(err, kerr.NotController) {
		t.Fatalf("ElectLeaders on the fenced controller: %v, want NOT_CONTROLLER", err)
	}

	ctrl.OnResign()
	ctrl.OnBecomeController(NewFencedWriter(b1.conn, 2, 1))
	waitState(t, b1.conn, "orders", 0, znode.PartitionState{Leader: 1, LeaderEpoch: 1, ControllerEpoch: 2, ISR: []int32{1}})
}
