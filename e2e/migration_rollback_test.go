package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestMigrationDualWriteAndRollback is issue 6's third acceptance: during dual-write a
// topic created and a config altered through the quorum appear in ZooKeeper in
// Kafka's layout; rollback then returns the cluster to ZooKeeper mode with those
// changes present, and the brokers keep serving. Then (issue 13) a second migration
// succeeds the way dry-run and commit describe after a rollback.
func TestMigrationDualWriteAndRollback(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, "before"); err != nil || resp.Err != nil {
		t.Fatalf("create before: %v %v", err, resp.Err)
	}
	m.CommitToQuorum()

	// Changes made through the quorum during dual-write.
	retention := "7200000"
	if resp, err := adm.CreateTopic(ctx, 2, 3, map[string]*string{"retention.ms": &retention}, "during"); err != nil || resp.Err != nil {
		t.Fatalf("create during: %v %v", err, resp.Err)
	}
	if _, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "cleanup.policy", Value: strPtr("compact")}}, "before"); err != nil {
		t.Fatalf("alter before: %v", err)
	}
	view, err := plainAdmin.FetchControllerView(ctx, m.ControllerAddr())
	if err != nil {
		t.Fatal(err)
	}
	conn := m.ZooKeeper()
	WaitFor(t, 15*time.Second, "the quorum's changes in ZooKeeper", func() bool {
		return zkExists(t, conn, znode.TopicPartitionStatePath("during", 1)) && zkConfig(t, conn, "before")["cleanup.policy"] == "compact"
	})
	topic, _ := zkJSON(t, conn, znode.TopicPath("during"))
	wantKeys(t, znode.TopicPath("during"), topic, "version", "partitions", "adding_replicas", "removing_replicas", "topic_id")
	wantNumber(t, znode.TopicPath("during"), topic, "version", 3)
	if kt := view.Image.Topics["during"]; kt == nil || topic["topic_id"] != kt.ID.String() {
		t.Fatalf("ZooKeeper's topic_id %v is not the quorum's", topic["topic_id"])
	}
	if got := zkConfig(t, conn, "during")["retention.ms"]; got != retention {
		t.Fatalf("/config/topics/during retention.ms = %q", got)
	}
	state, _ := zkJSON(t, conn, znode.TopicPartitionStatePath("during", 0))
	wantKeys(t, "state of during-0", state, "version", "leader", "leader_epoch", "controller_epoch", "isr")
	if !strings.Contains(strings.Join(zkChildren(t, conn, znode.ConfigChangesPath), ","), znode.ConfigChangePrefix) {
		t.Fatal("no config_change_ notification for the dual-written configs")
	}
	producer := m.Client(kgo.ProducerLinger(0))
	acked := produceAcked(t, producer, "during", "dual-write", 30)

	// --dry-run changes nothing.
	out := Run(t, "migrate", "rollback", "--controller", m.ControllerAddr(), "--dry-run")
	if !strings.Contains(out, "Rollback would:") || !zkExists(t, conn, znode.MigrationPath) {
		t.Fatalf("rollback --dry-run:\n%s", out)
	}
	epochBefore, _ := controllerEpoch(t, conn)
	out = Run(t, "migrate", "rollback", "--controller", m.ControllerAddr())
	if !strings.Contains(out, "Rolled back.") {
		t.Fatalf("rollback:\n%s", out)
	}
	if zkExists(t, conn, znode.MigrationPath) {
		t.Fatal("/migration survived the rollback")
	}
	WaitFor(t, 20*time.Second, "a ZooKeeper broker elected controller with a higher epoch", func() bool {
		data, stat, err := conn.Get(ctx, znode.ControllerPath)
		if err != nil {
			return false
		}
		c, err := znode.DecodeController(data)
		epoch, _ := controllerEpoch(t, conn)
		return err == nil && !c.IsKRaftController() && stat.EphemeralOwner != 0 && epoch > epochBefore
	})
	st := m.Status()
	if st.SubState != "ROLLED_BACK" || st.RollbackPossible || st.DriverState != migrate.DriverRolledBack {
		t.Fatalf("status after rollback: %+v", st)
	}
	for _, n := range m.Brokers {
		WaitFor(t, 10*time.Second, "every broker back on ZooKeeper", func() bool {
			return strings.Contains(n.Log(), "moved back to ZooKeeper in place")
		})
	}

	// ZooKeeper mode serves the changes and takes new ones: the topic made through the
	// quorum is readable, and a topic created now gets its state from the ZooKeeper
	// controller.
	acked = append(acked, produceAcked(t, producer, "during", "rolled-back", 30)...)
	cl := m.Client(kgo.ConsumeTopics("during"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if got := readValues(cl, len(acked)); len(got) != len(acked) {
		t.Fatalf("read %d of %d records after the rollback", len(got), len(acked))
	}
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, "after-rollback"); err != nil || resp.Err != nil {
		t.Fatalf("create after-rollback: %v %v", err, resp.Err)
	}
	WaitFor(t, 15*time.Second, "after-rollback's state from the ZooKeeper controller", func() bool {
		return zkExists(t, conn, znode.TopicPartitionStatePath("after-rollback", 0))
	})
	if s, _ := partitionState(t, conn, "after-rollback", 0); s.Leader < 0 {
		t.Fatalf("after-rollback-0 has no leader: %+v", s)
	}

	// A second migration, the way dry-run and commit say after a rollback: the rolled
	// back quorum refuses to copy again; new, empty controllers formatted with
	// ZooKeeper's cluster id, the brokers restarted one at a time, then dry-run and
	// commit as the first time.
	out, stderr, err := RunWithInput(t, nil, "migrate", "commit", "--controller", m.ControllerAddr())
	if code, ok := exitStatus(err); !ok || code != 1 || !strings.Contains(stderr, migrate.CodeRolledBack) {
		t.Fatalf("commit on the rolled-back quorum: %v\n%s%s", err, out, stderr)
	}
	for _, n := range m.Controllers {
		n.Stop()
		if err := os.RemoveAll(n.DataDir); err != nil {
			t.Fatal(err)
		}
	}
	m.StartControllers()
	for _, n := range m.Brokers {
		n.Stop()
		n.Start()
	}
	m.WaitPhase(60*time.Second, migrate.PhasePreMigration, "READY")
	if report, code := dryRunReport(t, "--zookeeper", m.Connect(), "--controller", m.ControllerAddr()); code != 0 {
		t.Fatalf("dry-run before the second migration: exit %d, findings %+v", code, report.Findings)
	}
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	acked = append(acked, produceAcked(t, producer, "during", "migrated-again", 30)...)
	cl = m.Client(kgo.ConsumeTopics("during"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if got := readValues(cl, len(acked)); len(got) != len(acked) {
		t.Fatalf("read %d of %d records after the second migration", len(got), len(acked))
	}
}

func strPtr(s string) *string { return &s }

// zkConfig reads /config/topics/<topic>'s config map.
func zkConfig(t *testing.T, conn *zkmode.Conn, topic string) map[string]string {
	t.Helper()
	path := znode.ConfigEntityPath(znode.ConfigTypeTopic, topic)
	if !zkExists(t, conn, path) {
		return nil
	}
	data, _, err := conn.Get(context.Background(), path)
	if err != nil {
		return nil
	}
	cfg, err := znode.DecodeConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg
}

// zkChildren lists a znode's children through the test's session.
func zkChildren(t *testing.T, conn *zkmode.Conn, path string) []string {
	t.Helper()
	kids, err := conn.Children(context.Background(), path)
	if err != nil {
		t.Fatalf("children of %s: %v", path, err)
	}
	return kids
}
