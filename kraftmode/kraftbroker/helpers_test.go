package kraftbroker

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// testController is a one-voter quorum on a real loopback listener, assembled only
// from kraftmode's exported API as node assembles a controller: the accept loop reads
// each connection's first byte and hands Raft connections to the StreamLayer and Kafka
// ones to the ControllerServer (node.routeControllerConn). The broker side under test
// reaches it only over Kafka's protocol, as it would in another process.
type testController struct {
	opts kraftmode.Options
	c    *kraftmode.Controller
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startController starts a single voter, with its options changed by tweak, serves
// its controller listener, and waits until it is the active controller.
func startController(t *testing.T, tweak func(*kraftmode.Options)) *testController {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	opts := kraftmode.Options{
		NodeID:          1,
		ClusterID:       "fMCL8kv1SWm87L_Md-I2hg",
		Dir:             filepath.Join(t.TempDir(), "__cluster_metadata-0"),
		Voters:          []kraftmode.Voter{{ID: 1, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}},
		ElectionTimeout: time.Second,
		// Long enough that no test sees a broker fenced unless it asks to be.
		BrokerSessionTimeout: time.Minute,
		Logger:               testLogger(t).With("test.node", 1),
	}
	if tweak != nil {
		tweak(&opts)
	}
	stream := kraftmode.NewStreamLayer(ln.Addr(), kraftmode.StreamOptions{})
	c, err := kraftmode.Start(opts, stream)
	if err != nil {
		t.Fatalf("start controller: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	srv := kraftmode.NewControllerServer(c, 100<<20, nil, testLogger(t))
	t.Cleanup(srv.Close)
	go routeConns(ln, stream, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return &testController{opts: opts, c: c}
}

// routeConns is the controller listener's accept loop, until the listener closes.
func routeConns(ln net.Listener, stream *kraftmode.StreamLayer, srv *kraftmode.ControllerServer) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			first := make([]byte, 1)
			if _, err := io.ReadFull(conn, first); err != nil {
				conn.Close()
				return
			}
			if first[0] == kraftmode.RaftConnMagic {
				stream.HandOff(conn, "")
				return
			}
			srv.ServeConn(&kwire.PrefixConn{Conn: conn, Prefix: first}, "")
		}()
	}
}

// startFollower follows tc's log as broker 101.
func (tc *testController) startFollower(t *testing.T) *MetadataFollower {
	f := StartMetadataFollower(FollowerOptions{NodeID: 101, ClusterID: tc.opts.ClusterID, Voters: tc.opts.Voters, MaxWait: 100 * time.Millisecond, Logger: testLogger(t)})
	t.Cleanup(f.Close)
	return f
}

// startBrokerSource starts a follower of tc's log caught up with it, and broker 101's
// source on that follower.
func (tc *testController) startBrokerSource(t *testing.T, ctx context.Context) (*MetadataFollower, *BrokerSource) {
	t.Helper()
	return tc.startBrokerSourceWith(t, ctx, nil)
}

// startBrokerSourceWith is startBrokerSource with the source's options changed by
// tweak.
func (tc *testController) startBrokerSourceWith(t *testing.T, ctx context.Context, tweak func(*BrokerSourceOptions)) (*MetadataFollower, *BrokerSource) {
	t.Helper()
	f := tc.startFollower(t)
	if err := f.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	opts := BrokerSourceOptions{NodeID: 101, ClusterID: tc.opts.ClusterID, Voters: tc.opts.Voters, HeartbeatInterval: 50 * time.Millisecond, Logger: testLogger(t)}
	if tweak != nil {
		tweak(&opts)
	}
	s := NewBrokerSource(f, opts)
	t.Cleanup(s.Close)
	return f, s
}

// registration is a broker registration as a broker sends it.
func registration(id int32) metadata.BrokerRegistration {
	return metadata.BrokerRegistration{
		BrokerID:      id,
		IncarnationID: metadata.RandomUuid(),
		Endpoints:     []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9092 + id)}},
		Features:      []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: metadata.MetadataVersionLatest}},
		LogDirs:       []metadata.Uuid{metadata.RandomUuid()},
	}
}

