package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// zkOutage is how long ZooKeeper is down in TestMigrationRidesOutFaults: long enough
// for the driver's retries to back off, shorter than a session timeout.
const zkOutage = 10 * time.Second

// TestMigrationRidesOutFaults is issue 13's third acceptance: 1,000 partitions under
// 2,000 keyed acks=all records/s from an idempotent producer throughout, three faults in
// a row, then finalize.
//  1. A broker SIGSTOPped while `migrate commit` runs, resumed after it: it moves to
//     the quorum like the others.
//  2. ZooKeeper stopped for 10 s in dual-write while topics are created through the
//     quorum: `migrate status` answers throughout and shows ZK_WRITE_FAILING with a
//     write lag; once ZooKeeper is back the lag is written off within 2 s of the
//     controller's session returning (the driver wakes on it instead of waiting out
//     its backoff), and the topics made meanwhile are in ZooKeeper.
//  3. The active controller killed in dual-write: a new one claims ZooKeeper,
//     reconciles it, and the topics created meanwhile reach ZooKeeper.
//
// No produce call fails, no broker restarts, every acknowledged record is read back
// exactly once, and finalize succeeds after.
func TestMigrationRidesOutFaults(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("bulk-%02d", i)
	}
	if resp, err := adm.CreateTopics(ctx, 100, 3, nil, names...); err != nil || resp.Error() != nil {
		t.Fatalf("create topics: %v %v", err, resp.Error())
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")
	p := startSteadyProducer(m.Client(kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks())), names, 2000)
	WaitFor(t, 20*time.Second, "records acknowledged before the commit", func() bool { return p.count() >= 2000 })

	// 1. A broker frozen through the commit.
	frozen := m.Broker(3)
	frozen.Pause()
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	frozen.Resume()
	if st := m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, ""); st.DriverState != migrate.DriverDualWrite {
		t.Fatalf("after the commit: driver %s, want DUAL_WRITE", st.DriverState)
	}
	before := p.count()
	WaitFor(t, 20*time.Second, "records acknowledged on the quorum", func() bool { return p.count() >= before+2000 })

	// 2. ZooKeeper down in dual-write.
	m.ZK.Stop()
	down := time.Now()
	var during []string
	for i := range 3 {
		name := fmt.Sprintf("during-outage-%d", i)
		if resp, err := adm.CreateTopic(ctx, 3, 3, nil, name); err != nil || resp.Err != nil {
			t.Fatalf("create %s through the quorum while ZooKeeper is down: %v %v", name, err, resp.Err)
		}
		during = append(during, name)
	}
	st := m.WaitPhase(zkOutage, migrate.PhaseBrokersOnKRaft, "ZK_WRITE_FAILING")
	if st.ZkWriteLagOffsets <= 0 {
		t.Errorf("status during the outage shows no write lag: %+v", st)
	}
	if _, stderr, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "0s", "--yes"); err == nil ||
		!strings.Contains(stderr, "the dual-write lag is not zero") {
		t.Fatalf("finalize while ZooKeeper is down: %v\n%s", err, stderr)
	}
	for time.Since(down) < zkOutage {
		if st := m.Status(); st.Phase == "" {
			t.Fatal("migrate status did not answer while ZooKeeper was down")
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Status is read straight from the active controller's admin endpoint rather than
	// through the command, whose start-up would count in the 2 s. ZooKeeper is back
	// for the controller once its status can read ZooKeeper again.
	status := func() (migrate.Status, bool) {
		st, err := plainAdmin.MigrationStatus(ctx, m.ControllerAddr())
		return st, err == nil
	}
	m.ZK.Start()
	started := time.Now()
	WaitFor(t, 60*time.Second, "the active controller reading ZooKeeper again", func() bool {
		st, ok := status()
		return ok && st.ZooKeeperError == ""
	})
	back := time.Now()
	WaitFor(t, 30*time.Second, "the write lag written off", func() bool {
		st, ok := status()
		return ok && st.ZooKeeperError == "" && st.SubState == "SOAKING" && st.ZkWriteLagOffsets == 0
	})
	took := time.Since(back)
	if took > 2*time.Second {
		t.Errorf("the write lag took %v to reach 0 after ZooKeeper was readable again, want at most 2s", took.Round(time.Millisecond))
	}
	t.Logf("ZooKeeper down %v; readable by the controller %v after it started; write lag back to 0 %v after that",
		zkOutage, back.Sub(started).Round(time.Millisecond), took.Round(time.Millisecond))
	conn := m.ZooKeeper()
	for _, name := range during {
		if !zkExists(t, conn, znode.TopicPartitionStatePath(name, 2)) {
			t.Errorf("%s, created during the outage, is not in ZooKeeper", name)
		}
	}

	// 3. The active controller killed in dual-write. The soak does not start over.
	soakSince := m.Status().AllOnQuorumSince
	if soakSince == nil {
		t.Fatal("every broker is on the quorum, but the status shows no soak start")
	}
	killed := m.activeController(t)
	killedAt := time.Now()
	killed.Kill()
	for i := range 2 {
		name := fmt.Sprintf("after-failover-%d", i)
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err := adm.CreateTopic(cctx, 3, 3, nil, name)
		cancel()
		if err != nil || resp.Err != nil {
			t.Fatalf("create %s through the quorum after the active controller died: %v %v", name, err, resp.Err)
		}
		during = append(during, name)
	}
	var now migrate.Status
	WaitFor(t, 30*time.Second, "a new active controller in dual-write with no lag", func() bool {
		now = m.Status()
		return now.DriverState == migrate.DriverDualWrite && now.ZkWriteLagOffsets == 0 && now.ControllerID != int32(indexOf(m.Controllers, killed)+3000)
	})
	if now.AllOnQuorumSince == nil || now.AllOnQuorumSince.After(killedAt) {
		t.Errorf("the new active controller's soak starts at %v, after the failover at %v (it was %v)", now.AllOnQuorumSince, killedAt, *soakSince)
	}
	for _, name := range during {
		WaitFor(t, 10*time.Second, name+" in ZooKeeper", func() bool {
			return zkExists(t, conn, znode.TopicPartitionStatePath(name, 2))
		})
	}
	killed.Start()
	WaitFor(t, 30*time.Second, "finalize accepted", func() bool {
		_, _, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "1s", "--yes")
		return err == nil
	})
	for _, b := range m.Brokers {
		if strings.Count(b.Log(), "kbridge started") != 1 {
			t.Errorf("broker %s restarted during the faults", b.BrokerAddr)
		}
	}

	acked, failed := p.finish()
	if len(failed) > 0 {
		t.Fatalf("%d produce calls failed, the first: %v", len(failed), failed[0])
	}
	readBackOnce(t, m, names, acked)
	t.Logf("%d records acknowledged through the faults, every one read back once", len(acked))
}
