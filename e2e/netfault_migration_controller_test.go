package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
)

// nfZooKeeperDelay is how late every packet between the deposed controller and
// ZooKeeper arrives in scenario (d): a dual-write reads ZooKeeper twice before its
// multi, so the multi it started as the leader arrives five delays later, well after
// a new leader (elected in a few seconds) has claimed ZooKeeper; and a round trip of
// two delays stays within the ZooKeeper client's receive timeout (two thirds of the
// 10 s session), so the deposed controller's session lives on.
const nfZooKeeperDelay = 1500 * time.Millisecond

// nfChurnTopic is the topic whose retention.ms scenario (d) changes through the
// brokers, so the active controller has something to dual-write.
const nfChurnTopic = "nf-churn"

// activeControllerCutDuringDualWrite is scenario (d). Once ZooKeeper reflects the whole
// log, the active migration controller's link to ZooKeeper is made slow, a config
// change it commits starts a dual-write, and it is cut from the other two
// controllers: a new leader claims ZooKeeper and reconciles it. The deposed leader's
// dual-write, started while it led, reaches ZooKeeper only after that claim, as a
// zombie controller's does: the fencing on /controller_epoch and /migration must
// refuse it, so that ZooKeeper never goes back to what the deposed leader knew.
func (nf *nfMigration) activeControllerCutDuringDualWrite(t *testing.T) {
	t.Helper()
	steps := startSteps()
	m := nf.m
	adm := kadm.NewClient(m.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, nfChurnTopic); err != nil || resp.Err != nil {
		t.Fatalf("create %s: %v %v", nfChurnTopic, err, resp.Err)
	}
	for v := range int64(3) {
		setRetention(t, adm, nfChurnBase+v)
	}
	old := m.activeController(t)
	oldID := int32(indexOf(m.Controllers, old) + 3000)
	WaitFor(t, 30*time.Second, "ZooKeeper reflecting the whole log: the dual-write idle", func() bool {
		return nf.churnInStep(t, old) == ""
	})
	before := nf.zkController(t)
	inactive := strings.Count(old.Log(), "to=INACTIVE")

	if err := nf.l.Delay(old.Member, zkMember, nfZooKeeperDelay, 0); err != nil {
		t.Fatal(err)
	}
	// Acknowledged means committed by the old leader, whose driver started writing it
	// to ZooKeeper as soon as it was: that write is under way, and slow.
	setRetention(t, adm, nfChurnBase+3)
	cutAt := time.Now()
	for _, n := range m.Controllers {
		if n != old {
			if err := nf.l.Cut(old.Member, n.Member); err != nil {
				t.Fatal(err)
			}
		}
	}
	var newID int32
	WaitFor(t, 30*time.Second, "a new leader holding /controller in a later epoch", func() bool {
		c := nf.zkController(t)
		newID = c.BrokerID
		return c.IsKRaftController() && c.BrokerID != oldID && c.KRaftControllerEpoch > before.KRaftControllerEpoch
	})
	claimedIn := time.Since(cutAt)
	steps.done("claimed")
	leader := m.Controllers[newID-3000]
	WaitFor(t, 30*time.Second, "the new leader's reconcile of ZooKeeper", func() bool {
		return nf.churnInStep(t, leader) == ""
	})
	claim := nf.zkMigration(t)
	if claim == nil || claim.KRaftControllerID != newID {
		t.Fatalf("/migration once controller %d claimed ZooKeeper: %+v", newID, claim)
	}

	WaitFor(t, 60*time.Second, "the deposed controller's late dual-write answered and its driver inactive", func() bool {
		return strings.Count(old.Log(), "to=INACTIVE") > inactive
	})
	steps.done("late write answered")
	if mig := nf.zkMigration(t); mig == nil || mig.KRaftControllerID != newID || mig.KRaftControllerEpoch != claim.KRaftControllerEpoch ||
		mig.KRaftMetadataOffset < claim.KRaftMetadataOffset {
		t.Fatalf("/migration went from %+v to %+v once the deposed controller %d's write arrived: the stale write landed", *claim, mig, oldID)
	}
	if diff := nf.churnInStep(t, leader); diff != "" {
		t.Fatalf("%s once the deposed controller %d's write arrived: the stale write landed", diff, oldID)
	}
	if !strings.Contains(old.Log(), zkmode.ErrControllerMoved.Error()) {
		t.Fatalf("the deposed controller %d's dual-write was not refused as fenced: it reached ZooKeeper before controller %d's claim", oldID, newID)
	}
	if err := nf.l.HealAll(); err != nil {
		t.Fatal(err)
	}
	setRetention(t, adm, nfChurnBase+4)
	WaitFor(t, 30*time.Second, "dual-write with no lag under the new leader", func() bool {
		st := m.Status()
		return st.DriverState == migrate.DriverDualWrite && st.ZkWriteLagOffsets == 0 && st.ControllerID == newID &&
			nf.churnInStep(t, leader) == ""
	})
	steps.done("healed, no lag")
	nf.w.WaitAcked(30*time.Second, nfRate, "after the controllers healed")
	t.Logf("(d) controller %d cut from its peers with a dual-write under way: controller %d claimed ZooKeeper %v after the cut, the late write was refused (%v)",
		oldID, newID, claimedIn.Round(time.Millisecond), steps)
}

// nfChurnBase is the first retention.ms scenario (d) sets.
const nfChurnBase = 3_600_000

// setRetention sets nf-churn's retention.ms through the brokers, which forward it to
// the active controller, retrying until it is acknowledged.
func setRetention(t *testing.T, adm *kadm.Client, ms int64) {
	t.Helper()
	value := strconv.FormatInt(ms, 10)
	WaitFor(t, 30*time.Second, nfChurnTopic+" retention.ms="+value+" acknowledged", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: &value}}, nfChurnTopic)
		return err == nil && len(resp) == 1 && resp[0].Err == nil
	})
}

// churnInStep compares nf-churn's retention.ms in ZooKeeper with the log of the
// active controller, as controller knows it: "" when they agree, else what differs.
func (nf *nfMigration) churnInStep(t *testing.T, controller *Node) string {
	t.Helper()
	view, err := plainAdmin.FetchControllerView(context.Background(), controller.BrokerAddr)
	if err != nil {
		return err.Error()
	}
	want := view.Image.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: nfChurnTopic}]["retention.ms"]
	if got := zkConfig(t, nf.zk, nfChurnTopic)["retention.ms"]; got != want {
		return fmt.Sprintf("ZooKeeper's retention.ms of %s is %s, the metadata log's %s", nfChurnTopic, got, want)
	}
	return ""
}
