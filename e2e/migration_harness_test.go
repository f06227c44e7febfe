package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// plainAdmin reaches the admin endpoint of a plaintext controller listener.
var plainAdmin = &migrate.AdminClient{}

// MigrationCluster is a ZooKeeper-mode cluster ready to migrate: brokers with
// zookeeper.metadata.migration.enable and the quorum's voters, and the migration
// controllers (node ids 3000..), which start only when StartControllers is called,
// as an operator provisions them after the brokers.
type MigrationCluster struct {
	*ZKCluster
	Controllers []*Node
	// AdminArgs are added to every `kbridge migrate` the harness runs, e.g.
	// --command-config for a secured controller listener.
	AdminArgs []string
	voters    string
	root      string
}

// StartMigrationCluster starts ZooKeeper and nBrokers brokers that will migrate to a
// quorum of nControllers; the controllers are configured but not started. extra lines
// go to every broker's and controller's server.properties.
func StartMigrationCluster(t testing.TB, nBrokers, nControllers int, extra ...string) *MigrationCluster {
	t.Helper()
	return StartMigrationClusterWith(t, nBrokers, nControllers, nil, extra...)
}

// StartMigrationClusterWith is StartMigrationCluster with lines of each broker's own
// (StartZKClusterWith's perBroker): a second listener, say.
func StartMigrationClusterWith(t testing.TB, nBrokers, nControllers int, perBroker func(id int, addr string) []string, extra ...string) *MigrationCluster {
	t.Helper()
	return startMigrationCluster(t, nil, nBrokers, nControllers, perBroker, extra...)
}

// StartMigrationClusterIn is StartMigrationCluster with ZooKeeper, every broker and
// every controller in its own member of l, a zkLayout made for as many of each.
func StartMigrationClusterIn(t testing.TB, l *netfault.Layout, nBrokers, nControllers int, extra ...string) *MigrationCluster {
	t.Helper()
	return startMigrationCluster(t, l, nBrokers, nControllers, nil, extra...)
}

