package kraftmode

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// durableState is the part of an image that must survive a restart unchanged (the
// controller registration gets a new incarnation on every start, as in Kafka).
type durableState struct {
	ClusterID        string
	Features         map[string]int16
	Brokers          map[int32]*metadata.Broker
	Topics           map[string]*metadata.Topic
	Configs          map[metadata.ConfigResource]map[string]string
	ProducerIDs      metadata.ProducerIDs
	ZkMigrationState metadata.ZkMigrationState
}

func durable(img *metadata.Image) durableState {
	return durableState{img.ClusterID, img.Features, img.Brokers, img.Topics, img.Configs, img.ProducerIDs, img.ZkMigrationState}
}

func wantCode(t *testing.T, what string, err error, code *kerr.Error) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Errorf("%s: err = %v, want %s", what, err, code.Message)
	}
}

func TestSingleVoterLifecycle(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	began := time.Now()
	nd.start()
	nd.waitReady()
	t.Logf("single voter ready in %s", time.Since(began))
	c := nd.c
	ctx := context.Background()

	var published atomic.Int64
	c.Subscribe(func(*metadata.Image) { published.Add(1) })

	img := c.Image()
	if got := img.Features[metadata.FeatureMetadataVersion]; got != metadata.MetadataVersionLatest {
		t.Fatalf("metadata.version = %d, want %d", got, metadata.MetadataVersionLatest)
	}
	if img.ZkMigrationState != metadata.ZkMigrationNone {
		t.Errorf("ZkMigrationState = %d, want NONE", img.ZkMigrationState)
	}
	if _, ok := img.Controllers[1]; !ok {
		t.Errorf("controller 1 not registered: %v", img.Controllers)
	}
	if !c.IsLeader() || c.LeaderID() != 1 {
		t.Fatalf("IsLeader = %v, LeaderID = %d", c.IsLeader(), c.LeaderID())
	}

	epoch := registerBroker(t, c, 1)
	if b := c.Image().Brokers[1]; b == nil || b.Epoch != epoch || b.Fenced {
		t.Fatalf("broker 1 = %+v, want epoch %d unfenced", b, epoch)
	}

	res := c.CreateTopics(ctx, []metadata.TopicSpec{
		{Name: "defaults", NumPartitions: -1, ReplicationFactor: -1},
		{Name: "compacted", NumPartitions: 3, ReplicationFactor: 1, Configs: map[string]*string{"cleanup.policy": strp("compact")}},
		{Name: "manual", NumPartitions: -1, ReplicationFactor: -1, Assignment: map[int32][]int32{0: {1}, 1: {1}}},
		{Name: "bad/name", NumPartitions: 1, ReplicationFactor: 1},
		{Name: "too-many-replicas", NumPartitions: 1, ReplicationFactor: 3},
		{Name: "bad-config", NumPartitions: 1, ReplicationFactor: 1, Configs: map[string]*string{"bogus.key": strp("1")}},
		{Name: "zero-partitions", NumPartitions: 0, ReplicationFactor: 1},
		{Name: "bad-assignment", NumPartitions: -1, ReplicationFactor: -1, Assignment: map[int32][]int32{0: {7}}},
		{Name: "dup", NumPartitions: 1, ReplicationFactor: 1},
		{Name: "dup", NumPartitions: 1, ReplicationFactor: 1},
	}, false)
	for _, r := range res[:3] {
		if r.Err != nil {
			t.Fatalf("create %s: %v", r.Name, r.Err)
		}
	}
	wantCode(t, "bad name", res[3].Err, kerr.InvalidTopicException)
	wantCode(t, "rf 3", res[4].Err, kerr.InvalidReplicationFactor)
	if want := "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered."; res[4].Err == nil || res[4].Err.Error() != want {
		t.Errorf("rf 3 message = %v", res[4].Err)
	}
	wantCode(t, "bad config", res[5].Err, kerr.InvalidConfig)
	wantCode(t, "zero partitions", res[6].Err, kerr.InvalidPartitions)
	wantCode(t, "bad assignment", res[7].Err, kerr.InvalidReplicaAssignment)
	wantCode(t, "duplicate", res[8].Err, kerr.InvalidRequest)

	img = c.Image()
	if d := img.Topics["defaults"]; d == nil || len(d.Partitions) != 2 || d.ID != res[0].ID {
		t.Fatalf("topic defaults = %+v, want 2 partitions id %s", d, res[0].ID)
	}
	p := img.Topics["compacted"].Partitions[2]
	if p.Leader != 1 || !slices.Equal(p.Replicas, []int32{1}) || !slices.Equal(p.ISR, []int32{1}) || p.LeaderEpoch != 0 {
		t.Errorf("compacted-2 = %+v", p)
	}
	if got := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "compacted"}]["cleanup.policy"]; got != "compact" {
		t.Errorf("cleanup.policy = %q", got)
	}
	for _, name := range []string{"bad/name", "too-many-replicas", "bad-config", "dup"} {
		if _, ok := img.Topics[name]; ok {
			t.Errorf("topic %s was created", name)
		}
	}

	again := c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "defaults", NumPartitions: 1, ReplicationFactor: 1}, {Name: "compacted_", NumPartitions: 1, ReplicationFactor: 1}}, false)
	wantCode(t, "exists", again[0].Err, kerr.TopicAlreadyExists)
	if again[1].Err != nil {
		t.Errorf("create compacted_: %v", again[1].Err)
	}
	before := c.Image().Offset
	if r := c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "dry", NumPartitions: 1, ReplicationFactor: 1}}, true); r[0].Err != nil {
		t.Fatalf("validate only: %v", r[0].Err)
	}
	if _, ok := c.Image().Topics["dry"]; ok || c.Image().Offset != before {
		t.Errorf("validateOnly wrote to the log")
	}

	errs := c.DeleteTopics(ctx, []string{"defaults", "nope"})
	if errs[0] != nil {
		t.Errorf("delete defaults: %v", errs[0])
	}
	wantCode(t, "delete unknown", errs[1], kerr.UnknownTopicOrPartition)
	if _, ok := c.Image().Topics["defaults"]; ok {
		t.Errorf("defaults still exists")
	}

	err := c.CreatePartitions(ctx, "compacted", 2, nil, false)
	wantCode(t, "shrink", err, kerr.InvalidPartitions)
	if err == nil || err.Error() != "Topic currently has 3 partitions, which is higher than the requested 2." {
		t.Errorf("shrink message = %v", err)
	}
	if err := c.CreatePartitions(ctx, "compacted", 5, nil, false); err != nil {
		t.Fatalf("create partitions: %v", err)
	}
	if n := len(c.Image().Topics["compacted"].Partitions); n != 5 {
		t.Errorf("compacted has %d partitions, want 5", n)
	}

	topic := metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "compacted"}
	if err := c.AlterConfigs(ctx, topic, []metadata.ConfigChange{
		{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: strp("1000")},
		{Name: "cleanup.policy", Op: metadata.ConfigOpAppend, Value: strp("delete")},
	}, true, false); err != nil {
		t.Fatalf("incremental alter: %v", err)
	}
	want := map[string]string{"retention.ms": "1000", "cleanup.policy": "compact,delete"}
	if got := c.Image().Configs[topic]; !reflect.DeepEqual(got, want) {
		t.Errorf("configs after incremental alter = %v, want %v", got, want)
	}
	if err := c.AlterConfigs(ctx, topic, []metadata.ConfigChange{{Name: "segment.bytes", Value: strp("1048576")}}, false, false); err != nil {
		t.Fatalf("alter: %v", err)
	}
	want = map[string]string{"segment.bytes": "1048576"}
	if got := c.Image().Configs[topic]; !reflect.DeepEqual(got, want) {
		t.Errorf("configs after alter = %v, want %v", got, want)
	}
	wantCode(t, "bad topic config", c.AlterConfigs(ctx, topic, []metadata.ConfigChange{{Name: "bogus.key", Value: strp("1")}}, true, false), kerr.InvalidConfig)
	wantCode(t, "unknown topic config", c.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "nope"}, nil, true, false), kerr.UnknownTopicOrPartition)
	clusterDefault := metadata.ConfigResource{Type: metadata.ConfigResourceBroker}
	if err := c.AlterConfigs(ctx, clusterDefault, []metadata.ConfigChange{{Name: "log.retention.ms", Op: metadata.ConfigOpSet, Value: strp("60000")}}, true, false); err != nil {
		t.Fatalf("alter cluster default: %v", err)
	}
	if got := c.Image().Configs[clusterDefault]["log.retention.ms"]; got != "60000" {
		t.Errorf("cluster default log.retention.ms = %q", got)
	}

	first, n, err := c.AllocateProducerIDs(ctx, 1, epoch)
	if err != nil || first != 0 || n != 1000 {
		t.Fatalf("first block = %d,%d,%v", first, n, err)
	}
	second, _, err := c.AllocateProducerIDs(ctx, 1, epoch)
	if err != nil || second != 1000 {
		t.Fatalf("second block = %d,%v", second, err)
	}
	_, _, err = c.AllocateProducerIDs(ctx, 1, epoch+100)
	wantCode(t, "stale epoch", err, kerr.StaleBrokerEpoch)
	if published.Load() == 0 {
		t.Errorf("subscriber was never called")
	}

	// Restart: the image is rebuilt by replaying the log.
	state := durable(c.Image())
	nd.stop()
	nd.start()
	nd.waitReady()
	if got := durable(nd.c.Image()); !reflect.DeepEqual(got, state) {
		t.Fatalf("after restart image differs:\n got %+v\nwant %+v", got, state)
	}

	// Snapshot, then restart: the image is restored from the snapshot plus the log.
	if err := nd.c.raft.Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	snaps, _ := filepath.Glob(filepath.Join(nd.opts.Dir, "snapshots", "*", "state.bin"))
	if len(snaps) == 0 {
		t.Fatalf("no snapshot written in %s", nd.opts.Dir)
	}
	third, _, err := nd.c.AllocateProducerIDs(ctx, 1, epoch)
	if err != nil || third != 2000 {
		t.Fatalf("third block = %d,%v", third, err)
	}
	state = durable(nd.c.Image())
	nd.stop()
	nd.start()
	nd.waitReady()
	if got := durable(nd.c.Image()); !reflect.DeepEqual(got, state) {
		t.Fatalf("after snapshot restart image differs:\n got %+v\nwant %+v", got, state)
	}
	if _, ok := nd.c.Image().Controllers[1]; !ok {
		t.Errorf("controller 1 not re-registered")
	}
}

