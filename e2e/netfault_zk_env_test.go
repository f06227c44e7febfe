package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

const (
	// zkFaultRate is the records a second each scenario's load produces.
	zkFaultRate = 100
	// zkFaultPartitions is each scenario topic's partition count: every broker leads
	// some of them.
	zkFaultPartitions = 6
	// zkFaultRefreshes bounds, loosely, how long after the leaders moved a client may
	// still go without an acknowledgement: three of franz-go's metadata refresh
	// intervals (5 s). The cut broker turns its clients away once its session must be
	// presumed expired, when the new leaders are usually elected, and the next refresh
	// finds them (a stall of about 2 s); one that came before the election, or asked
	// the cut broker, which knows no leader, costs another interval.
	zkFaultRefreshes = 15 * time.Second
)

// zkFaultEnv is the cluster the ZooKeeper-mode scenarios share, with the test's own
// ZooKeeper session and admin client in the root namespace (the layout's clients).
type zkFaultEnv struct {
	l   *netfault.Layout
	c   *ZKCluster
	zk  *zkmode.Conn
	adm *kadm.Client
}

// createLoadTopic creates a scenario's topic (RF=3, min.insync.replicas=2) and waits
// until every partition has all three replicas in its ISR.
func (e *zkFaultEnv) createLoadTopic(t *testing.T, topic string) {
	t.Helper()
	minISR := "2"
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := e.adm.CreateTopic(ctx, zkFaultPartitions, 3, map[string]*string{"min.insync.replicas": &minISR}, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	WaitFor(t, 20*time.Second, topic+"'s partitions with three in-sync replicas", func() bool {
		return allStates(e.zk, topic, zkFaultPartitions, func(s znode.PartitionState) bool { return len(s.ISR) == 3 })
	})
}

// startLoad starts the checked load on topic and returns once it moves, with the
// stall measured from then on.
func (e *zkFaultEnv) startLoad(t *testing.T, topic string) *faultWorkload {
	t.Helper()
	w := startFaultWorkload(t, e.c.BrokerAddrs(), topic, zkFaultRate)
	t.Cleanup(func() {
		// Stops the clients if the test ends before finish.
		w.stopProduce()
		w.stopConsume()
	})
	w.WaitAcked(20*time.Second, 2*zkFaultRate, "before the cut")
	w.ResetGaps()
	return w
}

// cut cuts a broker from ZooKeeper, healing every fault when the test ends, and
// returns when it did.
func (e *zkFaultEnv) cut(t *testing.T, id int32) time.Time {
	t.Helper()
	t.Cleanup(func() {
		if err := e.l.HealAll(); err != nil {
			t.Errorf("heal: %v", err)
		}
	})
	if err := e.l.CutFromZooKeeper(brokerMember(int(id))); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// waitLeadersMovedOff waits until every partition of topic is led by another broker
// than id, and id is out of every ISR; it returns when that was seen.
func (e *zkFaultEnv) waitLeadersMovedOff(t *testing.T, topic string, id int32) time.Time {
	t.Helper()
	WaitFor(t, 15*time.Second, "every partition led by another broker, with the cut one out of the ISR", func() bool {
		return allStates(e.zk, topic, zkFaultPartitions, func(s znode.PartitionState) bool {
			return s.Leader >= 0 && s.Leader != id && !slices.Contains(s.ISR, id)
		})
	})
	return time.Now()
}

// checkStall waits until every partition has had a record acknowledged since the
// leaders moved (the longest stall is then over and measured), logs it, and fails the
// test if it passed the loose bound: the time the leaders took to move after the cut,
// which the session timeout and the election make, and zkFaultRefreshes.
func checkStall(t *testing.T, w *faultWorkload, cutAt, movedAt time.Time) {
	t.Helper()
	WaitFor(t, 45*time.Second, "records acknowledged on every partition since the leaders moved", func() bool {
		n, _ := w.partitionsAckedSince(movedAt)
		return n == zkFaultPartitions
	})
	gap, p := w.MaxGap()
	moved := movedAt.Sub(cutAt)
	t.Logf("worst stall across the cut: %v on partition %d; the leaders moved %v after the cut", gap.Round(time.Millisecond), p, moved.Round(time.Millisecond))
	if bound := moved + zkFaultRefreshes; gap > bound {
		t.Errorf("partition %d waited %v for an acknowledgement, more than %v", p, gap, bound.Round(time.Millisecond))
	}
}

// healAndRegister heals every fault, after checking that the cut did drop the
// broker's packets to ZooKeeper (so what the scenario saw came of the cut), and waits
// until the broker registers again with a newer broker epoch than epoch.
func (e *zkFaultEnv) healAndRegister(t *testing.T, id int32, epoch int64) {
	t.Helper()
	if dropped, err := e.l.Dropped(brokerMember(int(id)), zkMember); err != nil || dropped == 0 {
		t.Fatalf("the cut dropped %d packets from broker %d to ZooKeeper (%v)", dropped, id, err)
	}
	if err := e.l.HealAll(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, "the healed broker registered again with a new broker epoch", func() bool {
		ok, now := registration(e.zk, id)
		return ok && now > epoch
	})
}

// finishLoad waits until the healed broker id is back in every ISR of the load's topic
// and the load moves, then asks the checker.
func (e *zkFaultEnv) finishLoad(t *testing.T, w *faultWorkload, id int32) {
	t.Helper()
	WaitFor(t, 30*time.Second, "the healed broker caught up into every ISR", func() bool {
		return allStates(e.zk, w.topic, zkFaultPartitions, func(s znode.PartitionState) bool { return slices.Contains(s.ISR, id) })
	})
	w.WaitAcked(20*time.Second, zkFaultRate, "after the heal")
	t.Logf("%d records acknowledged", w.finish(false))
}