func startMigrationCluster(t testing.TB, l *netfault.Layout, nBrokers, nControllers int, perBroker func(id int, addr string) []string, extra ...string) *MigrationCluster {
	t.Helper()
	m := &MigrationCluster{root: t.TempDir()}
	var voters []string
	addrs := make([]string, nControllers)
	for i := range nControllers {
		addrs[i] = nodeAddr(t, l, migrationMember(3000+i), 9093)
		voters = append(voters, fmt.Sprintf("%d@%s", 3000+i, addrs[i]))
	}
	m.voters = strings.Join(voters, ",")
	migration := []string{
		"zookeeper.metadata.migration.enable=true",
		"controller.quorum.voters=" + m.voters,
		"controller.listener.names=CONTROLLER",
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
		"broker.heartbeat.interval.ms=200",
		"broker.session.timeout.ms=3000",
	}
	m.ZKCluster = startZKCluster(t, l, nBrokers, perBroker, append(migration, extra...)...)
	for i := range nControllers {
		dir := filepath.Join(m.root, fmt.Sprintf("controller-%d", 3000+i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		props := []string{
			"process.roles=controller",
			fmt.Sprintf("node.id=%d", 3000+i),
			"controller.quorum.voters=" + m.voters,
			"controller.listener.names=CONTROLLER",
			"listeners=CONTROLLER://" + addrs[i],
			"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
			"log.dirs=" + filepath.Join(dir, "data"),
			"zookeeper.metadata.migration.enable=true",
			"zookeeper.connect=" + m.Connect(),
			"controller.quorum.election.timeout.ms=1000",
			"broker.session.timeout.ms=3000",
		}
		props = append(props, extra...)
		n := &Node{
			t:          t,
			ConfigPath: filepath.Join(dir, "server.properties"),
			DataDir:    filepath.Join(dir, "data"),
			BrokerAddr: addrs[i],
			logPath:    filepath.Join(dir, "server.log"),
		}
		placeIn(n, l, migrationMember(3000+i))
		if err := os.WriteFile(n.ConfigPath, []byte(strings.Join(props, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		m.Controllers = append(m.Controllers, n)
	}
	t.Cleanup(func() {
		// Brokers first: once on the quorum, their controlled shutdown needs it.
		m.ZKCluster.Stop()
		for _, n := range m.Controllers {
			n.Stop()
			if strings.Contains(n.Log(), "migration driver made a transition it does not allow") {
				t.Errorf("controller %s's migration driver made a transition it does not allow", n.BrokerAddr)
			}
			if t.Failed() {
				n.dumpLog()
			}
		}
	})
	return m
}

// StartControllers formats the controllers with ZooKeeper's /cluster/id, as Kafka's
// migration requires, and starts them.
func (m *MigrationCluster) StartControllers() {
	m.t.Helper()
	conn := m.ZooKeeper()
	data, _, err := conn.Get(context.Background(), znode.ClusterIDPath)
	if err != nil {
		m.t.Fatalf("read %s: %v", znode.ClusterIDPath, err)
	}
	id, err := znode.DecodeClusterID(data)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, n := range m.Controllers {
		Run(m.t, "storage", "format", "-t", id, "-c", n.ConfigPath)
	}
	for _, n := range m.Controllers {
		n.Start()
	}
}

// CommitToQuorum starts the controllers, commits the migration once every broker is
// registered, and waits until every broker is on the quorum.
func (m *MigrationCluster) CommitToQuorum() {
	m.t.Helper()
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")
	Run(m.t, append([]string{"migrate", "commit", "--controller", m.ControllerAddr()}, m.AdminArgs...)...)
	if st := m.WaitPhase(30*time.Second, migrate.PhaseBrokersOnKRaft, ""); st.DriverState != migrate.DriverDualWrite {
		m.t.Fatalf("driver state after the commit: %s, want DUAL_WRITE", st.DriverState)
	}
	// A broker that moved registers anew and is fenced until it has caught up with
	// that registration, as in Kafka; until then a topic of replication factor
	// len(Brokers) cannot be placed.
	WaitFor(m.t, 30*time.Second, "every broker unfenced on the quorum", func() bool {
		ids, _ := m.metadata(m.Brokers[0].BrokerAddr)
		return len(ids) == len(m.Brokers)
	})
}

// activeController is the controller that leads the quorum, as the first controller
// that answers sees it.
func (m *MigrationCluster) activeController(t testing.TB) *Node {
	t.Helper()
	for _, n := range m.Controllers {
		view, err := plainAdmin.FetchControllerView(context.Background(), n.BrokerAddr)
		if err != nil {
			continue
		}
		i := int(view.LeaderID) - 3000
		if i < 0 || i >= len(m.Controllers) {
			t.Fatalf("no active controller (leader %d)", view.LeaderID)
		}
		return m.Controllers[i]
	}
	t.Fatal("no controller answers")
	return nil
}

// ControllerAddr is the first controller's listener, for --controller.
func (m *MigrationCluster) ControllerAddr() string { return m.Controllers[0].BrokerAddr }

// Status runs `kbridge migrate status --output json` against the first controller
// that answers; a zero Status when none does.
func (m *MigrationCluster) Status() migrate.Status {
	for _, n := range m.Controllers {
		out, _, err := RunWithInput(m.t, nil, append([]string{"migrate", "status", "--controller", n.BrokerAddr, "--output", "json"}, m.AdminArgs...)...)
		var st migrate.Status
		if err == nil && json.Unmarshal([]byte(out), &st) == nil {
			return st
		}
	}
	return migrate.Status{}
}

// WaitPhase waits until `migrate status` shows phase (and sub-state, when given).
func (m *MigrationCluster) WaitPhase(timeout time.Duration, phase, subState string) migrate.Status {
	m.t.Helper()
	var st migrate.Status
	WaitFor(m.t, timeout, "migration phase "+phase+" "+subState, func() bool {
		st = m.Status()
		return st.Phase == phase && (subState == "" || st.SubState == subState)
	})
	return st
}

// exitStatus is the exit status of a command that ran and failed.
func exitStatus(err error) (int, bool) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), true
	}
	return 0, false
}
