package e2e

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/kwire"
)

// Cluster is a multi-process KRaft cluster: controller-only nodes forming the quorum
// and broker-only nodes following it, all on loopback.
type Cluster struct {
	t           testing.TB
	ClusterID   string
	Controllers []*Node
	Brokers     []*Node
	spec        ClusterSpec
}

// ClusterSpec is a cluster's shape beyond its size: the brokers' listener and the
// controller listener's security protocol, lines for every node's server.properties,
// arguments of `storage format` (such as --add-scram), and how the harness itself
// reaches a broker's listener.
type ClusterSpec struct {
	Controllers, Brokers int
	// BrokerListener is the brokers' one listener, named after its security protocol
	// and used between brokers too; PLAINTEXT when empty.
	BrokerListener string
	// ControllerProtocol is the CONTROLLER listener's security protocol; PLAINTEXT
	// when empty.
	ControllerProtocol string
	Extra              []string
	FormatArgs         []string
	// BrokerSecurity is how the harness's own requests reach a broker.
	BrokerSecurity kwire.Security
	// Network, when set, puts every node in its own member of the layout (see
	// kraftMembers) instead of on loopback: the node listens on the member's address,
	// 9093 for the controller listener and 9092 for a broker's.
	Network *netfault.Layout
	// Metrics gives every node a metrics.listeners address of its own on a free
	// loopback port (Node.MetricsAddr), for tests that scrape each node.
	Metrics bool
}

// clusterTimings make failure detection fast enough for tests and the failover
// benchmark: heartbeats every 200 ms, fencing after 1.5 s, ISR shrink after 3 s; and a
// group's first member does not wait 3 s for others.
var clusterTimings = []string{
	"group.initial.rebalance.delay.ms=0",
	"broker.heartbeat.interval.ms=200",
	"broker.session.timeout.ms=1500",
	"controller.quorum.election.timeout.ms=1000",
	"replica.lag.time.max.ms=3000",
	"replica.fetch.wait.max.ms=200",
	"replica.fetch.backoff.ms=100",
}

// StartCluster formats and starts nControllers controllers (ids 1..n) and nBrokers
// brokers (ids 101..), extra lines going to every node's server.properties.
func StartCluster(t testing.TB, nControllers, nBrokers int, extra ...string) *Cluster {
	t.Helper()
	return StartClusterWith(t, ClusterSpec{Controllers: nControllers, Brokers: nBrokers, Extra: extra})
}

// StartClusterWith formats and starts the cluster spec describes.
func StartClusterWith(t testing.TB, spec ClusterSpec) *Cluster {
	t.Helper()
	spec.BrokerListener = cmp.Or(spec.BrokerListener, "PLAINTEXT")
	spec.ControllerProtocol = cmp.Or(spec.ControllerProtocol, "PLAINTEXT")
	root := t.TempDir()
	c := &Cluster{t: t, ClusterID: strings.TrimSpace(Run(t, "storage", "random-uuid")), spec: spec}
	ctrlAddrs := make([]string, spec.Controllers)
	var voters []string
	for i := range ctrlAddrs {
		ctrlAddrs[i] = nodeAddr(t, spec.Network, controllerMember(i+1), 9093)
		voters = append(voters, fmt.Sprintf("%d@%s", i+1, ctrlAddrs[i]))
	}
	common := append([]string{
		"controller.quorum.voters=" + strings.Join(voters, ","),
		"controller.listener.names=CONTROLLER",
		fmt.Sprintf("listener.security.protocol.map=%s:%s,CONTROLLER:%s", spec.BrokerListener, spec.BrokerListener, spec.ControllerProtocol),
		"inter.broker.listener.name=" + spec.BrokerListener,
		"offsets.topic.replication.factor=" + fmt.Sprint(min(3, spec.Brokers)),
		"transaction.state.log.replication.factor=" + fmt.Sprint(min(3, spec.Brokers)),
		"transaction.state.log.min.isr=" + fmt.Sprint(min(2, spec.Brokers)),
	}, clusterTimings...)
	common = append(common, spec.Extra...)
	for i := range spec.Controllers {
		id := i + 1
		dir := filepath.Join(root, fmt.Sprintf("controller-%d", id))
		addr := ctrlAddrs[i]
		props := append([]string{
			"process.roles=controller",
			fmt.Sprintf("node.id=%d", id),
			"listeners=CONTROLLER://" + addr,
			"log.dirs=" + filepath.Join(dir, "data"),
		}, common...)
		c.Controllers = append(c.Controllers, c.newNode(dir, props, addr, controllerMember(id)))
	}
	for i := range spec.Brokers {
		id := 101 + i
		dir := filepath.Join(root, fmt.Sprintf("broker-%d", id))
		addr := nodeAddr(t, spec.Network, brokerMember(id), 9092)
		props := append([]string{
			"process.roles=broker",
			fmt.Sprintf("node.id=%d", id),
			fmt.Sprintf("listeners=%s://%s", spec.BrokerListener, addr),
			"log.dirs=" + filepath.Join(dir, "data"),
		}, common...)
		c.Brokers = append(c.Brokers, c.newNode(dir, props, addr, brokerMember(id)))
	}
	for _, n := range c.Controllers {
		n.Start()
	}
	for _, n := range c.Brokers {
		n.Start()
	}
	if spec.Brokers > 0 {
		WaitFor(t, 20*time.Second, "every broker unfenced in the first broker's metadata", func() bool {
			return len(c.metadataBrokers()) == spec.Brokers
		})
	}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			for _, n := range append(append([]*Node(nil), c.Controllers...), c.Brokers...) {
				n.dumpLog()
			}
		}
	})
	return c
}

