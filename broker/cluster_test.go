package broker

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// testCluster runs real brokers in this process, each on its own loopback listener and
// log directory, sharing a fakeSource as their controller. A broker keeps its directory
// across restarts; a restarted broker listens on a new port and registers it.
type testCluster struct {
	t      testing.TB
	src    *fakeSource
	props  []string
	base   string // broker id's log dir is base/<id>, kept across restarts
	nodes  map[int32]*testNode
	logs   *lockedBuffer
	logger *slog.Logger
}

type testNode struct {
	b      *Broker
	addr   string
	client *kwire.Client
}

// newCluster starts brokers 1..n with props added to every broker's server.properties.
// Broker logs are shown when the test fails.
func newCluster(t testing.TB, n int, props ...string) *testCluster {
	logs := &lockedBuffer{}
	base := t.TempDir() // made before the cleanup below is registered, so removed after it
	c := &testCluster{
		t:      t,
		src:    newFakeSource(t),
		props:  props,
		base:   base,
		nodes:  make(map[int32]*testNode),
		logs:   logs,
		logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	t.Cleanup(func() {
		for id := range c.nodes {
			c.stop(id)
		}
		if t.Failed() {
			t.Logf("broker logs:\n%s", logs.String())
		}
	})
	for id := int32(1); id <= int32(n); id++ {
		c.start(id)
	}
	return c
}

// start starts (or restarts) broker id with extra properties of its own.
func (c *testCluster) start(id int32, extra ...string) *Broker {
	c.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	addr := ln.Addr().String()
	props := append([]string{
		"process.roles=broker",
		fmt.Sprintf("node.id=%d", id),
		"controller.quorum.voters=3000@127.0.0.1:1",
		"controller.listener.names=CONTROLLER",
		"listeners=PLAINTEXT://" + addr,
		"inter.broker.listener.name=PLAINTEXT",
		fmt.Sprintf("log.dirs=%s/%d", c.base, id),
		"auto.create.topics.enable=false",
		"controlled.shutdown.enable=false",
		"replica.fetch.wait.max.ms=100",
		"replica.fetch.backoff.ms=50",
	}, c.props...)
	cfg, err := config.Parse("broker.properties", strings.NewReader(strings.Join(append(props, extra...), "\n")), nil)
	if err != nil {
		ln.Close()
		c.t.Fatal(err)
	}
	b, err := New(cfg, c.src, c.logger)
	if err != nil {
		ln.Close()
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Register(ctx, metadata.RandomUuid()); err != nil {
		b.Close()
		ln.Close()
		c.t.Fatal(err)
	}
	go b.Serve(ln, "PLAINTEXT")
	c.nodes[id] = &testNode{b: b, addr: addr, client: kwire.NewClient(addr, "replication-test")}
	return b
}

// stop closes broker id; it stays registered, as a crashed broker does until fenced.
func (c *testCluster) stop(id int32) {
	n := c.nodes[id]
	if n == nil {
		return
	}
	delete(c.nodes, id)
	n.client.Close()
	if err := n.b.Close(); err != nil {
		c.t.Errorf("close broker %d: %v", id, err)
	}
}

func (c *testCluster) broker(id int32) *Broker { return c.nodes[id].b }

// createTopic creates a one-partition topic and waits until every running replica has
// taken its role.
func (c *testCluster) createTopic(topic string, replicas []int32, leader int32, isr []int32, configs map[string]string) {
	c.t.Helper()
	c.src.createTopic(c.t, topic, replicas, leader, isr, configs)
	for _, id := range replicas {
		if c.nodes[id] != nil {
			c.waitForLeader(id, topic, leader)
		}
	}
}

// waitForLeader waits until broker id's replica of a topic's partition 0 knows leader
// as its leader.
func (c *testCluster) waitForLeader(id int32, topic string, leader int32) {
	c.t.Helper()
	waitFor(c.t, fmt.Sprintf("broker %d to see broker %d lead %s", id, leader, topic), func() bool {
		p, ok := c.broker(id).replicas.Get(topic, 0)
		return ok && p.state().leader == leader
	})
}

// partition is broker id's replica of a topic's partition 0.
func (c *testCluster) partition(id int32, topic string) *Partition {
	c.t.Helper()
	p, ok := c.broker(id).replicas.Get(topic, 0)
	if !ok {
		c.t.Fatalf("broker %d has no replica of %s-0", id, topic)
	}
	return p
}

// request sends a raw request to broker id, as a client would.
func (c *testCluster) request(id int32, req kmsg.Request) kmsg.Response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := c.nodes[id].client.Request(ctx, req)
	if err != nil {
		c.t.Fatalf("%s to broker %d: %v", kmsg.NameForKey(req.Key()), id, err)
	}
	return resp
}

// dial opens a raw connection to broker id, closed when the test ends.
func (c *testCluster) dial(id int32) net.Conn {
	c.t.Helper()
	conn, err := net.Dial("tcp", c.nodes[id].addr)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { conn.Close() })
	return conn
}

