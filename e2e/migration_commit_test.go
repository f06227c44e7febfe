package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
)

// dryRunReport runs `kbridge migrate dry-run --output json` and returns the report and
// the exit status.
func dryRunReport(t *testing.T, args ...string) (migrate.Report, int) {
	t.Helper()
	out, stderr, err := RunWithInput(t, nil, append([]string{"migrate", "dry-run", "--output", "json"}, args...)...)
	code := 0
	if err != nil {
		var ok bool
		if code, ok = exitStatus(err); !ok {
			t.Fatalf("migrate dry-run: %v\n%s", err, stderr)
		}
	}
	var r migrate.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("migrate dry-run output is not its JSON report: %v\n%s\n%s", err, out, stderr)
	}
	return r, code
}

// TestMigrationCommit is issue 6's first acceptance: three ZooKeeper-mode brokers with
// topics (RF=3, configs, a compacted topic, a consumer group with committed offsets)
// and three migration controllers. dry-run prints the exact counts and exits 0;
// commit brings the brokers onto the quorum in place; and the quorum's image holds,
// field for field, what ZooKeeper held.
func TestMigrationCommit(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	retention, compact := "3600000", "compact"
	for name, spec := range map[string]struct {
		partitions int32
		configs    map[string]*string
	}{
		"orders":    {3, map[string]*string{"retention.ms": &retention}},
		"compacted": {1, map[string]*string{"cleanup.policy": &compact}},
	} {
		if resp, err := adm.CreateTopic(ctx, spec.partitions, 3, spec.configs, name); err != nil || resp.Err != nil {
			t.Fatalf("create %s: %v %v", name, err, resp.Err)
		}
	}
	producer := m.Client(kgo.ProducerLinger(0))
	acked := produceAcked(t, producer, "orders", "before", 50)
	group := m.Client(kgo.ConsumeTopics("orders"), kgo.ConsumerGroup("g1"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if got := readValues(group, len(acked)); len(got) != len(acked) {
		t.Fatalf("group read %d of %d", len(got), len(acked))
	}
	if err := group.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit offsets: %v", err)
	}

	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")

	conn := m.ZooKeeper()
	before, err := zkmode.LoadTree(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	report, code := dryRunReport(t, "--zookeeper", m.Connect(), "--controller", m.ControllerAddr())
	if code != 0 || !report.Ready {
		t.Fatalf("dry-run exit %d, ready %v: %+v", code, report.Ready, report.Findings)
	}
	wantPartitions := 0
	for _, tp := range before.Image.Topics {
		wantPartitions += len(tp.Partitions)
	}
	p := report.Plan
	if p.Brokers != 3 || p.Topics != 3 || p.Partitions != wantPartitions || p.TopicConfigs != 3 || p.Transactions != 1 {
		t.Fatalf("plan: brokers %d topics %d partitions %d (want %d) topic configs %d transactions %d",
			p.Brokers, p.Topics, p.Partitions, wantPartitions, p.TopicConfigs, p.Transactions)
	}
	records, _ := before.MigrationRecords()
	if p.Records == nil || *p.Records != len(records)+3 {
		t.Fatalf("plan records %v, want %d copied + Begin, MIGRATION, End", p.Records, len(records))
	}

	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	st := m.WaitPhase(30*time.Second, migrate.PhaseBrokersOnKRaft, "")
	if len(st.BrokersOnQuorum) != 3 || !st.RollbackPossible {
		t.Fatalf("status after commit: %+v", st)
	}
	// Re-running commit is safe and writes nothing.
	if out := Run(t, "migrate", "commit", "--controller", m.ControllerAddr()); !strings.Contains(out, "already holds the migration") {
		t.Fatalf("second commit: %s", out)
	}
	// No controller failed over, so none took the commit it watched copying for an
	// interrupted one (issue 13).
	for _, n := range m.Controllers {
		if strings.Contains(n.Log(), "resuming a commit interrupted") {
			t.Errorf("controller %s resumed a commit that no failover interrupted", n.BrokerAddr)
		}
	}

	view, err := plainAdmin.FetchControllerView(ctx, m.ControllerAddr())
	if err != nil {
		t.Fatal(err)
	}
	compareCopied(t, before.Image, view.Image)

	// The brokers serve from the quorum: old records read back, new ones go in.
	acked = append(acked, produceAcked(t, producer, "orders", "after", 50)...)
	cl := m.Client(kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if got := readValues(cl, len(acked)); len(got) != len(acked) {
		t.Fatalf("read %d of %d records after the switch", len(got), len(acked))
	}
	offsets, err := adm.FetchOffsets(ctx, "g1")
	if err != nil || offsets.Error() != nil {
		t.Fatalf("committed offsets of g1 after the switch: %v %v", err, offsets.Error())
	}
	var committed int64
	offsets.Each(func(o kadm.OffsetResponse) { committed += o.At })
	if committed != 50 {
		t.Fatalf("g1 has %d committed offsets after the switch, want 50", committed)
	}

	// `metadata dump` of a stopped controller's log holds a record for every copied
	// znode, field for field as ZooKeeper had it at the commit.
	for _, n := range m.Controllers {
		if int32(indexOf(m.Controllers, n)+3000) != view.LeaderID {
			n.Stop()
			checkDumpHoldsCopy(t, filepath.Join(n.DataDir, "__cluster_metadata-0"), before.Image)
			n.Start()
			break
		}
	}

	// The Kafka way works too: broker 3 restarted as a KRaft broker on its own log dirs
	// (meta.properties still version 0) rejoins and serves everything.
	b3 := m.Broker(3)
	b3.Stop()
	props := []string{
		"process.roles=broker", "node.id=3",
		"listeners=PLAINTEXT://" + b3.BrokerAddr,
		"log.dirs=" + b3.DataDir,
		"controller.quorum.voters=" + m.voters,
		"controller.listener.names=CONTROLLER",
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
		"offsets.topic.replication.factor=3",
	}
	if err := os.WriteFile(b3.ConfigPath, []byte(strings.Join(props, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b3.Start()
	WaitFor(t, 30*time.Second, "broker 3 back as a KRaft broker, in every ISR", func() bool {
		for _, name := range []string{"orders", "compacted"} {
			for p := range view.Image.Topics[name].Partitions {
				pd, err := describePartition(adm, name, p)
				if err != nil || len(pd.ISR) != 3 {
					return false
				}
			}
		}
		return true
	})
	kraft := kgo.SeedBrokers(b3.BrokerAddr)
	only3 := m.Client(kraft, kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if got := readValues(only3, len(acked)); len(got) != len(acked) {
		t.Fatalf("read %d of %d records seeded with only the restarted KRaft broker", len(got), len(acked))
	}
}

// compareCopied checks, entity by entity and field by field, that the quorum's image
// holds what ZooKeeper held before the commit: topics with their ids, partitions,
// leaders, ISRs and epochs, and the configs.
func compareCopied(t *testing.T, zk, kraft *metadata.Image) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(zk.Topics)) {
		zt, kt := zk.Topics[name], kraft.Topics[name]
		if kt == nil {
			t.Errorf("topic %s was not copied", name)
			continue
		}
		if kt.ID != zt.ID {
			t.Errorf("topic %s: id %s, ZooKeeper has %s", name, kt.ID, zt.ID)
		}
		for id, zp := range zt.Partitions {
			kp := kt.Partitions[id]
			if kp == nil {
				t.Errorf("%s-%d was not copied", name, id)
				continue
			}
			if !slices.Equal(kp.Replicas, zp.Replicas) || kp.LeaderEpoch < zp.LeaderEpoch {
				t.Errorf("%s-%d: replicas %v leader epoch %d; ZooKeeper had %v epoch %d", name, id, kp.Replicas, kp.LeaderEpoch, zp.Replicas, zp.LeaderEpoch)
			}
		}
		res := metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: name}
		if !maps.Equal(zk.Configs[res], kraft.Configs[res]) {
			t.Errorf("topic %s configs %v, ZooKeeper has %v", name, kraft.Configs[res], zk.Configs[res])
		}
	}
	if len(kraft.Topics) != len(zk.Topics) {
		t.Errorf("quorum has %d topics, ZooKeeper had %d", len(kraft.Topics), len(zk.Topics))
	}
}

// dumpedRecord is one line of `kbridge metadata dump --output json`.
type dumpedRecord struct {
	Record struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	} `json:"record"`
}

// checkDumpHoldsCopy reads a stopped controller's metadata log with `metadata dump`
// and requires the copy's records: a TopicRecord with ZooKeeper's topic id for every
// topic, the first PartitionRecord of every partition with ZooKeeper's replicas, ISR,
// leader, leader epoch and zkVersion as partition epoch, and a ConfigRecord for every
// topic config.
func checkDumpHoldsCopy(t *testing.T, dir string, zk *metadata.Image) {
	t.Helper()
	out := Run(t, "metadata", "dump", "--dir", dir, "--output", "json")
	ids := map[string]metadata.Uuid{}
	parts := map[string]metadata.PartitionRecord{}
	configs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var d dumpedRecord
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("metadata dump line %q: %v", line, err)
		}
		switch d.Record.Type {
		case "TOPIC_RECORD":
			var r metadata.TopicRecord
			if err := json.Unmarshal(d.Record.Data, &r); err != nil {
				t.Fatalf("dump: %s: %v", d.Record.Type, err)
			}
			ids[r.Name] = r.TopicID
		case "PARTITION_RECORD":
			var r metadata.PartitionRecord
			if err := json.Unmarshal(d.Record.Data, &r); err != nil {
				t.Fatalf("dump: %s: %v", d.Record.Type, err)
			}
			key := r.TopicID.String() + "/" + strconv.Itoa(int(r.PartitionID))
			if _, seen := parts[key]; !seen {
				parts[key] = r
			}
		case "CONFIG_RECORD":
			var r metadata.ConfigRecord
			if err := json.Unmarshal(d.Record.Data, &r); err != nil {
				t.Fatalf("dump: %s: %v", d.Record.Type, err)
			}
			if r.ResourceType == metadata.ConfigResourceTopic && r.Value != nil {
				configs[r.ResourceName+"/"+r.Name] = *r.Value
			}
		}
	}
	for name, tp := range zk.Topics {
		if ids[name] != tp.ID {
			t.Errorf("dump: topic %s has id %s, ZooKeeper %s", name, ids[name], tp.ID)
		}
		for id, p := range tp.Partitions {
			r, ok := parts[tp.ID.String()+"/"+strconv.Itoa(int(id))]
			if !ok || !slices.Equal(r.Replicas, p.Replicas) || !slices.Equal(r.ISR, p.ISR) || r.Leader != p.Leader ||
				r.LeaderEpoch != p.LeaderEpoch || r.PartitionEpoch != p.PartitionEpoch {
				t.Errorf("dump: %s-%d copied as %+v, ZooKeeper had %+v", name, id, r, *p)
			}
		}
		for k, v := range zk.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: name}] {
			if configs[name+"/"+k] != v {
				t.Errorf("dump: topic %s config %s = %q, ZooKeeper %q", name, k, configs[name+"/"+k], v)
			}
		}
	}
}
