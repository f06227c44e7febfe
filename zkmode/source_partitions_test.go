package zkmode

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// registerTestBrokers registers brokers by id through c, as other brokers of the
// cluster would, and returns their epochs.
func registerTestBrokers(t *testing.T, c *Conn, ids ...int32) map[int32]int64 {
	t.Helper()
	epochs := map[int32]int64{}
	for _, id := range ids {
		info := znode.BrokerZNode{Version: 5, JmxPort: -1, Timestamp: 1, Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: uint16(9090 + id)}}}
		epoch, err := RegisterBroker(context.Background(), c, info, id)
		if err != nil {
			t.Fatal(err)
		}
		epochs[id] = epoch
	}
	return epochs
}

// topicZNodeFields parses a topic znode field by field and checks the fields Kafka's
// v3 TopicZNode has.
func topicZNodeFields(t *testing.T, c *Conn, topic string) (partitions, adding, removing map[string]any, topicID string) {
	t.Helper()
	got := jsonFields(t, mustGet(t, c, znode.TopicPath(topic)))
	if len(got) != 5 || got["version"] != float64(3) {
		t.Fatalf("%s = %v, want the five fields of version 3", znode.TopicPath(topic), got)
	}
	var ok [4]bool
	partitions, ok[0] = got["partitions"].(map[string]any)
	adding, ok[1] = got["adding_replicas"].(map[string]any)
	removing, ok[2] = got["removing_replicas"].(map[string]any)
	topicID, ok[3] = got["topic_id"].(string)
	if ok != [4]bool{true, true, true, true} {
		t.Fatalf("%s = %v: a field has the wrong type", znode.TopicPath(topic), got)
	}
	return partitions, adding, removing, topicID
}

// replicasOf reads one partition's replica list from a decoded topic znode.
func replicasOf(t *testing.T, partitions map[string]any, p string) []int32 {
	t.Helper()
	list, ok := partitions[p].([]any)
	if !ok {
		t.Fatalf("partition %s: %v", p, partitions[p])
	}
	out := make([]int32, len(list))
	for i, v := range list {
		out[i] = int32(v.(float64))
	}
	return out
}

