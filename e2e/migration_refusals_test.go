package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestMigrationRefusals is issue 6's fifth acceptance, on real processes: a planted
// blocker (a topic without topic_id, as Kafka before 2.8 wrote them) is found by
// dry-run with its code, and commit refuses while it stands, fencing nothing; once it
// is gone commit runs, and finalize refuses while a broker is still led through
// ZooKeeper, naming it, and accepts once it has moved. (Every other blocker is planted
// one by one in migrate's dry-run tests.)
func TestMigrationRefusals(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, "modern"); err != nil || resp.Err != nil {
		t.Fatalf("create modern: %v %v", err, resp.Err)
	}
	conn := m.ZooKeeper()
	if _, err := conn.Create(ctx, znode.TopicPath("legacy"), []byte(`{"version":1,"partitions":{"0":[1,2,3]}}`), 0); err != nil {
		t.Fatal(err)
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")

	report, code := dryRunReport(t, "--zookeeper", m.Connect(), "--controller", m.ControllerAddr())
	if code != 1 || report.Ready {
		t.Fatalf("dry-run with a topic without topic_id: exit %d, ready %v", code, report.Ready)
	}
	if f := findingByCode(report.Findings, "MISSING_TOPIC_ID"); f == nil || f.Severity != migrate.SeverityBlocker || !slices.Contains(f.Entities, "legacy") {
		t.Fatalf("no MISSING_TOPIC_ID blocker naming legacy: %+v", report.Findings)
	}
	epochBefore, _ := controllerEpoch(t, conn)
	out, stderr, err := RunWithInput(t, nil, "migrate", "commit", "--controller", m.ControllerAddr())
	if code, ok := exitStatus(err); !ok || code != 1 || !strings.Contains(stderr, "MISSING_TOPIC_ID") {
		t.Fatalf("commit with a blocker: %v\n%s%s", err, out, stderr)
	}
	if st := m.Status(); st.Phase != migrate.PhasePreMigration {
		t.Fatalf("phase after a refused commit: %s", st.Phase)
	}
	if epoch, _ := controllerEpoch(t, conn); epoch != epochBefore || zkExists(t, conn, znode.MigrationPath) {
		t.Fatal("a refused commit fenced the ZooKeeper controller or wrote /migration")
	}

	// The blocker removed, commit runs while broker 3 is frozen: it cannot move, and
	// finalize refuses, naming it.
	m.ZkCli("deleteall", zkChroot+znode.TopicPath("legacy"))
	m.Broker(3).Pause()
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	m.WaitPhase(30*time.Second, migrate.PhaseDualWrite, "")
	WaitFor(t, 20*time.Second, "brokers 1 and 2 on the quorum", func() bool {
		st := m.Status()
		return slices.Contains(st.BrokersOnQuorum, 1) && slices.Contains(st.BrokersOnQuorum, 2)
	})
	out, stderr, err = RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr())
	if code, ok := exitStatus(err); !ok || code != 1 || !strings.Contains(stderr, "brokers still on ZooKeeper: 3") {
		t.Fatalf("finalize with broker 3 on ZooKeeper: %v\n%s%s", err, out, stderr)
	}
	if st := m.Status(); st.Phase == migrate.PhaseFinalized || !st.RollbackPossible {
		t.Fatalf("a refused finalize changed the phase: %+v", st)
	}

	m.Broker(3).Resume()
	m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")

	// A broker frozen past replica.lag.time.max.ms leaves the ISRs: finalize refuses
	// while partitions are under-replicated.
	m.Broker(3).Pause()
	WaitFor(t, 30*time.Second, "partitions under-replicated with broker 3 frozen", func() bool { return m.Status().UnderReplicated > 0 })
	if _, stderr, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "0s", "--yes"); err == nil ||
		!strings.Contains(stderr, "partitions are under-replicated") {
		t.Fatalf("finalize with under-replicated partitions: %v\n%s", err, stderr)
	}
	m.Broker(3).Resume()
	// Once it would be accepted, finalize asks for a "yes" and changes nothing without
	// one; the default soak is 10 minutes.
	if _, stderr, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr()); err == nil || !strings.Contains(stderr, "10m0s") {
		t.Fatalf("finalize with the default soak: %v\n%s", err, stderr)
	}
	WaitFor(t, 30*time.Second, "finalize asking for confirmation once broker 3 moved and the ISRs are full", func() bool {
		_, stderr, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "1s")
		return err != nil && strings.Contains(stderr, "finalize not confirmed")
	})
	if st := m.Status(); st.Phase == migrate.PhaseFinalized {
		t.Fatal("finalize without a yes finalized")
	}
	if out, stderr, err := RunWithInput(t, []byte("yes\n"), "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "1s"); err != nil {
		t.Fatalf("finalize confirmed with yes: %v\n%s%s", err, out, stderr)
	}
	if st := m.Status(); st.Phase != migrate.PhaseFinalized || st.RollbackPossible || st.DriverState != migrate.DriverFinalized {
		t.Fatalf("status after finalize: %+v", st)
	}
	out, stderr, err = RunWithInput(t, nil, "migrate", "rollback", "--controller", m.ControllerAddr())
	if code, ok := exitStatus(err); !ok || code != 1 || !strings.Contains(stderr, "finalized") {
		t.Fatalf("rollback after finalize: %v\n%s%s", err, out, stderr)
	}
}

// findingByCode returns the first finding with code, nil if none.
func findingByCode(fs []migrate.Finding, code string) *migrate.Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}
