package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
)

// The migration metrics as the tests read them, with the JMX exporter's names.
const (
	activeControllerCount  = "kafka_controller_kafkacontroller_activecontrollercount"
	zkMigrationState       = "kafka_controller_kafkacontroller_zkmigrationstate"
	migratingZkBrokerCount = "kafka_controller_kafkacontroller_migratingzkbrokercount"
	zkWriteBehindLag       = "kafka_controller_kafkacontroller_zkwritebehindlag"
	globalPartitionCount   = "kafka_controller_kafkacontroller_globalpartitioncount"
)

// metricsEndpoint is one node's /metrics.
type metricsEndpoint struct {
	name string
	url  string
}

// values reads series (exact names with labels) from one scrape; -1 for an absent one.
func (e metricsEndpoint) values(t *testing.T, series ...string) []float64 {
	t.Helper()
	_, body := scrape(t, e.url)
	out := make([]float64, len(series))
	for i, s := range series {
		out[i] = metricValue(body, s)
	}
	return out
}

// value reads one series; -1 when it is absent.
func (e metricsEndpoint) value(t *testing.T, series string) float64 {
	t.Helper()
	return e.values(t, series)[0]
}

// listenMetrics picks a free loopback port for a node's metrics.listeners.
func listenMetrics(t *testing.T, name string) (metricsEndpoint, string) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	return metricsEndpoint{name: name, url: "http://" + addr + "/metrics"}, "metrics.listeners=http://" + addr
}

// sumOf adds series over endpoints, an absent series counting 0, and says who reports
// what.
func sumOf(t *testing.T, series string, endpoints []metricsEndpoint) (float64, string) {
	t.Helper()
	sum, seen := 0.0, ""
	for _, e := range endpoints {
		v := e.value(t, series)
		seen += fmt.Sprintf(" %s=%v", e.name, v)
		sum += max(v, 0)
	}
	return sum, seen
}