// produceRequest is a Produce of one batch to a topic's partition 0.
func produceRequest(topic string, acks int16, timeout time.Duration, batch []byte) *kmsg.ProduceRequest {
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = acks, int32(timeout/time.Millisecond)
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = batch
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return req
}

// produce sends one batch to a topic's partition 0 of broker id.
func (c *testCluster) produce(id int32, topic string, acks int16, timeout time.Duration, batch []byte) (*kmsg.ProduceResponse, kmsg.ProduceResponseTopicPartition) {
	c.t.Helper()
	resp := c.request(id, produceRequest(topic, acks, timeout, batch)).(*kmsg.ProduceResponse)
	return resp, resp.Topics[0].Partitions[0]
}

// consume fetches a topic's partition 0 from offset as a consumer, without waiting.
func (c *testCluster) consume(id int32, topic string, offset int64) (*kmsg.FetchResponse, kmsg.FetchResponseTopicPartition) {
	c.t.Helper()
	req := kmsg.NewPtrFetchRequest()
	req.MaxBytes = 1 << 20
	req.SessionEpoch = -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic, rt.TopicID = topic, c.src.Image().Topics[topic].ID
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes = offset, 1<<20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.request(id, req).(*kmsg.FetchResponse)
	return resp, resp.Topics[0].Partitions[0]
}

// latestOffset is ListOffsets(latest) of a topic's partition 0 on broker id, as a consumer.
func (c *testCluster) latestOffset(id int32, topic string) int64 {
	c.t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Timestamp = listOffsetsLatest
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	sp := c.request(id, req).(*kmsg.ListOffsetsResponse).Topics[0].Partitions[0]
	if sp.ErrorCode != 0 {
		c.t.Fatalf("ListOffsets on broker %d: error %d", id, sp.ErrorCode)
	}
	return sp.Offset
}

// logBytes is broker id's whole log of a topic's partition 0, as stored.
func (c *testCluster) logBytes(id int32, topic string) []byte {
	c.t.Helper()
	l := c.partition(id, topic).log
	b, err := l.Read(l.LogStartOffset(), 1<<30, l.LogEndOffset())
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// waitForLogs waits until the brokers' logs of topic are byte for byte the same and
// end at leo.
func (c *testCluster) waitForLogs(topic string, leo int64, ids ...int32) {
	c.t.Helper()
	waitFor(c.t, fmt.Sprintf("brokers %v to hold the same log of %s up to %d", ids, topic, leo), func() bool {
		for _, id := range ids {
			if c.partition(id, topic).log.LogEndOffset() != leo || !bytes.Equal(c.logBytes(id, topic), c.logBytes(ids[0], topic)) {
				return false
			}
		}
		return true
	})
}

// splitHostPort splits a listener address the way Metadata reports it.
func splitHostPort(t testing.TB, addr string) (string, int32) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return host, int32(n)
}

// waitFor polls cond until it holds, failing the test after 15 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recordBatch builds a v2 batch of n records as a producer sends it; pid -1 makes it
// non-idempotent, otherwise it carries producer epoch 0 and base sequence seq.
func recordBatch(n int, pid int64, seq int32) []byte {
	var recs []byte
	for i := range n {
		r := kmsg.Record{OffsetDelta: int32(i), Value: []byte(fmt.Sprintf("record-%d-%d", seq, i))}
		r.Length = int32(len(r.AppendTo(nil)) - 1) // Length 0 encodes in one byte
		recs = r.AppendTo(recs)
	}
	now := time.Now().UnixMilli()
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		LastOffsetDelta:      int32(n - 1),
		FirstTimestamp:       now,
		MaxTimestamp:         now,
		ProducerID:           pid,
		ProducerEpoch:        -1,
		FirstSequence:        -1,
		NumRecords:           int32(n),
		Records:              recs,
	}
	if pid >= 0 {
		b.ProducerEpoch, b.FirstSequence = 0, seq
	}
	b.Length = int32(batchHeaderSize - 12 + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[batchCRCOffset:], crc32.Checksum(raw[batchAttributesOffset:], castagnoli))
	return raw
}

// lockedBuffer collects the brokers' logs from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
