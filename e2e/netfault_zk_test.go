package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestNetworkPartitionsZooKeeper is issue 16's ZooKeeper-mode scenarios, on one
// three-broker cluster whose nodes and ZooKeeper each sit in a network namespace, each
// under the checked load (an idempotent acks=all producer and a consumer group, RF=3,
// min.insync.replicas=2): a broker cut from ZooKeeper but not from its peers or
// clients, and the controller broker cut from ZooKeeper. These are the partial
// failures a process kill never makes: the cut node runs on, reachable, with a view of
// the cluster that its session's expiry has made stale, and it must stop acting on
// that view by itself. One cluster serves both, so that make test pays for one start.
func TestNetworkPartitionsZooKeeper(t *testing.T) {
	faultTestParallel(t)
	began := time.Now()
	l := zkLayout(t, 3, 0)
	c := StartZKClusterIn(t, l, 3)
	e := &zkFaultEnv{l: l, c: c, zk: c.ZooKeeper(), adm: kadm.NewClient(c.Client())}
	t.Run("BrokerCutFromZooKeeper", e.brokerCutFromZooKeeper)
	t.Run("ControllerCutFromZooKeeper", e.controllerCutFromZooKeeper)
	t.Logf("both scenarios took %v", time.Since(began).Round(time.Millisecond))
}

// brokerCutFromZooKeeper: a broker that leads partitions, not the controller, is cut
// from ZooKeeper but not from its peers or the clients. Its session expires; the
// controller elects other leaders and shrinks the ISRs. The cut broker, reachable and
// with a view of the cluster that no longer changes, must stop leading on its own:
// every partition it led answers NOT_LEADER_OR_FOLLOWER, even to acks=1, rather than
// take writes the new leaders never see, and the clients move to the new leaders.
// Healed, it registers again with a new broker epoch and catches up into every ISR;
// the checker then finds every acknowledged record exactly once and in order, and no
// produce call failed.
func (e *zkFaultEnv) brokerCutFromZooKeeper(t *testing.T) {
	const topic = "zk-cut-broker"
	e.createLoadTopic(t, topic)
	controller, _ := controllerZNode(e.zk)
	var victim int32 = -1
	var led []int32
	for id := int32(1); id <= 3 && victim < 0; id++ {
		if id != controller {
			if led = ledBy(t, e.zk, topic, id); len(led) > 0 {
				victim = id
			}
		}
	}
	if victim < 0 {
		t.Fatalf("no broker but the controller %d leads a partition of %s", controller, topic)
	}
	_, epoch := registration(e.zk, victim)
	addr := e.c.Broker(victim).BrokerAddr
	t.Logf("cutting broker %d (leader of %s %v) from ZooKeeper; controller %d", victim, topic, led, controller)

	w := e.startLoad(t, topic)
	cutAt := e.cut(t, victim)
	WaitFor(t, 20*time.Second, "the cut broker's registration gone with its session", func() bool {
		ok, _ := registration(e.zk, victim)
		return !ok
	})
	t.Logf("session of broker %d expired %v after the cut", victim, time.Since(cutAt).Round(time.Millisecond))
	movedAt := e.waitLeadersMovedOff(t, topic, victim)
	// The cut broker still runs, still reachable, and never heard of any of this: it
	// must have stopped leading by itself. acks=1 would be acknowledged at once by a
	// broker that still thinks it leads.
	for _, p := range led {
		WaitFor(t, 10*time.Second, fmt.Sprintf("the cut broker refusing writes to %s-%d, which it led", topic, p), func() bool {
			code, err := rawProduce(addr, topic, p, "probe-of-the-cut-broker")
			return err == nil && code == kerr.NotLeaderForPartition.Code
		})
	}
	checkStall(t, w, cutAt, movedAt)

	e.healAndRegister(t, victim, epoch)
	e.finishLoad(t, w, victim)
}

