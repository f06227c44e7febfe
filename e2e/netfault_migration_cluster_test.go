package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// The migration scenarios' cluster: 1,000 partitions at RF=3, of which the load topic's
// take the 2,000 records/s and filler topics make up the rest, as a cluster being
// migrated holds far more partitions than any one client writes.
const (
	nfLoadTopic        = "nf-load"
	nfLoadPartitions   = 50
	nfFillerTopics     = 19
	nfFillerPartitions = 50
	nfRate             = 2000
)

// nfMigration is a migration cluster whose ZooKeeper, brokers and controllers each sit
// in a member of a netfault layout, under the scenarios' checked load.
type nfMigration struct {
	l  *netfault.Layout
	m  *MigrationCluster
	w  *faultWorkload
	zk *zkmode.Conn
	// started is when the cluster began starting.
	started time.Time
}

// startNetfaultMigration starts ZooKeeper and brokers 1-3 in a layout, creates the
// 1,000 partitions, starts the migration controllers, with controllerEnv (test hooks)
// added to their environment, and, once every broker is registered with them (READY),
// the load. Every fault is healed at the end, before the cluster stops.
func startNetfaultMigration(t *testing.T, controllerEnv ...string) *nfMigration {
	t.Helper()
	started := time.Now()
	l := zkLayout(t, 3, 3)
	m := StartMigrationClusterIn(t, l, 3, 3)
	t.Cleanup(func() {
		if err := l.HealAll(); err != nil {
			t.Errorf("heal every fault: %v", err)
		}
	})
	nf := &nfMigration{l: l, m: m, zk: m.ZooKeeper(), started: started}
	adm := kadm.NewClient(m.Client())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, nfLoadPartitions, 3, map[string]*string{"min.insync.replicas": &minISR}, nfLoadTopic); err != nil || resp.Err != nil {
		t.Fatalf("create %s: %v %v", nfLoadTopic, err, resp.Err)
	}
	fillers := make([]string, nfFillerTopics)
	for i := range fillers {
		fillers[i] = fmt.Sprintf("nf-filler-%02d", i)
	}
	if resp, err := adm.CreateTopics(ctx, nfFillerPartitions, 3, nil, fillers...); err != nil || resp.Error() != nil {
		t.Fatalf("create the filler topics: %v %v", err, resp.Error())
	}
	for _, n := range m.Controllers {
		withEnv(n, controllerEnv...)
	}
	m.StartControllers()
	m.WaitPhase(60*time.Second, migrate.PhasePreMigration, "READY")
	nf.w = startFaultWorkload(t, m.BrokerAddrs(), nfLoadTopic, nfRate)
	nf.w.WaitAcked(30*time.Second, nfRate, "before the migration")
	return nf
}

// stepTimes records how long each step of a scenario took, for its log line: a slow
// step tells itself apart from a slow machine.
type stepTimes struct {
	began, last time.Time
	steps       []string
}

func startSteps() *stepTimes {
	now := time.Now()
	return &stepTimes{began: now, last: now}
}

// done records that the step named what has ended.
func (s *stepTimes) done(what string) {
	now := time.Now()
	s.steps = append(s.steps, fmt.Sprintf("%s %v", what, now.Sub(s.last).Round(time.Millisecond)))
	s.last = now
}

func (s *stepTimes) String() string {
	return fmt.Sprintf("%v: %s", time.Since(s.began).Round(time.Millisecond), strings.Join(s.steps, ", "))
}

// withEnv adds variables to the environment a node's process starts with: a test hook
// for one node, which a parallel test cannot set for all with t.Setenv.
func withEnv(n *Node, env ...string) {
	if len(env) == 0 {
		return
	}
	wrap := n.wrap
	n.wrap = func(cmd *exec.Cmd) error {
		cmd.Env = append(os.Environ(), env...)
		if wrap != nil {
			return wrap(cmd)
		}
		return nil
	}
}

// brokerLeads asks the broker at addr itself, with no client cache, which partitions
// of the load topic it names as led by broker id; an error when it does not answer.
func brokerLeads(addr string, id int32) ([]int32, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := kwire.Dial(ctx, addr, "e2e")
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	req := kmsg.NewPtrMetadataRequest()
	topic := kmsg.NewMetadataRequestTopic()
	topic.Topic = kmsg.StringPtr(nfLoadTopic)
	req.Topics = []kmsg.MetadataRequestTopic{topic}
	resp, err := conn.Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", addr, err)
	}
	var led []int32
	for _, t := range resp.(*kmsg.MetadataResponse).Topics {
		if t.ErrorCode != 0 {
			return nil, fmt.Errorf("metadata from %s: topic %s: error %d", addr, nfLoadTopic, t.ErrorCode)
		}
		for _, p := range t.Partitions {
			if p.Leader == id {
				led = append(led, p.Partition)
			}
		}
	}
	slices.Sort(led)
	return led, nil
}

