package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
)

// TestMigrationControllerKilledMidCopy is issue 6's fourth acceptance: the active
// controller gets SIGKILL in the middle of the copy (slowed down by the test hook).
// The next leader aborts the open transaction, carries out the commit again, and the
// final image equals ZooKeeper's.
func TestMigrationControllerKilledMidCopy(t *testing.T) {
	t.Setenv("KBRIDGE_TEST_MIGRATION_BATCH_DELAY", "300ms")
	m := StartMigrationCluster(t, 3, 3, "zookeeper.metadata.migration.min.batch.size=2")
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	for i := range 12 {
		if resp, err := adm.CreateTopic(ctx, 1, 3, nil, fmt.Sprintf("t%02d", i)); err != nil || resp.Err != nil {
			t.Fatalf("create t%02d: %v %v", i, err, resp.Err)
		}
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")

	go RunWithInput(t, nil, "migrate", "commit", "--controller", m.ControllerAddr())
	st := m.WaitPhase(20*time.Second, migrate.PhaseMigrating, "COPYING")
	WaitFor(t, 10*time.Second, "the copy under way", func() bool {
		st = m.Status()
		return st.Phase == migrate.PhaseMigrating && st.CopyRecordsDone > 0
	})
	killed := m.Controllers[st.ControllerID-3000]
	killed.Kill()
	t.Logf("killed active controller %d after %d of %d records", st.ControllerID, st.CopyRecordsDone, st.CopyRecordsTotal)

	st = m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	if st.ControllerID == int32(3000+indexOf(m.Controllers, killed)) {
		t.Fatalf("the killed controller %d is active again", st.ControllerID)
	}
	var resumedBy *Node
	for _, n := range m.Controllers {
		if n != killed && strings.Contains(n.Log(), "resuming a commit interrupted by a controller failover") {
			resumedBy = n
		}
	}
	if resumedBy == nil {
		t.Fatal("no controller logged resuming the interrupted commit")
	}
	if !strings.Contains(resumedBy.Log(), "Completed migration of metadata from ZooKeeper to KRaft") {
		t.Fatal("the controller that resumed the commit did not complete it")
	}

	var addr string
	for _, n := range m.Controllers {
		if n != killed {
			addr = n.BrokerAddr
		}
	}
	view, err := plainAdmin.FetchControllerView(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	zkImg, err := zkmode.LoadImage(ctx, m.ZooKeeper())
	if err != nil {
		t.Fatal(err)
	}
	compareCopied(t, zkImg, view.Image)
	if view.InTransaction {
		t.Fatal("a transaction is still open after the migration")
	}
}

func indexOf(nodes []*Node, n *Node) int {
	for i, x := range nodes {
		if x == n {
			return i
		}
	}
	return -1
}