// controllerCutFromZooKeeper: the controller broker, which also leads partitions, is
// cut from ZooKeeper but not from its peers or the clients. Its session expires,
// another broker wins /controller with a higher epoch, moves the cut broker's
// leaderships, shrinks its ISRs, and gives leaders to the partitions of a topic created
// through it during the cut. The old controller never hears of this while cut, and
// must stop acting as controller on its own: it resigns, names no controller, and
// answers NOT_CONTROLLER when asked for an election, rather than take up
// decisions of a term that is over. (Whatever it might still write carries its term's
// /controller_epoch zkVersion, which the new controller's election bumped; see
// TestZKControllerFailoverAndFencing for that check.) After the heal every broker
// names the one controller, the epoch stays, the old controller rejoins every ISR,
// and the checker passes.
func (e *zkFaultEnv) controllerCutFromZooKeeper(t *testing.T) {
	const topic = "zk-cut-controller"
	e.createLoadTopic(t, topic)
	old, _ := controllerZNode(e.zk)
	oldEpoch, _ := controllerEpoch(t, e.zk)
	_, oldReg := registration(e.zk, old)
	resigned := logCount(e.c.Broker(old), "resigning as controller")
	oldAddr := e.c.Broker(old).BrokerAddr
	t.Logf("cutting controller %d (epoch %d, leader of %s %v) from ZooKeeper", old, oldEpoch, topic, ledBy(t, e.zk, topic, old))

	w := e.startLoad(t, topic)
	cutAt := e.cut(t, old)
	var next int32
	WaitFor(t, 20*time.Second, "another broker to win /controller", func() bool {
		next, _ = controllerZNode(e.zk)
		return next > 0 && next != old
	})
	newEpoch, _ := controllerEpoch(t, e.zk)
	if newEpoch <= oldEpoch {
		t.Fatalf("controller epoch %d after the election, want more than %d", newEpoch, oldEpoch)
	}
	t.Logf("broker %d controller at epoch %d, %v after the cut", next, newEpoch, time.Since(cutAt).Round(time.Millisecond))
	movedAt := e.waitLeadersMovedOff(t, topic, old)

	// The old controller, still cut, must have stopped acting as one by itself.
	WaitFor(t, 15*time.Second, "the cut controller answering NOT_CONTROLLER to an election", func() bool {
		code, err := electPreferredAt(oldAddr, topic, 0, time.Second)
		return err == nil && code == kerr.NotController.Code
	})
	WaitFor(t, 10*time.Second, "the cut controller naming no controller", func() bool {
		named, err := describedController(oldAddr)
		return err == nil && named == -1
	})
	if logCount(e.c.Broker(old), "resigning as controller") <= resigned {
		t.Fatalf("broker %d answers NOT_CONTROLLER but never logged its resignation", old)
	}

	// Decisions go on through the new controller: a topic created through it gets its
	// partitions' leaders from its term.
	const created = "zk-created-during-cut"
	if err := createTopicAt(e.c.Broker(next).BrokerAddr, created, 3, 2); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 15*time.Second, created+"'s partitions led, by the new controller's term", func() bool {
		return allStates(e.zk, created, 3, func(s znode.PartitionState) bool {
			return s.Leader >= 0 && s.Leader != old && s.ControllerEpoch == newEpoch
		})
	})
	checkStall(t, w, cutAt, movedAt)

	e.healAndRegister(t, old, oldReg)
	WaitFor(t, 15*time.Second, "every broker naming the new controller", func() bool {
		for _, n := range e.c.Brokers {
			if _, named := e.c.metadata(n.BrokerAddr); named != next {
				return false
			}
		}
		return true
	})
	if now, _ := controllerZNode(e.zk); now != next {
		t.Fatalf("/controller is broker %d's after the heal, want %d's", now, next)
	}
	if now, _ := controllerEpoch(t, e.zk); now != newEpoch {
		t.Fatalf("controller epoch %d after the heal, want still %d", now, newEpoch)
	}
	e.finishLoad(t, w, old)
}
