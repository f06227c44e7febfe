package kraftmode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// testNode is one controller on a real loopback listener, with the node's accept loop
// reduced to what kraftmode needs: peek the first byte, hand Raft connections over.
type testNode struct {
	t      *testing.T
	opts   Options
	ln     net.Listener
	stream atomic.Pointer[StreamLayer]
	server atomic.Pointer[ControllerServer]
	c      *Controller
}

// logBuffer collects a node's log for a test that waits for a line.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newTestCluster listens on n loopback ports and returns unstarted nodes that name each
// other as voters; metadata dirs are <tmp>/<id>/__cluster_metadata-0.
func newTestCluster(t *testing.T, n int) []*testNode {
	t.Helper()
	root := t.TempDir()
	var voters []Voter
	var lns []net.Listener
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		t.Cleanup(func() { ln.Close() })
		lns = append(lns, ln)
		voters = append(voters, Voter{ID: int32(i + 1), Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port})
	}
	nodes := make([]*testNode, n)
	for i := range n {
		nd := &testNode{t: t, ln: lns[i], opts: Options{
			NodeID:          int32(i + 1),
			ClusterID:       "fMCL8kv1SWm87L_Md-I2hg",
			Dir:             filepath.Join(root, strconv.Itoa(i+1), "__cluster_metadata-0"),
			Voters:          voters,
			ElectionTimeout: time.Second,
			// Long enough that no test sees a broker fenced unless it shortens it.
			BrokerSessionTimeout: time.Minute,
			Logger:               testLogger(t).With("test.node", i+1),
			Defaults:             TopicDefaults{NumPartitions: 2, ReplicationFactor: 1},
			ValidateTopicConfig: func(name, value string) error {
				if name == "bogus.key" {
					return errUnknownKey
				}
				return nil
			},
		}}
		go nd.serve()
		nodes[i] = nd
	}
	return nodes
}

var errUnknownKey = errors.New("Unknown topic config name: bogus.key")

func (nd *testNode) serve() {
	for {
		conn, err := nd.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			first := make([]byte, 1)
			if _, err := io.ReadFull(conn, first); err != nil {
				conn.Close()
				return
			}
			if first[0] != RaftConnMagic {
				if srv := nd.server.Load(); srv != nil {
					srv.ServeConn(&kwire.PrefixConn{Conn: conn, Prefix: first}, "")
					return
				}
				conn.Close()
				return
			}
			if s := nd.stream.Load(); s != nil {
				s.HandOff(conn, "")
				return
			}
			conn.Close()
		}()
	}
}

// serveKafka answers Kafka requests on the node's listener with a ControllerServer.
func (nd *testNode) serveKafka() *ControllerServer {
	srv := NewControllerServer(nd.c, 100<<20, nil, testLogger(nd.t))
	nd.server.Store(srv)
	nd.t.Cleanup(srv.Close)
	return srv
}

// start starts (or restarts) the node's controller on its listener.
func (nd *testNode) start() {
	nd.t.Helper()
	s := NewStreamLayer(nd.ln.Addr(), StreamOptions{})
	nd.stream.Store(s)
	c, err := Start(nd.opts, s)
	if err != nil {
		nd.t.Fatalf("start node %d: %v", nd.opts.NodeID, err)
	}
	nd.c = c
	nd.t.Cleanup(func() { c.Close() })
}

func (nd *testNode) stop() {
	nd.t.Helper()
	if err := nd.c.Close(); err != nil {
		nd.t.Fatalf("close node %d: %v", nd.opts.NodeID, err)
	}
}

func (nd *testNode) waitReady() {
	nd.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := nd.c.WaitReady(ctx); err != nil {
		nd.t.Fatalf("node %d: %v", nd.opts.NodeID, err)
	}
}

func strp(s string) *string { return &s }

// registerBroker registers broker id and heartbeats it until it is unfenced, as a
// broker does on start-up; it returns the broker epoch.
func registerBroker(t *testing.T, c *Controller, id int32) int64 {
	t.Helper()
	epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: id})
	unfenceBroker(t, c, id, epoch)
	return epoch
}