// TestMigrationMetrics is issue 18's second acceptance: during a migration under
// load, Kafka's migration metrics on the controllers follow the phases.
//   - ZooKeeper mode: every broker reports ZkMigrationState 4 (ZK), and
//     ActiveControllerCount sums to 1 over the brokers: the /controller holder's,
//     whose GlobalPartitionCount is the cluster's.
//   - PRE_MIGRATION, every broker registered: every controller reports
//     ZkMigrationState 2 and MigratingZkBrokerCount equal to the brokers `migrate
//     status` lists as on ZooKeeper.
//   - Dual-write, every broker moved: ZkMigrationState 1, MigratingZkBrokerCount 0,
//     and ActiveControllerCount still sums to 1 over brokers and controllers (a
//     broker on the quorum reports no KafkaController, as a KRaft broker has none).
//     With ZooKeeper stopped, a topic created through the quorum makes the active
//     controller's ZkWriteBehindLag rise above 0 (the others stay 0); it returns to
//     0 once ZooKeeper is back, and ZkWriteDeltaTimeMs has counted the writes.
//     promtool accepts the controller's exposition, and `migrate status --watch`
//     shows the phase refresh after refresh until interrupted.
//   - Finalized: ZkMigrationState 3 (POST_MIGRATION).
//
// No produce call of the background load fails throughout.
func TestMigrationMetrics(t *testing.T) {
	promtool := requireTool(t, "promtool")
	brokers := map[int]metricsEndpoint{}
	m := StartMigrationClusterWith(t, 3, 3, func(id int, _ string) []string {
		e, line := listenMetrics(t, fmt.Sprintf("broker-%d", id))
		brokers[id] = e
		return []string{line}
	})
	var brokerEndpoints, controllers []metricsEndpoint
	for id := range len(m.Brokers) {
		brokerEndpoints = append(brokerEndpoints, brokers[id+1])
	}
	for i, n := range m.Controllers {
		e, line := listenMetrics(t, fmt.Sprintf("controller-%d", 3000+i))
		appendProperties(t, n.ConfigPath, line)
		controllers = append(controllers, e)
	}
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	const partitions = 6
	if resp, err := adm.CreateTopic(ctx, partitions, 3, nil, "load"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}

	// ZooKeeper mode.
	WaitFor(t, 20*time.Second, "one active ZooKeeper controller among the brokers, which counts every partition", func() bool {
		active := 0
		for _, e := range brokerEndpoints {
			v := e.values(t, activeControllerCount, zkMigrationState, globalPartitionCount)
			if v[1] != 4 {
				return false
			}
			if v[0] == 1 {
				active++
				if v[2] != partitions {
					return false
				}
			}
		}
		return active == 1
	})
	if sum, seen := sumOf(t, activeControllerCount, brokerEndpoints); sum != 1 {
		t.Fatalf("ActiveControllerCount over the ZooKeeper-mode brokers sums to %v:%s", sum, seen)
	}

	p := startSteadyProducer(m.Client(kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks())), []string{"load"}, 500)
	WaitFor(t, 20*time.Second, "records acknowledged before the migration", func() bool { return p.count() >= 500 })

	// PRE_MIGRATION.
	m.StartControllers()
	st := m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")
	for _, c := range controllers {
		WaitFor(t, 10*time.Second, c.name+" in PRE_MIGRATION with every ZooKeeper broker registered", func() bool {
			v := c.values(t, zkMigrationState, migratingZkBrokerCount, zkWriteBehindLag)
			return v[0] == 2 && v[1] == float64(len(st.BrokersOnZooKeeper)) && v[2] == 0
		})
	}
	if len(st.BrokersOnZooKeeper) != len(m.Brokers) {
		t.Fatalf("migrate status lists brokers %v on ZooKeeper, want all %d", st.BrokersOnZooKeeper, len(m.Brokers))
	}

	// Dual-write.
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	st = m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	for _, c := range controllers {
		WaitFor(t, 10*time.Second, c.name+" in MIGRATION with no broker left on ZooKeeper", func() bool {
			v := c.values(t, zkMigrationState, migratingZkBrokerCount)
			return v[0] == 1 && v[1] == float64(len(st.BrokersOnZooKeeper))
		})
	}
	all := append(append([]metricsEndpoint(nil), brokerEndpoints...), controllers...)
	WaitFor(t, 10*time.Second, "one active controller across brokers and controllers", func() bool {
		sum, _ := sumOf(t, activeControllerCount, all)
		return sum == 1
	})
	for _, b := range brokerEndpoints {
		if v := b.value(t, zkMigrationState); v != -1 {
			t.Errorf("%s, on the quorum, still reports ZkMigrationState %v", b.name, v)
		}
	}
	for i, w := range watchStatuses(t, m.ControllerAddr(), 3) {
		if w.Phase != migrate.PhaseBrokersOnKRaft {
			t.Errorf("migrate status --watch refresh %d shows phase %s, want %s", i+1, w.Phase, migrate.PhaseBrokersOnKRaft)
		}
	}
	var active metricsEndpoint
	for _, c := range controllers {
		if c.value(t, activeControllerCount) == 1 {
			active = c
		}
	}

	m.ZK.Stop()
	if resp, err := adm.CreateTopic(ctx, 3, 3, nil, "during-outage"); err != nil || resp.Err != nil {
		t.Fatalf("create a topic through the quorum while ZooKeeper is down: %v %v", err, resp.Err)
	}
	WaitFor(t, 10*time.Second, active.name+"'s ZkWriteBehindLag above 0 while ZooKeeper is down", func() bool {
		return active.value(t, zkWriteBehindLag) > 0
	})
	for _, c := range controllers {
		if c != active {
			if v := c.value(t, zkWriteBehindLag); v != 0 {
				t.Errorf("%s, not the active controller, reports ZkWriteBehindLag %v", c.name, v)
			}
		}
	}
	m.ZK.Start()
	WaitFor(t, 60*time.Second, active.name+"'s ZkWriteBehindLag back to 0 with ZooKeeper back", func() bool {
		return active.value(t, zkWriteBehindLag) == 0
	})
	_, body := scrape(t, active.url)
	if n := metricValue(body, "kafka_controller_kafkacontroller_zkwritedeltatimems_count"); n <= 0 {
		t.Errorf("ZkWriteDeltaTimeMs counted %v dual-writes after topics were created in dual-write", n)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader([]byte(body))
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics on %s: %v\n%s", active.name, err, out)
	}

	// Finalized.
	WaitFor(t, 30*time.Second, "finalize accepted", func() bool {
		_, _, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "0s", "--yes")
		return err == nil
	})
	for _, c := range controllers {
		WaitFor(t, 10*time.Second, c.name+" in POST_MIGRATION", func() bool {
			v := c.values(t, zkMigrationState, zkWriteBehindLag)
			return v[0] == 3 && v[1] == 0
		})
	}

	acked, failed := p.finish()
	if len(failed) > 0 {
		t.Fatalf("%d produce calls failed during the migration, the first: %v", len(failed), failed[0])
	}
	t.Logf("%d records acknowledged during the migration", len(acked))
}
