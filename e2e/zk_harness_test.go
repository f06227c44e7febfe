package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// zkChroot is where the ZooKeeper-mode tests keep their cluster, so that the chroot
// of zookeeper.connect is exercised by every one of them.
const zkChroot = "/kafka"

// ZKCluster is a ZooKeeper-mode cluster: a real ZooKeeper server and broker processes
// (broker.id 1..n) coordinated through it, all on loopback.
type ZKCluster struct {
	t       testing.TB
	ZK      *zktest.Server
	Brokers []*Node
}

// zkTimings make failure detection fast enough for tests: sessions end 4 s after a
// broker dies, and followers that stop fetching leave the ISR after 3 s; and a group's
// first member does not wait 3 s for others.
var zkTimings = []string{
	"group.initial.rebalance.delay.ms=0",
	"zookeeper.session.timeout.ms=4000",
	"replica.lag.time.max.ms=3000",
	"replica.fetch.wait.max.ms=200",
	"replica.fetch.backoff.ms=100",
}

// StartZKCluster starts a ZooKeeper server and nBrokers ZooKeeper-mode brokers with
// zookeeper.connect pointing at zkChroot; extra lines go to every server.properties.
// It returns once the first broker lists every broker and names a controller.
func StartZKCluster(t testing.TB, nBrokers int, extra ...string) *ZKCluster {
	t.Helper()
	return StartZKClusterWith(t, nBrokers, nil, extra...)
}

// StartZKClusterWith is StartZKCluster with lines of each broker's own: perBroker gets
// the broker's id and its PLAINTEXT address and returns lines added after the common
// ones (a second listener, say).
func StartZKClusterWith(t testing.TB, nBrokers int, perBroker func(id int, addr string) []string, extra ...string) *ZKCluster {
	t.Helper()
	return startZKCluster(t, nil, nBrokers, perBroker, extra...)
}

// StartZKClusterIn is StartZKCluster with ZooKeeper and every broker in its own member
// of l, a zkLayout: ZooKeeper on its member's address, each broker on 9092 of its own.
func StartZKClusterIn(t testing.TB, l *netfault.Layout, nBrokers int, extra ...string) *ZKCluster {
	t.Helper()
	return startZKCluster(t, l, nBrokers, nil, extra...)
}

func startZKCluster(t testing.TB, l *netfault.Layout, nBrokers int, perBroker func(id int, addr string) []string, extra ...string) *ZKCluster {
	t.Helper()
	root := t.TempDir()
	c := &ZKCluster{t: t}
	if l == nil {
		c.ZK = zktest.Start(t)
	} else {
		host, err := l.Addr(zkMember)
		if err != nil {
			t.Fatal(err)
		}
		c.ZK = zktest.StartIn(t, host.String(), func(cmd *exec.Cmd) error { return l.Wrap(zkMember, cmd) })
	}
	common := append([]string{
		"zookeeper.connect=" + c.Connect(),
		"offsets.topic.replication.factor=" + fmt.Sprint(min(3, nBrokers)),
		"transaction.state.log.replication.factor=" + fmt.Sprint(min(3, nBrokers)),
		"transaction.state.log.min.isr=" + fmt.Sprint(min(2, nBrokers)),
	}, zkTimings...)
	common = append(common, extra...)
	for i := range nBrokers {
		id := i + 1
		dir := filepath.Join(root, fmt.Sprintf("broker-%d", id))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		addr := nodeAddr(t, l, brokerMember(id), 9092)
		props := append([]string{
			fmt.Sprintf("broker.id=%d", id),
			"listeners=PLAINTEXT://" + addr,
			"log.dirs=" + filepath.Join(dir, "data"),
		}, common...)
		if perBroker != nil {
			props = append(props, perBroker(id, addr)...)
		}
		n := &Node{
			t:          t,
			ConfigPath: filepath.Join(dir, "server.properties"),
			DataDir:    filepath.Join(dir, "data"),
			BrokerAddr: addr,
			logPath:    filepath.Join(dir, "server.log"),
		}
		placeIn(n, l, brokerMember(id))
		if err := os.WriteFile(n.ConfigPath, []byte(strings.Join(props, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c.Brokers = append(c.Brokers, n)
	}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			for _, n := range c.Brokers {
				n.dumpLog()
			}
		}
	})
	for _, n := range c.Brokers {
		n.Start()
	}
	WaitFor(t, 30*time.Second, "every broker listed and a controller elected", func() bool {
		ids, controller := c.metadata(c.Brokers[0].BrokerAddr)
		return len(ids) == nBrokers && controller >= 0
	})
	return c
}

// Connect is the brokers' zookeeper.connect, chroot included.
func (c *ZKCluster) Connect() string { return c.ZK.Addr() + zkChroot }

// Stop stops every broker; stopping a stopped one does nothing.
func (c *ZKCluster) Stop() {
	for _, n := range c.Brokers {
		n.Stop()
	}
}

// Broker returns the broker with broker.id id.
func (c *ZKCluster) Broker(id int32) *Node {
	c.t.Helper()
	if id < 1 || int(id) > len(c.Brokers) {
		c.t.Fatalf("no broker %d", id)
	}
	return c.Brokers[id-1]
}

// BrokerAddrs are the brokers' client addresses, for seeds.
func (c *ZKCluster) BrokerAddrs() []string {
	var out []string
	for _, b := range c.Brokers {
		out = append(out, b.BrokerAddr)
	}
	return out
}

// Client is a franz-go client seeded with every broker.
func (c *ZKCluster) Client(opts ...kgo.Opt) *kgo.Client {
	c.t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.BrokerAddrs()...)}, opts...)...)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(cl.Close)
	return cl
}

// metadata asks one broker, without any client-side cache, which brokers it lists and
// which it names controller; nil and -1 when it does not answer.
func (c *ZKCluster) metadata(addr string) (ids []int32, controller int32) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := kwire.Dial(ctx, addr, "e2e")
	if err != nil {
		return nil, -1
	}
	defer conn.Close()
	resp, err := conn.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil {
		return nil, -1
	}
	m := resp.(*kmsg.MetadataResponse)
	for _, b := range m.Brokers {
		ids = append(ids, b.NodeID)
	}
	return ids, m.ControllerID
}

// ZooKeeper opens a session of the test's own, chrooted as the brokers' are.
func (c *ZKCluster) ZooKeeper() *zkmode.Conn {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zkmode.Dial(ctx, c.Connect(), 10*time.Second, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(conn.Close)
	return conn
}

// ZkCli runs Debian's zkCli.sh against the server (not chrooted) and returns its
// output; ZooKeeper's own client is how an operator looks at the layout.
func (c *ZKCluster) ZkCli(args ...string) string {
	c.t.Helper()
	cli := "/usr/share/zookeeper/bin/zkCli.sh"
	if _, err := os.Stat(cli); err != nil {
		c.t.Fatalf("zkCli.sh not found at %s (run `make test-deps`): %v", cli, err)
	}
	cmd := exec.Command(cli, append([]string{"-server", c.ZK.Addr()}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("zkCli.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ControllerID reads /controller's broker id through the test's own session, -1
// when there is none.
func (c *ZKCluster) ControllerID(conn *zkmode.Conn) int32 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, _, err := conn.Get(ctx, znode.ControllerPath)
	if err != nil {
		return -1
	}
	ctrl, err := znode.DecodeController(data)
	if err != nil {
		return -1
	}
	return ctrl.BrokerID
}