// TestSourceCreatePartitions: new partitions are planned by the KRaft controller's
// rules and written into the topic znode as Kafka's AdminZkClient writes them (topic id
// and existing partitions kept), the image showing them when CreatePartitions returns;
// refusals carry Kafka's codes, a reassignment in progress included, and validateOnly
// writes nothing. A znode that moved on since the image was loaded is planned again.
func TestSourceCreatePartitions(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	writer := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	registerTestBrokers(t, writer, 1, 2, 3)
	id := metadata.RandomUuid()
	createTopicZNodes(t, writer, "orders", id, map[int32][]int32{0: {1, 2}, 1: {2, 3}}, nil)
	if _, err := writer.Create(ctx, znode.TopicPath("moving"), znode.EncodeTopic(znode.TopicZNode{
		TopicID:        metadata.RandomUuid(),
		Partitions:     map[int32][]int32{0: {1, 2, 3}},
		AddingReplicas: map[int32][]int32{0: {3}},
	}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "three brokers and two topics", func(img *metadata.Image) bool {
		return len(img.LiveBrokers()) == 3 && len(img.Topics) == 2
	})

	_, before, err := writer.Get(ctx, znode.TopicPath("orders"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePartitions(ctx, "orders", 4, nil, true); err != nil {
		t.Fatalf("validateOnly: %v", err)
	}
	if _, stat, _ := writer.Get(ctx, znode.TopicPath("orders")); stat.Version != before.Version {
		t.Fatal("validateOnly wrote the topic znode")
	}

	if err := s.CreatePartitions(ctx, "orders", 4, nil, false); err != nil {
		t.Fatal(err)
	}
	partitions, adding, removing, topicID := topicZNodeFields(t, writer, "orders")
	if topicID != id.String() || len(adding) != 0 || len(removing) != 0 || len(partitions) != 4 {
		t.Fatalf("orders after adding 2 partitions: partitions %v, adding %v, removing %v, topic_id %s", partitions, adding, removing, topicID)
	}
	if !slices.Equal(replicasOf(t, partitions, "0"), []int32{1, 2}) || !slices.Equal(replicasOf(t, partitions, "1"), []int32{2, 3}) {
		t.Fatalf("existing partitions changed: %v", partitions)
	}
	for _, p := range []string{"2", "3"} {
		r := replicasOf(t, partitions, p)
		if len(r) != 2 || r[0] == r[1] || r[0] < 1 || r[0] > 3 || r[1] < 1 || r[1] > 3 {
			t.Fatalf("new partition %s on %v, want two distinct brokers of 1-3 (RF of partition 0)", p, r)
		}
	}
	if n := len(s.Image().Topics["orders"].Partitions); n != 4 {
		t.Fatalf("image holds %d partitions of orders when CreatePartitions returned", n)
	}

	if err := s.CreatePartitions(ctx, "orders", 5, [][]int32{{3, 1}}, false); err != nil {
		t.Fatal(err)
	}
	partitions, _, _, _ = topicZNodeFields(t, writer, "orders")
	if !slices.Equal(replicasOf(t, partitions, "4"), []int32{3, 1}) {
		t.Fatalf("assigned partition 4 on %v, want [3 1]", partitions["4"])
	}

	refusals := []struct {
		name         string
		topic        string
		total        int32
		assignment   [][]int32
		validateOnly bool
		code         *kerr.Error
	}{
		{"unknown topic", "nope", 2, nil, false, kerr.UnknownTopicOrPartition},
		{"same count", "orders", 5, nil, false, kerr.InvalidPartitions},
		{"fewer", "orders", 3, nil, false, kerr.InvalidPartitions},
		{"unregistered broker", "orders", 6, [][]int32{{9}}, false, kerr.InvalidReplicaAssignment},
		{"assignment count", "orders", 7, [][]int32{{1}}, false, kerr.InvalidReplicaAssignment},
		{"reassigning", "moving", 2, nil, false, kerr.ReassignmentInProgress},
		{"reassigning, validateOnly", "moving", 2, nil, true, kerr.ReassignmentInProgress},
	}
	_, before, _ = writer.Get(ctx, znode.TopicPath("orders"))
	for _, tc := range refusals {
		if err := s.CreatePartitions(ctx, tc.topic, tc.total, tc.assignment, tc.validateOnly); !errors.Is(err, tc.code) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.code)
		}
	}
	if _, stat, _ := writer.Get(ctx, znode.TopicPath("orders")); stat.Version != before.Version {
		t.Fatal("a refused request wrote the topic znode")
	}
	if _, stat, _ := writer.Get(ctx, znode.TopicPath("moving")); stat.Version != 0 {
		t.Fatal("a refused request wrote the reassigning topic's znode")
	}

	// Another writer adds partition 5 while this image still shows five partitions: the
	// write sees the znode moved on, and the request planned again against the reloaded
	// image finds the count already reached.
	thaw := freezeSourceImage(t, s, writer)
	grown := znode.TopicZNode{TopicID: id, Partitions: map[int32][]int32{}}
	for p := range int32(6) {
		grown.Partitions[p] = []int32{1, 2}
	}
	if _, err := writer.Set(ctx, znode.TopicPath("orders"), znode.EncodeTopic(grown), -1); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		thaw()
	}()
	if err := s.CreatePartitions(ctx, "orders", 6, nil, false); !errors.Is(err, kerr.InvalidPartitions) {
		t.Fatalf("racing another writer: %v, want INVALID_PARTITIONS", err)
	}
	partitions, _, _, _ = topicZNodeFields(t, writer, "orders")
	if len(partitions) != 6 || !slices.Equal(replicasOf(t, partitions, "5"), []int32{1, 2}) {
		t.Fatalf("the other writer's partitions were overwritten: %v", partitions)
	}
}