// registerFenced registers a broker (filling in endpoints, features, incarnation and
// log dirs when reg leaves them empty) without unfencing it.
func registerFenced(t *testing.T, c *Controller, reg metadata.BrokerRegistration) int64 {
	t.Helper()
	if reg.IncarnationID == (metadata.Uuid{}) {
		reg.IncarnationID = metadata.RandomUuid()
	}
	if reg.Endpoints == nil {
		reg.Endpoints = []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9092 + reg.BrokerID)}}
	}
	if reg.Features == nil {
		reg.Features = []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: metadata.MetadataVersionLatest}}
	}
	if reg.LogDirs == nil {
		reg.LogDirs = []metadata.Uuid{metadata.RandomUuid()}
	}
	epoch, err := c.RegisterBroker(context.Background(), reg)
	if err != nil {
		t.Fatalf("register broker %d: %v", reg.BrokerID, err)
	}
	return epoch
}

// heartbeat sends one heartbeat from a broker that has read everything c has applied.
func heartbeat(t *testing.T, c *Controller, hb BrokerHeartbeat) HeartbeatReply {
	t.Helper()
	hb.CurrentMetadataOffset = c.Image().Offset
	reply, err := c.Heartbeat(context.Background(), hb)
	if err != nil {
		t.Fatalf("heartbeat %+v: %v", hb, err)
	}
	return reply
}

// unfenceBroker heartbeats a caught-up broker once and checks that it is unfenced.
func unfenceBroker(t *testing.T, c *Controller, id int32, epoch int64) {
	t.Helper()
	if reply := heartbeat(t, c, BrokerHeartbeat{BrokerID: id, BrokerEpoch: epoch}); reply.IsFenced || !reply.IsCaughtUp {
		t.Fatalf("broker %d after a caught-up heartbeat: %+v", id, reply)
	}
	if b := c.Image().Brokers[id]; b == nil || b.Fenced {
		t.Fatalf("broker %d still fenced in the image: %+v", id, b)
	}
}

// keepAlive heartbeats brokers (id → epoch) every 50 ms, each to whatever leader()
// returns, until the returned function is called. Errors are ignored: during a
// failover there is briefly no controller to heartbeat to.
func keepAlive(t *testing.T, leader func() *Controller, brokers map[int32]int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if c := leader(); c != nil {
				for id, epoch := range brokers {
					_, _ = c.Heartbeat(context.Background(), BrokerHeartbeat{BrokerID: id, BrokerEpoch: epoch, CurrentMetadataOffset: c.Image().Offset})
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(done); <-finished }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond every 10 ms until it holds, failing the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startSingleVoter starts a one-node quorum, with opts changed by tweak, and waits
// until it is the active controller.
func startSingleVoter(t *testing.T, tweak func(*Options)) *Controller {
	t.Helper()
	nd := newTestCluster(t, 1)[0]
	if tweak != nil {
		tweak(&nd.opts)
	}
	nd.start()
	nd.waitReady()
	return nd.c
}

// createTopic creates a topic with a manual assignment (partition i gets
// assignment[i]) and optional configs, and returns it.
func createTopic(t *testing.T, c *Controller, name string, configs map[string]*string, assignment ...[]int32) *metadata.Topic {
	t.Helper()
	spec := metadata.TopicSpec{Name: name, NumPartitions: -1, ReplicationFactor: -1, Configs: configs, Assignment: map[int32][]int32{}}
	for i, replicas := range assignment {
		spec.Assignment[int32(i)] = replicas
	}
	if res := c.CreateTopics(context.Background(), []metadata.TopicSpec{spec}, false); res[0].Err != nil {
		t.Fatalf("create topic %s: %v", name, res[0].Err)
	}
	return c.Image().Topics[name]
}

// partition is topic-p in c's current image.
func partition(t *testing.T, c *Controller, topic string, p int32) *metadata.Partition {
	t.Helper()
	part, ok := c.Image().Partition(topic, p)
	if !ok {
		t.Fatalf("no partition %s-%d", topic, p)
	}
	return part
}

// wantPartition checks a partition's leader, ISR and leader epoch.
func wantPartition(t *testing.T, c *Controller, topic string, p int32, leader int32, isr []int32, leaderEpoch int32) {
	t.Helper()
	got := partition(t, c, topic, p)
	if got.Leader != leader || !slices.Equal(got.ISR, isr) || got.LeaderEpoch != leaderEpoch {
		t.Errorf("%s-%d: leader %d isr %v leader epoch %d; want leader %d isr %v leader epoch %d",
			topic, p, got.Leader, got.ISR, got.LeaderEpoch, leader, isr, leaderEpoch)
	}
}
