package kraftmode

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// testNode is one controller on a real loopback listener, with the node's accept loop
// reduced to what kraftmode needs: peek the first byte, hand Raft connections over.
type testNode struct {
	t      *testing.T
	opts   Options
	ln     net.Listener
	stream atomic.Pointer[StreamLayer]
	c      *Controller
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
			Logger:          testLogger(t).With("test.node", i+1),
			Defaults:        TopicDefaults{NumPartitions: 2, ReplicationFactor: 1},
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
			if _, err := io.ReadFull(conn, first); err != nil || first[0] != RaftConnMagic {
				conn.Close()
				return
			}
			if s := nd.stream.Load(); s != nil {
				s.HandOff(conn)
				return
			}
			conn.Close()
		}()
	}
}

// start starts (or restarts) the node's controller on its listener.
func (nd *testNode) start() {
	nd.t.Helper()
	s := NewStreamLayer(nd.ln.Addr())
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

func registerBroker(t *testing.T, c *Controller, id int32) int64 {
	t.Helper()
	epoch, err := c.RegisterBroker(context.Background(), metadata.BrokerRegistration{
		BrokerID:      id,
		IncarnationID: metadata.RandomUuid(),
		Endpoints:     []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9092 + id)}},
		Features:      []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: metadata.MetadataVersionLatest}},
		LogDirs:       []metadata.Uuid{metadata.RandomUuid()},
	})
	if err != nil {
		t.Fatalf("register broker %d: %v", id, err)
	}
	return epoch
}