// Stop stops every process, brokers first; stopping a stopped node does nothing.
func (c *Cluster) Stop() {
	for _, n := range c.Brokers {
		n.Stop()
	}
	for _, n := range c.Controllers {
		n.Stop()
	}
}

func (c *Cluster) newNode(dir string, props []string, addr, member string) *Node {
	c.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	n := &Node{
		t:          c.t,
		ConfigPath: filepath.Join(dir, "server.properties"),
		DataDir:    filepath.Join(dir, "data"),
		BrokerAddr: addr,
		logPath:    filepath.Join(dir, "server.log"),
	}
	if c.spec.Metrics {
		n.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", freePort(c.t))
		props = append(props, "metrics.listeners=http://"+n.MetricsAddr)
	}
	placeIn(n, c.spec.Network, member)
	if err := os.WriteFile(n.ConfigPath, []byte(strings.Join(props, "\n")+"\n"), 0o644); err != nil {
		c.t.Fatal(err)
	}
	Run(c.t, append([]string{"storage", "format", "-t", c.ClusterID, "-c", n.ConfigPath}, c.spec.FormatArgs...)...)
	return n
}

// metadataBrokers asks the first broker, without any client-side cache, which brokers
// its Metadata response lists (the unfenced ones).
func (c *Cluster) metadataBrokers() []int32 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := kwire.DialWith(ctx, c.Brokers[0].BrokerAddr, "e2e", c.spec.BrokerSecurity.Dialer())
	if err != nil {
		return nil
	}
	defer conn.Close()
	resp, err := conn.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil {
		return nil
	}
	var ids []int32
	for _, b := range resp.(*kmsg.MetadataResponse).Brokers {
		ids = append(ids, b.NodeID)
	}
	return ids
}

// BrokerAddrs are the brokers' client addresses, for seeds.
func (c *Cluster) BrokerAddrs() []string {
	var out []string
	for _, b := range c.Brokers {
		out = append(out, b.BrokerAddr)
	}
	return out
}

// ControllerAddrs are the controllers' listener addresses.
func (c *Cluster) ControllerAddrs() []string {
	var out []string
	for _, n := range c.Controllers {
		out = append(out, n.BrokerAddr)
	}
	return out
}

// Broker returns the broker process with node id id.
func (c *Cluster) Broker(id int32) *Node {
	c.t.Helper()
	i := int(id) - 101
	if i < 0 || i >= len(c.Brokers) {
		c.t.Fatalf("no broker %d", id)
	}
	return c.Brokers[i]
}

// Client is a franz-go client seeded with every broker.
func (c *Cluster) Client(opts ...kgo.Opt) *kgo.Client {
	c.t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.BrokerAddrs()...)}, opts...)...)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(cl.Close)
	return cl
}

// Partition describes one partition as a broker's Metadata response shows it.
func (c *Cluster) Partition(adm *kadm.Client, topic string, p int32) (kadm.PartitionDetail, error) {
	return describePartition(adm, topic, p)
}

// describePartition asks for one partition's leader and ISR through adm.
func describePartition(adm *kadm.Client, topic string, p int32) (kadm.PartitionDetail, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	td, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return kadm.PartitionDetail{}, err
	}
	t, ok := td[topic]
	if !ok || t.Err != nil {
		return kadm.PartitionDetail{}, fmt.Errorf("topic %s: %v", topic, t.Err)
	}
	pd, ok := t.Partitions[p]
	if !ok {
		return kadm.PartitionDetail{}, fmt.Errorf("topic %s has no partition %d", topic, p)
	}
	return pd, pd.Err
}

// WaitFor polls cond until it holds or the timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", timeout, what)
}

// QuorumLeader asks the controllers who leads, through `kbridge metadata quorum`.
func (c *Cluster) QuorumLeader() int32 {
	c.t.Helper()
	out, _, err := RunWithInput(c.t, nil, "metadata", "quorum", "--bootstrap-controller", strings.Join(c.ControllerAddrs(), ","), "describe", "--status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "LeaderId:"); ok {
			var id int32
			if _, err := fmt.Sscan(strings.TrimSpace(v), &id); err == nil {
				return id
			}
		}
	}
	return -1
}

// Quit makes the process print every goroutine's stack into its log and exit (SIGQUIT),
// for a test that found it stuck.
func (n *Node) Quit() { n.signal(syscall.SIGQUIT) }

// Pause stops the process without killing it (SIGSTOP), as a hung machine would.
func (n *Node) Pause() { n.sendRaw(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (n *Node) Resume() { n.sendRaw(syscall.SIGCONT) }

func (n *Node) sendRaw(sig syscall.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		n.cmd.Process.Signal(sig)
	}
}

// WaitVotersCaughtUp waits until every voter of the quorum has the whole committed
// metadata log: DescribeQuorum, asked of each controller until one answers, shows
// every voter's log end offset at the leader's high watermark.
func (c *Cluster) WaitVotersCaughtUp(t testing.TB, timeout time.Duration) {
	t.Helper()
	WaitFor(t, timeout, "every voter at the metadata log's high watermark", func() bool {
		for _, n := range c.Controllers {
			p, ok := quorumSeenBy(n)
			if !ok || p.ErrorCode != 0 {
				continue
			}
			if len(p.CurrentVoters) != len(c.Controllers) {
				return false
			}
			for _, v := range p.CurrentVoters {
				if v.LogEndOffset != p.HighWatermark {
					return false
				}
			}
			return true
		}
		return false
	})
}
