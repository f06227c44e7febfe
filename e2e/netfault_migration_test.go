package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// nfCommitWindow holds the commit between its claim of ZooKeeper and its copy, so the
// first scenario can cut a broker from the quorum while the commit runs.
const nfCommitWindow = 2 * time.Second

// nfMaxStall bounds, loosely, the longest a partition of the load waits for an
// acknowledgement across the faults of TestMigrationNetworkFaults: a broker session
// timeout (3 s) and a controller election, then the client's next metadata refresh,
// with room for a shared machine.
const nfMaxStall = 15 * time.Second

// nfRollbackMaxStall is nfMaxStall for the rollback: the cut broker leads nothing from
// when it notices it lost ZooKeeper (two thirds of its 4 s session) until ZooKeeper's
// controller, once the session has expired, elects other leaders, and the client then
// has to learn them.
const nfRollbackMaxStall = 20 * time.Second

// TestMigrationNetworkFaults is issue 16's migration under network partitions, one
// migration with three faults in a row under an idempotent acks=all load of 2,000
// records/s on a cluster of 1,000 partitions (RF=3, min.insync.replicas=2), then
// finalize:
//   - (a) broker 2 cut from the migration controllers while `migrate commit` runs: the
//     commit succeeds, the quorum fences broker 2 and moves its leaderships, which
//     broker 2, still led by ZooKeeper, learns through the dual-write; healed, it moves
//     to the quorum;
//   - (b) broker 2 cut from ZooKeeper while it switches to the quorum: it switches all
//     the same (the quorum leads), its ZooKeeper session expires meanwhile, and healed
//     it registers in ZooKeeper again and stays on the quorum;
//   - (d) the active migration controller cut from the other two during dual-write,
//     with its last dual-write held up on the way to ZooKeeper: a new leader claims
//     ZooKeeper and reconciles it, and the old leader's write, arriving late, is
//     refused by the fencing on /controller_epoch (KIP-866), so ZooKeeper never goes
//     back to what the deposed leader knew.
//
// After the finalize a broker restarted with its migration configuration joins the
// quorum as a KRaft broker rather than lead from ZooKeeper's frozen tree.
//
// Throughout, the checker finds nothing lost, duplicated or reordered, no produce
// call fails, the worst stall is bounded, and at the end the controllers' images
// agree. These are the partial failures a process kill cannot make: each node stays
// up and reachable by some of the cluster. Like every network-fault test it runs in
// parallel with the others (faultTestParallel).
func TestMigrationNetworkFaults(t *testing.T) {
	faultTestParallel(t)
	nf := startNetfaultMigration(t, "KBRIDGE_TEST_COMMIT_WINDOW="+nfCommitWindow.String())
	t.Logf("1,000 partitions under load, controllers ready (%v)", time.Since(nf.started).Round(time.Millisecond))
	nf.cutFromQuorumDuringCommit(t, 2)
	nf.switchWhileCutFromZooKeeper(t, 2)
	nf.activeControllerCutDuringDualWrite(t)

	WaitFor(t, 60*time.Second, "finalize accepted", func() bool {
		_, _, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", nf.m.ControllerAddr(), "--min-soak", "1s", "--yes")
		return err == nil
	})
	nf.m.WaitPhase(10*time.Second, migrate.PhaseFinalized, "")
	nf.w.WaitAcked(30*time.Second, nfRate, "after finalize")

	// A broker restarted after the finalize, still with its migration configuration,
	// must not lead from ZooKeeper's tree, frozen where the dual-write stopped (the
	// chaos run found one doing so, beside the quorum's leaders): it joins the quorum
	// as a KRaft broker.
	restarted := nf.m.Broker(3)
	restarted.Kill()
	restarted.Start()
	WaitFor(t, 30*time.Second, "the restarted broker on the quorum", func() bool {
		return strings.Contains(restarted.Log(), "moved to the KRaft quorum: the migration was finalized before this broker started")
	})
	nf.w.WaitAcked(60*time.Second, nfRate, "after the restart of a broker")
	for _, b := range nf.m.Brokers {
		if strings.Contains(b.Log(), "moved back to ZooKeeper") {
			t.Errorf("broker %s moved back to ZooKeeper without a rollback", b.Member)
		}
	}
	nf.finishLoad(t, nfMaxStall)
	nf.compareControllerImages(t)
}

