package e2e

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// controllerEpoch reads /controller_epoch's value and zkVersion.
func controllerEpoch(t *testing.T, conn *zkmode.Conn) (int32, int32) {
	t.Helper()
	data, stat, err := conn.Get(context.Background(), znode.ControllerEpochPath)
	if err != nil {
		t.Fatalf("get %s: %v", znode.ControllerEpochPath, err)
	}
	epoch, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatalf("%s holds %q", znode.ControllerEpochPath, data)
	}
	return int32(epoch), stat.Version
}

// partitionState reads one partition's state znode.
func partitionState(t *testing.T, conn *zkmode.Conn, topic string, p int32) (znode.PartitionState, *zk.Stat) {
	t.Helper()
	data, stat, err := conn.Get(context.Background(), znode.TopicPartitionStatePath(topic, p))
	if err != nil {
		t.Fatalf("get the state of %s-%d: %v", topic, p, err)
	}
	s, err := znode.DecodePartitionState(data)
	if err != nil {
		t.Fatalf("decode the state of %s-%d: %v", topic, p, err)
	}
	return s, stat
}

// TestZKControllerFailoverAndFencing is issue 5's second acceptance: the controller
// broker is killed and another wins /controller with a higher epoch and elects new
// leaders; a write fenced on the old epoch is refused by ZooKeeper; and a controller
// frozen past its session resigns when it wakes up instead of acting on its old term.
func TestZKControllerFailoverAndFencing(t *testing.T) {
	c := StartZKCluster(t, 3)
	conn := c.ZooKeeper()
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()
	if resp, err := adm.CreateTopic(ctx, 3, 3, nil, "fenced"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	WaitFor(t, 10*time.Second, "fenced's partition states", func() bool {
		return zkExists(t, conn, znode.TopicPartitionStatePath("fenced", 2))
	})

	first := c.ControllerID(conn)
	oldEpoch, oldZkVersion := controllerEpoch(t, conn)
	c.Broker(first).Kill()
	var second int32
	WaitFor(t, 20*time.Second, "another broker to win /controller", func() bool {
		second = c.ControllerID(conn)
		return second > 0 && second != first
	})
	newEpoch, _ := controllerEpoch(t, conn)
	if newEpoch <= oldEpoch {
		t.Fatalf("controller epoch %d after failover, want more than %d", newEpoch, oldEpoch)
	}
	WaitFor(t, 15*time.Second, "no partition led by the killed controller, which is out of every ISR", func() bool {
		for p := range int32(3) {
			s, _ := partitionState(t, conn, "fenced", p)
			if s.Leader == first || s.Leader < 0 || slices.Contains(s.ISR, first) {
				return false
			}
		}
		return true
	})
	for p := range int32(3) {
		if s, _ := partitionState(t, conn, "fenced", p); s.ControllerEpoch > newEpoch {
			t.Errorf("fenced-%d written by controller epoch %d, newer than /controller_epoch %d", p, s.ControllerEpoch, newEpoch)
		}
	}

	// The old controller's term is fenced: a write checked against its epoch's
	// zkVersion is refused, and changes nothing.
	before, beforeStat := partitionState(t, conn, "fenced", 0)
	stale := zkmode.NewFencedWriter(conn, oldEpoch, oldZkVersion)
	forged := before
	forged.Leader, forged.ControllerEpoch, forged.LeaderEpoch = first, oldEpoch, before.LeaderEpoch+1
	_, err := stale.Multi(ctx, &zk.SetDataRequest{
		Path: znode.TopicPartitionStatePath("fenced", 0), Data: znode.EncodePartitionState(forged), Version: beforeStat.Version,
	})
	if !errors.Is(err, zkmode.ErrControllerMoved) {
		t.Fatalf("write fenced on epoch %d: %v, want ErrControllerMoved", oldEpoch, err)
	}
	if after, afterStat := partitionState(t, conn, "fenced", 0); afterStat.Version != beforeStat.Version || after.Leader != before.Leader {
		t.Fatalf("a fenced write changed fenced-0: %+v -> %+v", before, after)
	}

	// The killed controller comes back as an ordinary broker and rejoins every ISR.
	c.Broker(first).Start()
	WaitFor(t, 30*time.Second, "the restarted broker back in every ISR", func() bool {
		for p := range int32(3) {
			if s, _ := partitionState(t, conn, "fenced", p); len(s.ISR) != 3 {
				return false
			}
		}
		return true
	})
	if got := c.ControllerID(conn); got != second {
		t.Fatalf("controller is %d after broker %d restarted, want still %d", got, first, second)
	}

	// A controller frozen past its session timeout (SIGSTOP) loses /controller; when
	// it wakes it resigns instead of acting on its old term.
	c.Broker(second).Pause()
	var third int32
	WaitFor(t, 20*time.Second, "a third controller while the second is frozen", func() bool {
		third = c.ControllerID(conn)
		return third > 0 && third != second
	})
	thirdEpoch, _ := controllerEpoch(t, conn)
	c.Broker(second).Resume()
	WaitFor(t, 15*time.Second, "the frozen controller to resign when it wakes", func() bool {
		return strings.Count(c.Broker(second).Log(), "resigning as controller") >= 1
	})
	if got := c.ControllerID(conn); got != third {
		t.Fatalf("controller is %d after the frozen one woke, want %d", got, third)
	}
	if got, _ := controllerEpoch(t, conn); got != thirdEpoch {
		t.Fatalf("controller epoch moved from %d to %d when the frozen controller woke", thirdEpoch, got)
	}
	WaitFor(t, 30*time.Second, "the woken broker back in every ISR", func() bool {
		for p := range int32(3) {
			if s, _ := partitionState(t, conn, "fenced", p); len(s.ISR) != 3 || s.ControllerEpoch > thirdEpoch {
				return false
			}
		}
		return true
	})
}