func TestThreeVoters(t *testing.T) {
	nodes := newTestCluster(t, 3)
	for _, nd := range nodes {
		nd.start()
	}
	for _, nd := range nodes {
		nd.waitReady()
	}
	var leader *Controller
	for _, nd := range nodes {
		if nd.c.IsLeader() {
			if leader != nil {
				t.Fatalf("two leaders")
			}
			leader = nd.c
		}
	}
	if leader == nil {
		t.Fatalf("no leader")
	}
	for _, nd := range nodes {
		if got := nd.c.LeaderID(); got != leader.opts.NodeID {
			t.Errorf("node %d sees leader %d, want %d", nd.opts.NodeID, got, leader.opts.NodeID)
		}
		if nd.c != leader {
			_, err := nd.c.RegisterBroker(context.Background(), metadata.BrokerRegistration{BrokerID: 9})
			wantCode(t, "follower write", err, kerr.NotController)
		}
	}
	for id := int32(1); id <= 3; id++ {
		registerBroker(t, leader, id)
	}
	res := leader.CreateTopics(context.Background(), []metadata.TopicSpec{{Name: "replicated", NumPartitions: 6, ReplicationFactor: 3}}, false)
	if res[0].Err != nil {
		t.Fatalf("create: %v", res[0].Err)
	}
	leads := map[int32]int{}
	for _, p := range leader.Image().Topics["replicated"].Partitions {
		leads[p.Leader]++
		if len(p.Replicas) != 3 {
			t.Errorf("partition %d replicas %v", p.ID, p.Replicas)
		}
	}
	if !reflect.DeepEqual(leads, map[int32]int{1: 2, 2: 2, 3: 2}) {
		t.Errorf("leaders not spread evenly: %v", leads)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, nd := range nodes {
		for {
			tp := nd.c.Image().Topics["replicated"]
			if tp != nil && tp.ID == res[0].ID && len(tp.Partitions) == 6 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d never saw the topic", nd.opts.NodeID)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestFailoverAbortsOpenTransaction(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.start()
	nd.waitReady()
	// A leader that died inside a transaction (the migration copy spans batches).
	name := "Migration"
	batch := metadata.EncodeBatch(0, 0, 0, []metadata.Record{
		&metadata.BeginTransactionRecord{Name: &name},
		&metadata.TopicRecord{Name: "half-copied", TopicID: metadata.RandomUuid()},
	})
	if err := nd.c.raft.Apply(batch, time.Second).Error(); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !nd.c.Image().InTransaction() {
		t.Fatalf("transaction not open")
	}
	if err := nd.c.raft.Snapshot().Error(); err == nil {
		t.Fatalf("snapshot inside a transaction succeeded")
	}
	nd.stop()
	nd.start()
	nd.waitReady()
	img := nd.c.Image()
	if img.InTransaction() || img.Topics["half-copied"] != nil {
		t.Fatalf("open transaction survived failover: in transaction %v, topics %v", img.InTransaction(), img.Topics)
	}
	registerBroker(t, nd.c, 1)
	if r := nd.c.CreateTopics(context.Background(), []metadata.TopicSpec{{Name: "after", NumPartitions: 1, ReplicationFactor: 1}}, false); r[0].Err != nil {
		t.Fatalf("create after abort: %v", r[0].Err)
	}
}