// TestMigrationRollbackNetworkFault is issue 16's rollback under a network partition:
// with every broker on the quorum and the load running (1,000 partitions, 2,000
// records/s, RF=3, min.insync.replicas=2), broker 2 is cut from ZooKeeper, and
// `migrate rollback` runs. The quorum freezes and hands the cluster back to
// ZooKeeper; brokers 1 and 3 move back to ZooKeeper and elect a controller, which,
// once broker 2's session has expired, gives broker 2's leaderships to others. Broker
// 2 still follows the frozen quorum, whose image names it leader of those partitions:
// it must lead nothing while it cannot see ZooKeeper, or two controllers' decisions
// would be in force at once, the quorum's through broker 2 and ZooKeeper's through
// the others. Healed, broker 2 moves back to ZooKeeper and rejoins every ISR. /controller
// names one ZooKeeper broker throughout and /migration stays gone: the frozen quorum
// writes ZooKeeper no more. The checker finds nothing lost, duplicated or reordered,
// no produce call fails, and the controllers' images agree. It runs in parallel with
// the other network-fault tests (faultTestParallel).
func TestMigrationRollbackNetworkFault(t *testing.T) {
	faultTestParallel(t)
	nf := startNetfaultMigration(t)
	m := nf.m
	t.Logf("1,000 partitions under load, controllers ready (%v)", time.Since(nf.started).Round(time.Millisecond))
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	nf.w.WaitAcked(30*time.Second, nfRate, "every broker on the quorum")
	const cut = int32(2)
	member := brokerMember(int(cut))
	if led := nf.zkLedBy(t, cut); len(led) == 0 {
		t.Fatalf("broker %d leads no partition of %s: the scenario needs it to", cut, nfLoadTopic)
	}

	steps := startSteps()
	if err := nf.l.CutFromZooKeeper(member); err != nil {
		t.Fatal(err)
	}
	out := Run(t, "migrate", "rollback", "--controller", m.ControllerAddr())
	if !strings.Contains(out, "Rolled back.") {
		t.Fatalf("migrate rollback:\n%s", out)
	}
	steps.done("rollback")
	for _, id := range []int32{1, 3} {
		WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d back on ZooKeeper", id), func() bool {
			return strings.Contains(m.Broker(id).Log(), "moved back to ZooKeeper in place")
		})
	}
	steps.done("brokers 1 and 3 on ZooKeeper")
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d's ZooKeeper session expired", cut), func() bool {
		return !nf.brokerRegistered(t, cut)
	})
	steps.done("session expired")
	WaitFor(t, 30*time.Second, fmt.Sprintf("ZooKeeper's controller giving broker %d's leaderships to others", cut), func() bool {
		return len(nf.zkLedBy(t, cut)) == 0
	})
	steps.done("leaderships moved")
	// ZooKeeper's decisions are in force from here on; broker 2, which still follows
	// the frozen quorum, must not be acting on the quorum's.
	led, err := brokerLeads(m.Broker(cut).BrokerAddr, cut)
	if err != nil {
		t.Fatal(err)
	}
	if len(led) > 0 {
		t.Fatalf("broker %d, cut from ZooKeeper after the rollback, still leads %s partitions %v, which ZooKeeper's controller gave to others", cut, nfLoadTopic, led)
	}
	nf.checkZooKeeperLeads(t, cut)
	if dropped, err := nf.l.Dropped(member, zkMember); err != nil || dropped == 0 {
		t.Fatalf("the cut dropped %d packets from %s to ZooKeeper (%v)", dropped, member, err)
	}
	if st := m.Status(); st.Phase != migrate.PhaseZK || st.DriverState != migrate.DriverRolledBack {
		t.Fatalf("the quorum after the rollback: phase %s, driver %s", st.Phase, st.DriverState)
	}
	nf.w.WaitAcked(30*time.Second, nfRate, fmt.Sprintf("broker %d cut from ZooKeeper after the rollback", cut))
	steps.done("load on")

	if err := nf.l.Heal(member, zkMember); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d back on ZooKeeper", cut), func() bool {
		return strings.Contains(m.Broker(cut).Log(), "moved back to ZooKeeper in place")
	})
	steps.done("healed, broker 2 on ZooKeeper")
	WaitFor(t, 60*time.Second, fmt.Sprintf("broker %d back in every ISR of %s", cut, nfLoadTopic), func() bool {
		for _, st := range nf.zkPartitionState(t) {
			if len(st.ISR) != 3 {
				return false
			}
		}
		return true
	})
	steps.done("ISRs full")
	nf.checkZooKeeperLeads(t, cut)
	nf.w.WaitAcked(30*time.Second, nfRate, "every broker back on ZooKeeper")
	steps.done("load on")
	t.Logf("rollback with broker %d cut from ZooKeeper: it led nothing until it saw ZooKeeper again (%v)", cut, steps)
	nf.finishLoad(t, nfRollbackMaxStall)
	nf.compareControllerImages(t)
}
