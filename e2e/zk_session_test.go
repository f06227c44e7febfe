package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// produceAcked produces n values with acks=all through cl and returns them.
func produceAcked(t *testing.T, cl *kgo.Client, topic, prefix string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []string
	for i := range n {
		v := fmt.Sprintf("%s-%04d", prefix, i)
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce %s: %v", v, err)
		}
		out = append(out, v)
	}
	return out
}

// TestZKSessionExpiryAndZooKeeperRestart is issue 5's fourth acceptance: the brokers
// ride out a ZooKeeper restart and keep serving; a partition leader whose session is
// expired on purpose loses its leadership, refuses writes from then on rather than
// act as a stale leader, registers again with a new broker epoch and rejoins the ISR;
// and every acknowledged record is read back.
func TestZKSessionExpiryAndZooKeeperRestart(t *testing.T) {
	c := StartZKCluster(t, 3)
	conn := c.ZooKeeper()
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &minISR}, "survive"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	WaitFor(t, 15*time.Second, "survive-0 with 3 in-sync replicas", func() bool {
		pd, err := describePartition(adm, "survive", 0)
		return err == nil && len(pd.ISR) == 3
	})
	producer := c.Client(kgo.ProducerLinger(0))
	acked := produceAcked(t, producer, "survive", "before", 100)

	// ZooKeeper restarts on the same port and data; the sessions outlive it.
	c.ZK.Restart()
	acked = append(acked, produceAcked(t, producer, "survive", "after-zk-restart", 100)...)
	WaitFor(t, 20*time.Second, "every broker registered and a controller after the restart", func() bool {
		ids, controller := c.metadata(c.Brokers[0].BrokerAddr)
		return len(ids) == 3 && controller > 0
	})

	// The leader's session is expired from outside, as a long GC pause or a network
	// partition from ZooKeeper would end it.
	state, _ := partitionState(t, conn, "survive", 0)
	leader := state.Leader
	_, regStat, err := conn.Get(ctx, znode.BrokerPath(leader))
	if err != nil {
		t.Fatalf("get %s: %v", znode.BrokerPath(leader), err)
	}
	c.ZK.ExpireSession(regStat.EphemeralOwner)
	WaitFor(t, 20*time.Second, "a new leader of survive-0 from the ISR", func() bool {
		s, _ := partitionState(t, conn, "survive", 0)
		return s.Leader >= 0 && s.Leader != leader
	})
	// From now on the old leader must refuse writes to survive-0.
	WaitFor(t, 10*time.Second, "the old leader to answer NOT_LEADER_OR_FOLLOWER", func() bool {
		code, err := rawProduce(c.Broker(leader).BrokerAddr, "survive", 0, "stale")
		return err == nil && code == kerr.NotLeaderForPartition.Code
	})
	for range 20 {
		code, err := rawProduce(c.Broker(leader).BrokerAddr, "survive", 0, "stale")
		if err == nil && code == 0 {
			t.Fatalf("broker %d accepted a write to survive-0 after losing its leadership", leader)
		}
	}

	// It registers again with a new epoch (czxid) and rejoins the ISR.
	WaitFor(t, 20*time.Second, "the expired broker registered again", func() bool {
		ok, stat, err := conn.Exists(ctx, znode.BrokerPath(leader))
		return err == nil && ok && stat.Czxid > regStat.Czxid
	})
	WaitFor(t, 30*time.Second, "the expired broker back in the ISR", func() bool {
		s, _ := partitionState(t, conn, "survive", 0)
		return slices.Contains(s.ISR, leader) && len(s.ISR) == 3
	})
	acked = append(acked, produceAcked(t, producer, "survive", "after-expiry", 100)...)

	cl := c.Client(kgo.ConsumeTopics("survive"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := readValues(cl, len(acked))
	checkAcked(t, acked, got)
	if len(got) != len(acked) {
		t.Fatalf("read %d records, produced %d: a stale leader's write got in", len(got), len(acked))
	}
}