// zkPartitionState reads the load topic's partition states from ZooKeeper's state
// znodes, through the test's own session: what ZooKeeper's side of the cluster follows.
func (nf *nfMigration) zkPartitionState(t *testing.T) []znode.PartitionState {
	t.Helper()
	out := make([]znode.PartitionState, nfLoadPartitions)
	for p := range int32(nfLoadPartitions) {
		data, _, err := nf.zk.Get(context.Background(), znode.TopicPartitionStatePath(nfLoadTopic, p))
		if err != nil {
			t.Fatalf("read the state of %s-%d: %v", nfLoadTopic, p, err)
		}
		if out[p], err = znode.DecodePartitionState(data); err != nil {
			t.Fatalf("decode the state of %s-%d: %v", nfLoadTopic, p, err)
		}
	}
	return out
}

// zkLedBy lists the load topic's partitions ZooKeeper's state znodes give to broker id.
func (nf *nfMigration) zkLedBy(t *testing.T, id int32) []int32 {
	t.Helper()
	var led []int32
	for p, st := range nf.zkPartitionState(t) {
		if st.Leader == id {
			led = append(led, int32(p))
		}
	}
	return led
}

// zkController reads /controller: a ZooKeeper broker, or a KRaft controller and its
// epoch during the migration.
func (nf *nfMigration) zkController(t *testing.T) znode.ControllerZNode {
	t.Helper()
	data, _, err := nf.zk.Get(context.Background(), znode.ControllerPath)
	if err != nil {
		t.Fatalf("read %s: %v", znode.ControllerPath, err)
	}
	c, err := znode.DecodeController(data)
	if err != nil {
		t.Fatalf("decode %s: %v", znode.ControllerPath, err)
	}
	return c
}

// zkMigration reads /migration, nil when it is absent.
func (nf *nfMigration) zkMigration(t *testing.T) *znode.MigrationZNode {
	t.Helper()
	mig, _, err := zkmode.ReadMigration(context.Background(), nf.zk)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		t.Fatalf("read %s: %v", znode.MigrationPath, err)
	}
	return &mig
}

// brokerRegistered tells whether /brokers/ids/<id> exists: whether ZooKeeper holds the
// broker's session.
func (nf *nfMigration) brokerRegistered(t *testing.T, id int32) bool {
	t.Helper()
	return zkExists(t, nf.zk, znode.BrokerPath(id))
}

// finishLoad stops the load, runs the checker on its history and logs and bounds the
// worst stall a partition saw.
func (nf *nfMigration) finishLoad(t *testing.T, maxStall time.Duration) {
	t.Helper()
	acked := nf.w.finish(false)
	gap, at := nf.w.MaxGap()
	t.Logf("%d records acknowledged, none failed, the checker found nothing; worst stall %v (%s-%d)", acked, gap.Round(time.Millisecond), nfLoadTopic, at)
	if gap > maxStall {
		t.Errorf("a partition of %s went %v without an acknowledgement, more than %v", nfLoadTopic, gap.Round(time.Millisecond), maxStall)
	}
}

// compareControllerImages stops the brokers and compares the controllers' metadata
// images (controllerImagesAgree).
func (nf *nfMigration) compareControllerImages(t *testing.T) {
	t.Helper()
	nf.m.ZKCluster.Stop()
	controllerImagesAgree(t, nf.m.Controllers)
}

// checkZooKeeperLeads requires ZooKeeper to be led by one of its brokers after a
// rollback, not by a KRaft controller and not by broker notLeader, and /migration to
// be gone: the frozen quorum writes ZooKeeper no more.
func (nf *nfMigration) checkZooKeeperLeads(t *testing.T, notLeader int32) {
	t.Helper()
	if c := nf.zkController(t); c.IsKRaftController() || c.BrokerID == notLeader || c.BrokerID < 1 || int(c.BrokerID) > len(nf.m.Brokers) {
		t.Fatalf("/controller after the rollback: %+v, want one of the ZooKeeper brokers but %d", c, notLeader)
	}
	if mig := nf.zkMigration(t); mig != nil {
		t.Fatalf("/migration after the rollback: %+v", *mig)
	}
}
