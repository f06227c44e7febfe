package migrate

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestDriverTransitions: the paths the driver takes through a migration are allowed,
// and shortcuts that would skip a claim, a copy or a release are not.
func TestDriverTransitions(t *testing.T) {
	paths := map[string][]DriverState{
		"commit, then dual-write":         {DriverInactive, DriverWaitForCommit, DriverBecomeController, DriverZkMigration, DriverDualWrite},
		"a copy that failed":              {DriverWaitForCommit, DriverBecomeController, DriverZkMigration, DriverWaitForCommit},
		"/migration not written after it": {DriverZkMigration, DriverBecomeController, DriverSyncKRaftToZk, DriverDualWrite},
		"a failover in dual-write":        {DriverDualWrite, DriverInactive, DriverBecomeController, DriverSyncKRaftToZk, DriverDualWrite},
		"a writer found fenced":           {DriverDualWrite, DriverBecomeController},
		"rollback":                        {DriverDualWrite, DriverRollingBack, DriverRolledBack, DriverInactive},
		"a rollback finished by the next": {DriverInactive, DriverRollingBack, DriverRolledBack},
		"a leader finding it released":    {DriverInactive, DriverBecomeController, DriverRolledBack},
		"finalize":                        {DriverDualWrite, DriverFinalized, DriverInactive},
	}
	for name, path := range paths {
		for i := 1; i < len(path); i++ {
			if !transitionAllowed(path[i-1], path[i]) {
				t.Errorf("%s: %s -> %s refused", name, path[i-1], path[i])
			}
		}
	}
	refused := [][2]DriverState{
		{DriverWaitForCommit, DriverDualWrite},   // dual-write without a copy
		{DriverWaitForCommit, DriverZkMigration}, // a copy without a claim
		{DriverBecomeController, DriverDualWrite},
		{DriverRollingBack, DriverDualWrite}, // writes resumed on a frozen log
		{DriverRolledBack, DriverDualWrite},
		{DriverRolledBack, DriverBecomeController}, // claiming a released ZooKeeper
		{DriverFinalized, DriverRollingBack},
		{DriverFinalized, DriverDualWrite},
		{DriverInactive, DriverDualWrite},
		{DriverInactive, DriverZkMigration},
	}
	for _, tr := range refused {
		if transitionAllowed(tr[0], tr[1]) {
			t.Errorf("%s -> %s allowed", tr[0], tr[1])
		}
	}
	for from, tos := range driverTransitions {
		for _, to := range tos {
			if _, ok := driverTransitions[to]; !ok {
				t.Errorf("%s -> %s: %s has no transitions of its own", from, to, to)
			}
		}
		if from != DriverInactive && !transitionAllowed(from, DriverInactive) {
			t.Errorf("%s cannot lose leadership", from)
		}
	}
}

// TestDriverEnter: a state change is logged with its reason, a disallowed one as an
// error, and staying logs nothing.
func TestDriverEnter(t *testing.T) {
	var logs bytes.Buffer
	d := &Driver{state: DriverInactive, log: slog.New(slog.NewTextHandler(&logs, nil))}
	d.enter(DriverWaitForCommit, "pre-migration")
	d.enter(DriverWaitForCommit, "again")
	d.enter(DriverDualWrite, "a bug")
	out := logs.String()
	if strings.Count(out, "migration driver state") != 1 || !strings.Contains(out, "why=pre-migration") {
		t.Errorf("allowed change not logged once with its reason:\n%s", out)
	}
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "from=WAIT_FOR_COMMIT to=DUAL_WRITE") {
		t.Errorf("disallowed change not logged as an error:\n%s", out)
	}
	if d.state != DriverDualWrite {
		t.Errorf("state %s after entering DUAL_WRITE", d.state)
	}
}

// TestResumeOnlyInterruptedCommits: the driver's loop resumes a commit only when
// /migration shows one an earlier leader claimed and did not finish. The active
// controller's own commit, claimed in its epoch and still copying, is never resumed
// over (issue 13: a second preflight, /controller_epoch bumped twice more and a full
// reconcile ran during every commit); nor is a finished copy or a /migration no KRaft
// controller has claimed.
func TestResumeOnlyInterruptedCommits(t *testing.T) {
	const epoch = 5
	cases := []struct {
		name string
		m    znode.MigrationZNode
		want bool
	}{
		{"this epoch's commit, copying", znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: epoch, KRaftMetadataOffset: -1}, false},
		{"an earlier leader's commit, cut short", znode.MigrationZNode{KRaftControllerID: 3001, KRaftControllerEpoch: epoch - 1, KRaftMetadataOffset: -1}, true},
		{"an earlier leader's finished copy", znode.MigrationZNode{KRaftControllerID: 3001, KRaftControllerEpoch: epoch - 1, KRaftMetadataOffset: 812}, false},
		{"never claimed", znode.MigrationZNode{KRaftControllerID: -1, KRaftControllerEpoch: -1, KRaftMetadataOffset: -1}, false},
	}
	for _, c := range cases {
		if got := interruptedCommit(c.m, epoch); got != c.want {
			t.Errorf("%s: resume %v, want %v", c.name, got, c.want)
		}
	}
}
