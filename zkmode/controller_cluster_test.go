package zkmode

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// controllerWithin bounds how long a test waits for the controller to act on a
// change: it reacts to watches within milliseconds, so this only absorbs a slow machine.
const controllerWithin = 10 * time.Second

// testBroker is one in-process ZooKeeper-mode broker: its session, its Source and
// its registration in /brokers/ids.
type testBroker struct {
	id   int32
	conn *Conn
	src  *Source
}

// startTestBroker starts broker id on connect and registers it. Its Source and
// session end with the test, or earlier through stop.
func startTestBroker(t *testing.T, connect string, id int32) *testBroker {
	t.Helper()
	conn := dial(t, connect)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src, err := StartSource(ctx, conn, SourceOptions{
		BrokerID: id, ProposedClusterID: "fMCL8kv1SWm87L_Md-I2hg", MetadataVersion: 21, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatalf("start broker %d: %v", id, err)
	}
	t.Cleanup(src.Close)
	reg := testRegistration()
	reg.BrokerID = id
	reg.Endpoints = []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9090 + id)}}
	if _, err := src.RegisterBroker(ctx, reg); err != nil {
		t.Fatalf("register broker %d: %v", id, err)
	}
	return &testBroker{id: id, conn: conn, src: src}
}

// stop ends the broker as a crash would, as far as ZooKeeper can tell: its session
// closes and its ephemeral registration disappears.
func (b *testBroker) stop() {
	b.src.Close()
	b.conn.Close()
}

// startControllerBroker starts broker id with an elector whose listener is a
// Controller, and waits until it is the active controller: the tests run no other
// elector, so it wins.
func startControllerBroker(t *testing.T, connect string, id int32, opts ControllerOptions) (*testBroker, *Controller) {
	t.Helper()
	b := startTestBroker(t, connect, id)
	opts.BrokerID = id
	opts.Logger = testLogger(t)
	ctrl := NewController(b.src, opts)
	elector := NewControllerElector(b.conn, id, ctrl, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		elector.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		ctrl.Close()
	})
	waitFor(t, controllerWithin, fmt.Sprintf("broker %d becomes the active controller", id), ctrl.Active)
	return b, ctrl
}

// waitBrokers waits until src's image shows exactly the brokers ids as live.
func waitBrokers(t *testing.T, src *Source, ids ...int32) {
	t.Helper()
	waitImage(t, src, fmt.Sprintf("brokers %v live", ids), func(img *metadata.Image) bool {
		var live []int32
		for _, b := range img.LiveBrokers() {
			live = append(live, b.ID)
		}
		return slices.Equal(live, ids)
	})
}

// createTopic creates a topic with a manual assignment through the Source, as the
// CreateTopics API does, and fails the test if it is refused.
func createTopic(t *testing.T, src *Source, name string, assignment map[int32][]int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res := src.CreateTopics(ctx, []metadata.TopicSpec{{Name: name, NumPartitions: -1, ReplicationFactor: -1, Assignment: assignment}}, false)
	if res[0].Err != nil {
		t.Fatalf("create topic %s: %v", name, res[0].Err)
	}
}

// readState reads a partition's state znode and its zkVersion; ok is false when it
// does not exist.
func readState(t *testing.T, c *Conn, topic string, partition int32) (s znode.PartitionState, zkVersion int32, ok bool) {
	t.Helper()
	data, stat, err := c.Get(context.Background(), znode.TopicPartitionStatePath(topic, partition))
	if err != nil {
		return znode.PartitionState{}, 0, false
	}
	if s, err = znode.DecodePartitionState(data); err != nil {
		t.Fatalf("%s: %v", znode.TopicPartitionStatePath(topic, partition), err)
	}
	return s, stat.Version, true
}

// waitState waits until the partition's state znode is want, field by field as Kafka
// writes it: {"version":1,"leader":..,"leader_epoch":..,"controller_epoch":..,"isr":[..]},
// with no leader_recovery_state while the partition is RECOVERED. It returns the
// znode's zkVersion.
func waitState(t *testing.T, c *Conn, topic string, partition int32, want znode.PartitionState) int32 {
	t.Helper()
	path := znode.TopicPartitionStatePath(topic, partition)
	wantFields := map[string]any{
		"version":          1.0,
		"leader":           float64(want.Leader),
		"leader_epoch":     float64(want.LeaderEpoch),
		"controller_epoch": float64(want.ControllerEpoch),
	}
	var last string
	var version int32
	waitFor(t, controllerWithin, fmt.Sprintf("%s = %s", path, znode.EncodePartitionState(want)), func() bool {
		data, stat, err := c.Get(context.Background(), path)
		if err != nil {
			last = err.Error()
			return false
		}
		last, version = string(data), stat.Version
		fields := jsonFields(t, last)
		if len(fields) != len(wantFields)+1 {
			return false
		}
		for k, v := range wantFields {
			if fields[k] != v {
				return false
			}
		}
		isr, ok := fields["isr"].([]any)
		if !ok || len(isr) != len(want.ISR) {
			return false
		}
		for i, id := range want.ISR {
			if isr[i] != float64(id) {
				return false
			}
		}
		return true
	})
	t.Logf("%s = %s (zkVersion %d)", path, last, version)
	return version
}

// testLogger sends a component's log to the test's log, shown when it fails or
// with -v, and drops what arrives after the test has ended.
func testLogger(t *testing.T) *slog.Logger {
	w := &testLogWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testLogWriter struct {
	mu     sync.Mutex
	t      *testing.T
	closed bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
