package kraftmode

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func TestRegistrationStartsFencedUntilCaughtUp(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	incarnation := metadata.RandomUuid()
	epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1, IncarnationID: incarnation})
	if b := c.Image().Brokers[1]; b == nil || !b.Fenced || b.Epoch != epoch {
		t.Fatalf("registered broker = %+v, want fenced at epoch %d", b, epoch)
	}

	reply, err := c.Heartbeat(ctx, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: epoch, CurrentMetadataOffset: epoch - 1})
	if err != nil || reply.IsCaughtUp || !reply.IsFenced || reply.ShouldShutdown {
		t.Fatalf("heartbeat behind its registration = %+v, %v", reply, err)
	}
	if reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: epoch, WantFence: true}); !reply.IsFenced || !reply.IsCaughtUp {
		t.Fatalf("caught-up heartbeat that wants fencing = %+v", reply)
	}
	if !c.Image().Brokers[1].Fenced {
		t.Fatalf("broker unfenced although it wants to be fenced")
	}
	unfenceBroker(t, c, 1, epoch)

	_, err = c.Heartbeat(ctx, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: epoch + 1})
	wantCode(t, "stale epoch", err, kerr.StaleBrokerEpoch)
	_, err = c.Heartbeat(ctx, BrokerHeartbeat{BrokerID: 7, BrokerEpoch: 1})
	wantCode(t, "unregistered broker", err, kerr.StaleBrokerEpoch)

	_, err = c.RegisterBroker(ctx, metadata.BrokerRegistration{BrokerID: 1, IncarnationID: metadata.RandomUuid()})
	wantCode(t, "second process with the same id", err, kerr.DuplicateBrokerRegistration)
	if err == nil || err.Error() != "Another broker is registered with that broker id." {
		t.Errorf("duplicate registration message = %v", err)
	}

	// The same process may register again; it gets a new epoch and starts fenced.
	again := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1, IncarnationID: incarnation})
	if b := c.Image().Brokers[1]; again <= epoch || !b.Fenced || b.Epoch != again {
		t.Fatalf("re-registration: epoch %d (was %d), broker %+v", again, epoch, b)
	}
	unfenceBroker(t, c, 1, again)
	if reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: 1, BrokerEpoch: again, WantFence: true}); !reply.IsFenced {
		t.Fatalf("unfenced broker that wants fencing: %+v", reply)
	}
	if !c.Image().Brokers[1].Fenced {
		t.Fatalf("broker not fenced at its request")
	}
	// A fenced registration has no live session: a new process may take the id over.
	registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1})
}

func TestSessionTimeoutFencesBrokerAndMovesLeadership(t *testing.T) {
	const timeout = 300 * time.Millisecond
	c := startSingleVoter(t, func(o *Options) { o.BrokerSessionTimeout = timeout })
	epochs := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		epochs[id] = registerBroker(t, c, id)
	}
	leader := func() *Controller { return c }
	keepAlive(t, leader, map[int32]int64{2: epochs[2], 3: epochs[3]})
	stopOne := keepAlive(t, leader, map[int32]int64{1: epochs[1]})
	createTopic(t, c, "t", nil, []int32{1, 2, 3}, []int32{2, 3, 1})
	createTopic(t, c, "single", nil, []int32{1})
	createTopic(t, c, "pair", nil, []int32{3, 1})
	wantPartition(t, c, "t", 0, 1, []int32{1, 2, 3}, 0)

	stopOne()
	silent := time.Now()
	waitFor(t, "broker 1 to be fenced", 5*time.Second, func() bool { return c.Image().Brokers[1].Fenced })
	if took := time.Since(silent); took < timeout-100*time.Millisecond {
		t.Errorf("broker fenced %s after its last heartbeat, before its %s session ended", took, timeout)
	}
	wantPartition(t, c, "t", 0, 2, []int32{2, 3}, 1)
	wantPartition(t, c, "t", 1, 2, []int32{2, 3}, 0)
	// The last ISR member stays in the ISR; with no one to take over there is no leader.
	wantPartition(t, c, "single", 0, metadata.NoLeader, []int32{1}, 1)
	wantPartition(t, c, "pair", 0, 3, []int32{3}, 0)
	for _, id := range []int32{2, 3} {
		if c.Image().Brokers[id].Fenced {
			t.Errorf("broker %d was fenced although it kept heartbeating", id)
		}
	}

	// Broker 1 comes back: a new process registers and catches up, and it leads the
	// partition it alone holds again. The others keep their new leaders; 1 rejoins
	// their ISRs when their leaders say it has caught up.
	epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1})
	unfenceBroker(t, c, 1, epoch)
	wantPartition(t, c, "single", 0, 1, []int32{1}, 2)
	wantPartition(t, c, "t", 0, 2, []int32{2, 3}, 1)
}

