package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// startCommit runs `kbridge migrate commit` in the background; the channel says how
// it ended, with its output when it failed.
func startCommit(t *testing.T, m *MigrationCluster) <-chan error {
	committed := make(chan error, 1)
	go func() {
		out, errOut, err := RunWithInput(t, nil, "migrate", "commit", "--controller", m.ControllerAddr())
		if err != nil {
			err = fmt.Errorf("%w\nstdout: %s\nstderr: %s", err, out, errOut)
		}
		committed <- err
	}()
	return committed
}

// cutFromQuorumDuringCommit is scenario (a): broker id is cut from every migration
// controller while the commit holds ZooKeeper claimed, and healed once the quorum has
// fenced it and moved its leaderships.
func (nf *nfMigration) cutFromQuorumDuringCommit(t *testing.T, id int32) {
	t.Helper()
	steps := startSteps()
	m, member := nf.m, brokerMember(int(id))
	active := m.activeController(t)
	committed := startCommit(t, m)
	WaitFor(t, 30*time.Second, "the commit holding ZooKeeper claimed", func() bool {
		return strings.Contains(active.Log(), "holding the commit window open")
	})
	if err := nf.l.CutFromControllers(member); err != nil {
		t.Fatal(err)
	}
	if err := <-committed; err != nil {
		t.Fatalf("migrate commit with broker %d cut from the quorum: %v", id, err)
	}
	steps.done("commit")
	WaitFor(t, 30*time.Second, fmt.Sprintf("brokers on the quorum but %d", id), func() bool {
		st := m.Status()
		return st.Phase == migrate.PhaseDualWrite && len(st.BrokersOnQuorum) == 2 && !slices.Contains(st.BrokersOnQuorum, id)
	})
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d fenced by the quorum", id), func() bool {
		view, err := plainAdmin.FetchControllerView(context.Background(), m.ControllerAddr())
		return err == nil && view.Image.Brokers[id] != nil && view.Image.Brokers[id].Fenced
	})
	steps.done("fenced")
	WaitFor(t, 30*time.Second, fmt.Sprintf("ZooKeeper giving broker %d no leadership (dual-written)", id), func() bool {
		return len(nf.zkLedBy(t, id)) == 0
	})
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d, led by ZooKeeper, leading nothing", id), func() bool {
		led, err := brokerLeads(m.Broker(id).BrokerAddr, id)
		return err == nil && len(led) == 0
	})
	steps.done("leaderships moved")
	if dropped, err := nf.l.Dropped(member, migrationMember(3000)); err != nil || dropped == 0 {
		t.Fatalf("the cut dropped %d packets from %s to the quorum (%v)", dropped, member, err)
	}
	nf.w.WaitAcked(30*time.Second, nfRate, fmt.Sprintf("broker %d cut from the quorum", id))
	t.Logf("(a) broker %d cut from the quorum during the commit: fenced, its leaderships moved through ZooKeeper (%v)", id, steps)
}

// switchWhileCutFromZooKeeper is scenario (b): broker id, still led by ZooKeeper, is cut
// from ZooKeeper and then healed from the quorum, so it switches to the quorum while
// it cannot see ZooKeeper; its session expires meanwhile. Healed, it registers in
// ZooKeeper again and stays on the quorum.
func (nf *nfMigration) switchWhileCutFromZooKeeper(t *testing.T, id int32) {
	t.Helper()
	steps := startSteps()
	m, member := nf.m, brokerMember(int(id))
	if err := nf.l.CutFromZooKeeper(member); err != nil {
		t.Fatal(err)
	}
	for i := range m.Controllers {
		if err := nf.l.Heal(member, migrationMember(3000+i)); err != nil {
			t.Fatal(err)
		}
	}
	m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	steps.done("switched")
	if !strings.Contains(m.Broker(id).Log(), "moved to the KRaft quorum in place") {
		t.Fatalf("broker %d is on the quorum, but did not move there in place", id)
	}
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d's ZooKeeper session expired", id), func() bool {
		return !nf.brokerRegistered(t, id)
	})
	steps.done("session expired")
	if dropped, err := nf.l.Dropped(member, zkMember); err != nil || dropped == 0 {
		t.Fatalf("the cut dropped %d packets from %s to ZooKeeper (%v)", dropped, member, err)
	}
	WaitFor(t, 60*time.Second, fmt.Sprintf("broker %d back in every ISR, without ZooKeeper", id), func() bool {
		return m.Status().UnderReplicated == 0
	})
	steps.done("ISRs full")
	nf.w.WaitAcked(30*time.Second, nfRate, fmt.Sprintf("broker %d on the quorum, cut from ZooKeeper", id))
	if err := nf.l.Heal(member, zkMember); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, fmt.Sprintf("broker %d registered in ZooKeeper again", id), func() bool {
		return nf.brokerRegistered(t, id)
	})
	steps.done("healed, registered")
	if st := m.Status(); st.Phase != migrate.PhaseBrokersOnKRaft || !slices.Contains(st.BrokersOnQuorum, id) {
		t.Fatalf("after broker %d saw ZooKeeper again: %+v", id, st)
	}
	if strings.Contains(m.Broker(id).Log(), "moved back to ZooKeeper") {
		t.Fatalf("broker %d moved back to ZooKeeper without a rollback", id)
	}
	t.Logf("(b) broker %d switched to the quorum while cut from ZooKeeper (%v)", id, steps)
}