// registerBroker registers broker id directly with the controller and heartbeats it
// once as caught up, checking that this unfences it; it returns the broker epoch.
func (tc *testController) registerBroker(t *testing.T, id int32) int64 {
	t.Helper()
	epoch, err := tc.c.RegisterBroker(context.Background(), registration(id))
	if err != nil {
		t.Fatalf("register broker %d: %v", id, err)
	}
	if reply := tc.heartbeat(t, kraftmode.BrokerHeartbeat{BrokerID: id, BrokerEpoch: epoch}); reply.IsFenced || !reply.IsCaughtUp {
		t.Fatalf("broker %d after a caught-up heartbeat: %+v", id, reply)
	}
	if b := tc.c.Image().Brokers[id]; b == nil || b.Fenced {
		t.Fatalf("broker %d still fenced in the image: %+v", id, b)
	}
	return epoch
}

// heartbeat sends one heartbeat from a broker that has read everything the controller
// has applied.
func (tc *testController) heartbeat(t *testing.T, hb kraftmode.BrokerHeartbeat) kraftmode.HeartbeatReply {
	t.Helper()
	hb.CurrentMetadataOffset = tc.c.Image().Offset
	reply, err := tc.c.Heartbeat(context.Background(), hb)
	if err != nil {
		t.Fatalf("heartbeat %+v: %v", hb, err)
	}
	return reply
}

// createTopic creates a topic on the controller.
func (tc *testController) createTopic(t *testing.T, name string, partitions int32) {
	t.Helper()
	spec := metadata.TopicSpec{Name: name, NumPartitions: partitions, ReplicationFactor: 1}
	if res := tc.c.CreateTopics(context.Background(), []metadata.TopicSpec{spec}, false); res[0].Err != nil {
		t.Fatalf("create topic %s: %v", name, res[0].Err)
	}
}

// waitCompacted waits until the controller's log no longer starts at offset 1: a
// Fetch of __cluster_metadata-0 from offset 1, sent as a broker's follower sends it,
// is answered with a log start offset above 1 and the snapshot to load instead.
func (tc *testController) waitCompacted(t *testing.T) {
	t.Helper()
	client := kwire.NewClient(tc.opts.Voters[0].Addr(), "kraftbroker-test")
	defer client.Close()
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = kraftmode.MetadataTopic
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset = 1
	rp.CurrentLeaderEpoch = -1
	rp.PartitionMaxBytes = 1 << 20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	var last kmsg.FetchResponseTopicPartition
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		kresp, err := client.Request(ctx, req)
		cancel()
		if err != nil {
			t.Fatalf("fetch the metadata log from offset 1: %v", err)
		}
		resp := kresp.(*kmsg.FetchResponse)
		if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
			t.Fatalf("fetch response has no %s-0: %+v", kraftmode.MetadataTopic, resp)
		}
		last = resp.Topics[0].Partitions[0]
		if last.ErrorCode != 0 {
			t.Fatalf("fetch from offset 1: error code %d", last.ErrorCode)
		}
		if last.LogStartOffset > 1 && last.SnapshotID.EndOffset > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("log not compacted into a snapshot (log start offset %d, snapshot id %+v)", last.LogStartOffset, last.SnapshotID)
}

// imageRecords renders an image as the JSON lines `metadata dump --image` prints, to
// compare two images whole.
func imageRecords(t *testing.T, img *metadata.Image) []string {
	t.Helper()
	var out []string
	for _, r := range img.Records() {
		b, err := metadata.RecordJSON(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// waitSameImage waits until the follower holds the controller's image, record for
// record.
func waitSameImage(t *testing.T, f *MetadataFollower, c *kraftmode.Controller) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Equal(imageRecords(t, f.Image()), imageRecords(t, c.Image())) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("follower image at %d never matched the controller's at %d:\nfollower: %v\ncontroller: %v",
		f.Image().Offset, c.Image().Offset, imageRecords(t, f.Image()), imageRecords(t, c.Image()))
}