func TestUnregisterBroker(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	registerBroker(t, c, 1)
	registerBroker(t, c, 2)
	createTopic(t, c, "t", nil, []int32{1, 2})

	wantCode(t, "unknown broker", c.UnregisterBroker(ctx, 9), kerr.BrokerIDNotRegistered)
	if err := c.UnregisterBroker(ctx, 1); err != nil {
		t.Fatalf("unregister: %v", err)
	}
	if _, ok := c.Image().Brokers[1]; ok {
		t.Fatalf("broker 1 still registered")
	}
	wantPartition(t, c, "t", 0, 2, []int32{2}, 1)
}

func TestNewActiveControllerGivesBrokersAFullSession(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	nodes := newTestCluster(t, 3)
	for _, nd := range nodes {
		nd.opts.BrokerSessionTimeout = timeout
		nd.start()
	}
	for _, nd := range nodes {
		nd.waitReady()
	}
	leaderNode := func() *testNode {
		for _, nd := range nodes {
			if nd.c.IsLeader() {
				return nd
			}
		}
		return nil
	}
	old := leaderNode()
	if old == nil {
		t.Fatalf("no active controller")
	}
	epochs := map[int32]int64{1: registerBroker(t, old.c, 1), 2: registerBroker(t, old.c, 2)}
	stop := keepAlive(t, func() *Controller { return old.c }, epochs)
	time.Sleep(200 * time.Millisecond)

	// The brokers fall silent as the active controller dies.
	stop()
	old.stop()
	var next *testNode
	waitFor(t, "a new active controller", 15*time.Second, func() bool {
		next = leaderNode()
		return next != nil && next != old
	})
	active := time.Now()
	// Only broker 1 finds the new controller.
	keepAlive(t, func() *Controller { return next.c }, map[int32]int64{1: epochs[1]})
	for _, id := range []int32{1, 2} {
		if next.c.Image().Brokers[id].Fenced {
			t.Fatalf("broker %d fenced as soon as the new controller took over", id)
		}
	}
	waitFor(t, "broker 2 to be fenced by the new controller", 10*time.Second, func() bool {
		return next.c.Image().Brokers[2].Fenced
	})
	if took := time.Since(active); took < timeout-200*time.Millisecond {
		t.Errorf("new controller fenced broker 2 %s after taking over, before a full %s session", took, timeout)
	}
	if next.c.Image().Brokers[1].Fenced {
		t.Errorf("broker 1 fenced although it heartbeats to the new controller")
	}
}

func TestNextBrokerState(t *testing.T) {
	const registered = 10
	for _, tc := range []struct {
		name string
		cur  brokerState
		in   heartbeatInputs
		want brokerState
	}{
		{"fenced, behind", stateFenced, heartbeatInputs{hb: BrokerHeartbeat{CurrentMetadataOffset: 9}}, stateFenced},
		{"fenced, caught up", stateFenced, heartbeatInputs{hb: BrokerHeartbeat{CurrentMetadataOffset: 10}}, stateUnfenced},
		{"fenced, wants fence", stateFenced, heartbeatInputs{hb: BrokerHeartbeat{CurrentMetadataOffset: 10, WantFence: true}}, stateFenced},
		{"fenced, wants shutdown", stateFenced, heartbeatInputs{hb: BrokerHeartbeat{WantShutdown: true}}, stateShutdownNow},
		{"unfenced", stateUnfenced, heartbeatInputs{}, stateUnfenced},
		{"unfenced, wants fence", stateUnfenced, heartbeatInputs{hb: BrokerHeartbeat{WantFence: true}}, stateFenced},
		{"unfenced, wants fence and shutdown", stateUnfenced, heartbeatInputs{hb: BrokerHeartbeat{WantFence: true, WantShutdown: true}}, stateShutdownNow},
		{"unfenced leader wants shutdown", stateUnfenced, heartbeatInputs{hb: BrokerHeartbeat{WantShutdown: true}, hasLeaderships: true}, stateControlledShutdown},
		{"unfenced follower wants shutdown", stateUnfenced, heartbeatInputs{hb: BrokerHeartbeat{WantShutdown: true}}, stateShutdownNow},
		{"shutting down, still leads", stateControlledShutdown, heartbeatInputs{hasLeaderships: true, shutdownOffset: 5, lowestActive: 20}, stateControlledShutdown},
		{"shutting down, others behind", stateControlledShutdown, heartbeatInputs{shutdownOffset: 21, lowestActive: 20}, stateControlledShutdown},
		{"shutting down, others caught up", stateControlledShutdown, heartbeatInputs{shutdownOffset: 20, lowestActive: 20}, stateShutdownNow},
	} {
		tc.in.registerOffset = registered
		if got := nextBrokerState(tc.cur, tc.in); got != tc.want {
			t.Errorf("%s: next state %d, want %d", tc.name, got, tc.want)
		}
	}
}
