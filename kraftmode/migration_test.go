package kraftmode

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// startMigrationNode starts a one-voter quorum with ZK migrations enabled, with opts
// changed by tweak, and waits until it is the active controller.
func startMigrationNode(t *testing.T, tweak func(*Options)) *testNode {
	t.Helper()
	nd := newTestCluster(t, 1)[0]
	nd.opts.ZkMigrationEnabled = true
	if tweak != nil {
		tweak(&nd.opts)
	}
	nd.start()
	nd.waitReady()
	return nd
}

// registerMigrating registers a ZooKeeper broker in migration mode and unfences it.
func registerMigrating(t *testing.T, c *Controller, id int32) int64 {
	t.Helper()
	epoch := registerFenced(t, c, metadata.BrokerRegistration{BrokerID: id, IsMigratingZkBroker: true})
	unfenceBroker(t, c, id, epoch)
	return epoch
}

// zkTopicGroup is one topic as the migration reads it from ZooKeeper: its TopicRecord,
// a topic config, then its partitions (PartitionRecord v0, the first replica leading).
func zkTopicGroup(name string, partitions int, replicas []int32) []metadata.Record {
	id := metadata.RandomUuid()
	retention := "3600000"
	recs := []metadata.Record{
		&metadata.TopicRecord{Name: name, TopicID: id},
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: name, Name: "retention.ms", Value: &retention},
	}
	for p := range partitions {
		r := metadata.NewPartitionRecord()
		r.Version = 0
		r.TopicID, r.PartitionID = id, int32(p)
		r.Replicas, r.ISR, r.Leader = replicas, replicas, replicas[0]
		r.LeaderEpoch, r.PartitionEpoch = 0, 0
		recs = append(recs, r)
	}
	return recs
}

// zkTopicGroups is n topics copy-0 … copy-(n-1) of three partitions on brokers 1-3.
func zkTopicGroups(n int) [][]metadata.Record {
	var groups [][]metadata.Record
	for i := range n {
		groups = append(groups, zkTopicGroup("copy-"+strconv.Itoa(i), 3, []int32{1, 2, 3}))
	}
	return groups
}

// logBatches decodes the metadata batches of c's log after Raft index after.
func logBatches(t *testing.T, c *Controller, after uint64) [][]metadata.Record {
	t.Helper()
	var out [][]metadata.Record
	var decodeErr error
	err := eachEntry(c.store, after+1, 0, func(l *raft.Log) {
		if l.Type != raft.LogCommand {
			return
		}
		_, recs, err := metadata.DecodeBatch(l.Data)
		if err != nil {
			decodeErr = errors.Join(decodeErr, err)
		}
		out = append(out, recs)
	})
	if err = errors.Join(err, decodeErr); err != nil {
		t.Fatalf("read the metadata log: %v", err)
	}
	return out
}

func recordNames(recs []metadata.Record) []string {
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i] = metadata.RecordTypeName(r.APIKey())
	}
	return names
}

// abortReasons lists the reasons of every AbortTransactionRecord in the batches.
func abortReasons(batches [][]metadata.Record) []string {
	var out []string
	for _, b := range batches {
		for _, r := range b {
			if a, ok := r.(*metadata.AbortTransactionRecord); ok && a.Reason != nil {
				out = append(out, *a.Reason)
			}
		}
	}
	return out
}

func wantMessage(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if err == nil || err.Error() != msg {
		t.Errorf("%s: err = %v, want message %q", what, err, msg)
	}
}

func wantErrContaining(t *testing.T, what string, err error, part string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), part) {
		t.Errorf("%s: err = %v, want one containing %q", what, err, part)
	}
}

func TestMigrationBootstrapsInPreMigration(t *testing.T) {
	c := startMigrationNode(t, nil).c
	img := c.Image()
	if img.ZkMigrationState != metadata.ZkMigrationPreMigration || img.InTransaction() || img.MetadataVersion() != metadata.MetadataVersionLatest {
		t.Fatalf("migration state %s, in transaction %v, metadata.version %d; want PRE_MIGRATION, committed, %d",
			img.ZkMigrationState.String(), img.InTransaction(), img.MetadataVersion(), metadata.MetadataVersionLatest)
	}
	if reg := img.Controllers[1]; reg == nil || !reg.ZkMigrationReady {
		t.Errorf("controller registration %+v, want ZkMigrationReady", reg)
	}
	if got := c.MigrationState(); got != (MigrationState{State: metadata.ZkMigrationPreMigration, Epoch: c.RaftEpoch(), Active: true}) {
		t.Errorf("MigrationState() = %+v", got)
	}

	// The bootstrap is one transaction that ends in PRE_MIGRATION.
	var boot []metadata.Record
	for _, b := range logBatches(t, c, 0) {
		if len(b) > 0 && b[0].APIKey() == metadata.APIKeyBeginTransaction {
			boot = b
			break
		}
	}
	want := []string{"BEGIN_TRANSACTION_RECORD", "FEATURE_LEVEL_RECORD", "ZK_MIGRATION_STATE_RECORD", "END_TRANSACTION_RECORD"}
	if got := recordNames(boot); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("bootstrap batch %v, want it to start with %v", got, want)
	}
	if name := boot[0].(*metadata.BeginTransactionRecord).Name; name == nil || *name != "Bootstrap records" {
		t.Errorf("bootstrap transaction name %v", name)
	}
	if s := boot[2].(*metadata.ZkMigrationStateRecord).ZkMigrationState; s != metadata.ZkMigrationPreMigration {
		t.Errorf("bootstrap migration state %s", s.String())
	}
}

func TestMigrationNeedsMetadataTransactions(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.opts.ZkMigrationEnabled = true
	if err := os.MkdirAll(filepath.Dir(nd.opts.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(nd.opts.Dir), BootstrapCheckpointName)
	if err := WriteBootstrapCheckpoint(path, metadata.MetadataVersion3_6IV1-1); err != nil {
		t.Fatalf("write checkpoint: %v", err)
	}
	nd.start()
	_, err := nd.c.activationRecords()
	wantErrContaining(t, "activation at 3.6-IV0", err, "does not support ZK migrations")

	waitFor(t, "raft leadership", 10*time.Second, func() bool { return nd.c.raft.State() == raft.Leader })
	time.Sleep(300 * time.Millisecond) // a few activation attempts
	if nd.c.IsLeader() || nd.c.Image().MetadataVersion() != 0 {
		t.Fatalf("controller activated below 3.6-IV1 with ZK migrations enabled (metadata.version %d)", nd.c.Image().MetadataVersion())
	}
}

func TestMigrationFlagOnKRaftClusterRefused(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.start()
	nd.waitReady()
	// A KRaft cluster has no migration to register ZooKeeper brokers for.
	_, err := nd.c.RegisterBroker(context.Background(), metadata.BrokerRegistration{BrokerID: 1, IsMigratingZkBroker: true})
	wantCode(t, "migrating broker without the flag", err, kerr.BrokerIDNotRegistered)
	wantMessage(t, "migrating broker without the flag", err, "Controller does not support registering ZK brokers.")
	_, _, err = nd.c.CopyZkMetadata(context.Background(), nil, 0, nil)
	wantErrContaining(t, "copy without the flag", err, "zookeeper.metadata.migration.enable")

	nd.stop()
	nd.opts.ZkMigrationEnabled = true
	nd.start()
	waitFor(t, "the log to be replayed", 10*time.Second, func() bool { return nd.c.Image().MetadataVersion() != 0 })
	_, err = nd.c.activationRecords()
	wantErrContaining(t, "activation of a KRaft log with the flag", err, "created in KRaft mode")
	if nd.c.IsLeader() {
		t.Fatalf("controller with ZK migrations enabled activated on a KRaft cluster")
	}
}

func TestPreMigrationGate(t *testing.T) {
	c := startMigrationNode(t, nil).c
	ctx := context.Background()

	// ZooKeeper brokers in migration mode register, unfence and shut down as usual.
	e1 := registerMigrating(t, c, 1)
	registerMigrating(t, c, 2)
	if b := c.Image().Brokers[1]; !b.IsMigratingZkBroker {
		t.Errorf("broker 1 = %+v, want a migrating ZooKeeper broker", b)
	}
	if err := c.UnregisterBroker(ctx, 2); err != nil {
		t.Errorf("unregister a migrating broker: %v", err)
	}
	_, err := c.RegisterBroker(ctx, metadata.BrokerRegistration{BrokerID: 3, IncarnationID: metadata.RandomUuid()})
	wantCode(t, "KRaft broker", err, kerr.BrokerIDNotRegistered)
	wantMessage(t, "KRaft broker", err,
		"Controller is in pre-migration mode and cannot register KRaft brokers until the metadata migration is complete.")

	before := c.Image().Offset
	refused := map[string]error{
		"CreateTopics":     c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "t", NumPartitions: 1, ReplicationFactor: 1}}, false)[0].Err,
		"validate only":    c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "t", NumPartitions: 1, ReplicationFactor: 1}}, true)[0].Err,
		"DeleteTopics":     c.DeleteTopics(ctx, []string{"t"})[0],
		"CreatePartitions": c.CreatePartitions(ctx, "t", 2, nil, false),
		"AlterConfigs":     c.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceBroker}, nil, true, false),
	}
	_, refused["AlterPartition"] = c.AlterPartition(ctx, 1, e1, nil)
	_, refused["ElectLeaders"] = c.ElectLeaders(ctx, false, nil)
	_, _, refused["AllocateProducerIDs"] = c.AllocateProducerIDs(ctx, 1, e1)
	refused["CreateACLs"] = c.CreateACLs(ctx, []metadata.ACLBinding{topicACL("t", "User:alice")})[0]
	refused["DeleteACLs"] = c.DeleteACLs(ctx, []metadata.ACLFilter{{ResourceType: 1, PatternType: 1, Operation: 1, PermissionType: 1}})[0].Err
	refused["AlterScramCredentials"] = c.AlterScramCredentials(ctx, []metadata.ScramChange{{Name: "alice", Mechanism: metadata.ScramSHA256,
		Credential: &metadata.UserScramCredentialRecord{Iterations: 4096}}})[0]
	for name, err := range refused {
		wantCode(t, name, err, kerr.NotController)
		wantMessage(t, name, err, "The controller is in pre-migration mode.")
	}
	c.rebalanceLeaders(c.activeTerm())
	if after := c.Image().Offset; after != before {
		t.Errorf("refused writes moved the log from offset %d to %d", before, after)
	}
	if err := c.FinalizeZkMigration(ctx); err == nil {
		t.Errorf("finalize in PRE_MIGRATION succeeded")
	}
}

func TestCopyZkMetadata(t *testing.T) {
	nd := startMigrationNode(t, nil)
	c := nd.c
	ctx := context.Background()
	for id := int32(1); id <= 3; id++ {
		registerMigrating(t, c, id)
	}
	_, _, err := c.CopyZkMetadata(ctx, [][]metadata.Record{{&metadata.EndTransactionRecord{}}}, 0, nil)
	wantErrContaining(t, "copy with a transaction record", err, "END_TRANSACTION_RECORD")

	// Five topics of five records, the broker configs, the producer id block: with a
	// minimum of 8 the batches are 10, 10 and 8 records, never splitting a group.
	groups := zkTopicGroups(5)
	flushMs, nextID := "1000", int64(5000)
	groups = append(groups,
		[]metadata.Record{
			&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "", Name: "log.flush.interval.ms", Value: &flushMs},
			&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceBroker, ResourceName: "1", Name: "log.flush.interval.ms", Value: &flushMs},
		},
		[]metadata.Record{&metadata.ProducerIdsRecord{BrokerID: 2, BrokerEpoch: -1, NextProducerID: nextID}},
	)
	start := c.raft.LastIndex()
	var calls [][2]int
	offset, epoch, err := c.CopyZkMetadata(ctx, groups, 8, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if want := [][2]int{{10, 28}, {20, 28}, {28, 28}}; !slices.Equal(calls, want) {
		t.Errorf("progress %v, want %v", calls, want)
	}
	img := c.Image()
	if offset != img.Offset || epoch != c.RaftEpoch() {
		t.Errorf("copy returned offset %d epoch %d; image at %d, epoch %d", offset, epoch, img.Offset, c.RaftEpoch())
	}

	batches := logBatches(t, c, start)
	if len(batches) != 3 {
		t.Fatalf("copy wrote %d batches, want 3: %v", len(batches), batches)
	}
	first, last := batches[0], batches[2]
	if b, ok := first[0].(*metadata.BeginTransactionRecord); !ok || b.Name == nil || *b.Name != "ZK Migration" {
		t.Errorf("first batch starts with %v", recordNames(first[:1]))
	}
	if s, ok := last[len(last)-2].(*metadata.ZkMigrationStateRecord); !ok || s.ZkMigrationState != metadata.ZkMigrationMigration {
		t.Errorf("last batch ends with %v, want the MIGRATION state then the end of the transaction", recordNames(last[len(last)-2:]))
	}
	if _, ok := last[len(last)-1].(*metadata.EndTransactionRecord); !ok {
		t.Errorf("last batch ends with %v", recordNames(last[len(last)-1:]))
	}
	data := [][]metadata.Record{first[1:], batches[1], last[:len(last)-2]}
	var sizes []int
	var copied []metadata.Record
	for _, b := range data {
		sizes = append(sizes, len(b))
		copied = append(copied, b...)
	}
	if !slices.Equal(sizes, []int{10, 10, 8}) {
		t.Errorf("batch sizes %v, want [10 10 8]", sizes)
	}
	want := slices.Concat(groups...)
	for i := range min(len(copied), len(want)) {
		if !bytes.Equal(metadata.EncodeRecord(copied[i]), metadata.EncodeRecord(want[i])) {
			t.Errorf("copied record %d is %v, want %v", i, copied[i], want[i])
		}
	}

	if img.ZkMigrationState != metadata.ZkMigrationMigration || img.InTransaction() {
		t.Fatalf("after the copy: state %s, in transaction %v", img.ZkMigrationState.String(), img.InTransaction())
	}
	if len(img.Topics) != 5 {
		t.Errorf("image has %d topics, want 5", len(img.Topics))
	}
	wantPartition(t, c, "copy-3", 2, 1, []int32{1, 2, 3}, 0)
	if v := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "copy-0"}]["retention.ms"]; v != "3600000" {
		t.Errorf("copy-0 retention.ms = %q", v)
	}
	if v := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: ""}]["log.flush.interval.ms"]; v != "1000" {
		t.Errorf("cluster default log.flush.interval.ms = %q", v)
	}
	if img.ProducerIDs.NextProducerID != nextID {
		t.Errorf("next producer id %d, want %d", img.ProducerIDs.NextProducerID, nextID)
	}

	// The copy happens once.
	at := c.raft.LastIndex()
	_, _, err = c.CopyZkMetadata(ctx, groups, 8, nil)
	wantErrContaining(t, "second copy", err, "MIGRATION")
	if c.raft.LastIndex() != at {
		t.Errorf("a refused copy wrote to the log")
	}

	// In MIGRATION every write is accepted again, and KRaft brokers register.
	registerBroker(t, c, 4)
	createTopic(t, c, "after-copy", nil, []int32{4})

	// Without the flag the controller refuses to lead a log in MIGRATION (it would
	// keep nothing in ZooKeeper in step), and the log stays in MIGRATION: finalizing
	// is explicit.
	nd.stop()
	nd.opts.ZkMigrationEnabled = false
	logs := &logBuffer{}
	nd.opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	nd.start()
	c = nd.c
	waitFor(t, "the controller without the flag to refuse to lead", 15*time.Second, func() bool {
		return strings.Contains(logs.String(), "this controller refuses to lead")
	})
	if st := c.MigrationState(); st.Active || st.State != metadata.ZkMigrationMigration {
		t.Fatalf("restarted without the flag: %+v, want MIGRATION and not active", st)
	}
	_, err = c.RegisterBroker(ctx, metadata.BrokerRegistration{BrokerID: 5})
	wantCode(t, "a write to a controller that refuses to lead", err, kerr.NotController)

	nd.stop()
	nd.opts.ZkMigrationEnabled = true
	nd.opts.Logger = testLogger(t)
	nd.start()
	nd.waitReady()
	c = nd.c
	if err := c.FinalizeZkMigration(ctx); err != nil {
		t.Fatalf("finalize: %v", err)
	}
	if err := c.FinalizeZkMigration(ctx); err != nil {
		t.Errorf("second finalize: %v", err)
	}
	if s := c.Image().ZkMigrationState; s != metadata.ZkMigrationPostMigration {
		t.Fatalf("after finalize: state %s", s.String())
	}

	// After finalizing the flag is ignored, and ZooKeeper brokers are refused.
	nd.stop()
	nd.opts.ZkMigrationEnabled = true
	nd.start()
	nd.waitReady()
	c = nd.c
	if s := c.Image().ZkMigrationState; s != metadata.ZkMigrationPostMigration {
		t.Fatalf("restarted with the flag after finalize: state %s", s.String())
	}
	_, err = c.RegisterBroker(ctx, metadata.BrokerRegistration{BrokerID: 5, IsMigratingZkBroker: true})
	wantCode(t, "migrating broker after finalize", err, kerr.BrokerIDNotRegistered)
}

func TestFailedCopyAbortsItsTransaction(t *testing.T) {
	c := startMigrationNode(t, nil).c
	start := c.raft.LastIndex()

	// Cancelled after its first batch.
	ctx, cancel := context.WithCancel(context.Background())
	_, _, err := c.CopyZkMetadata(ctx, zkTopicGroups(3), 1, func(done, total int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled copy: err = %v, want context.Canceled", err)
	}
	wantCleanPreMigration(t, c)

	// Rejected by the image at the end: a partition of a topic the copy does not have.
	bad := metadata.NewPartitionRecord()
	bad.TopicID, bad.PartitionID, bad.Replicas, bad.ISR, bad.Leader = metadata.RandomUuid(), 0, []int32{1}, []int32{1}, 1
	_, _, err = c.CopyZkMetadata(context.Background(), append(zkTopicGroups(2), []metadata.Record{bad}), 1, nil)
	wantErrContaining(t, "copy of a partition without its topic", err, "unknown topic id")
	wantCleanPreMigration(t, c)

	if got := abortReasons(logBatches(t, c, start)); !slices.Equal(got, []string{"ZK migration aborted", "ZK migration aborted"}) {
		t.Errorf("abort reasons %q", got)
	}
	if _, _, err := c.CopyZkMetadata(context.Background(), zkTopicGroups(3), 1, nil); err != nil {
		t.Fatalf("copy after two aborted ones: %v", err)
	}
	if img := c.Image(); img.ZkMigrationState != metadata.ZkMigrationMigration || len(img.Topics) != 3 {
		t.Fatalf("after the copy: state %s, %d topics", img.ZkMigrationState.String(), len(img.Topics))
	}
}

func TestCopyCutShortByFailoverIsAborted(t *testing.T) {
	nd := startMigrationNode(t, func(o *Options) { o.MigrationBatchDelay = 200 * time.Millisecond })
	c := nd.c
	firstBatch := make(chan struct{}, 1)
	copied := make(chan error, 1)
	go func() {
		_, _, err := c.CopyZkMetadata(context.Background(), zkTopicGroups(5), 1, func(done, total int) {
			select {
			case firstBatch <- struct{}{}:
			default:
			}
		})
		copied <- err
	}()
	select {
	case <-firstBatch:
	case <-time.After(10 * time.Second):
		t.Fatalf("the copy wrote no batch")
	}
	// The active controller dies inside the copy's transaction.
	nd.stop()
	if err := <-copied; err == nil {
		t.Fatalf("copy succeeded although its controller stopped midway")
	}
	if img := c.Image(); !img.InTransaction() || len(img.Topics) != 0 {
		t.Fatalf("stopped mid-copy: in transaction %v, %d topics", img.InTransaction(), len(img.Topics))
	}

	nd.opts.MigrationBatchDelay = 0
	nd.start()
	nd.waitReady()
	c = nd.c
	wantCleanPreMigration(t, c)
	if got := abortReasons(logBatches(t, c, 0)); !slices.Equal(got, []string{"Controller failover"}) {
		t.Errorf("abort reasons %q, want the new controller's failover abort", got)
	}
	if _, _, err := c.CopyZkMetadata(context.Background(), zkTopicGroups(5), 1, nil); err != nil {
		t.Fatalf("copy after failover: %v", err)
	}
	if img := c.Image(); img.ZkMigrationState != metadata.ZkMigrationMigration || len(img.Topics) != 5 {
		t.Fatalf("after the second copy: state %s, %d topics", img.ZkMigrationState.String(), len(img.Topics))
	}
}

// wantCleanPreMigration checks that a copy left nothing behind: no open transaction,
// still PRE_MIGRATION, no topics.
func wantCleanPreMigration(t *testing.T, c *Controller) {
	t.Helper()
	img := c.Image()
	if img.InTransaction() || img.ZkMigrationState != metadata.ZkMigrationPreMigration || len(img.Topics) != 0 {
		t.Fatalf("in transaction %v, state %s, %d topics; want PRE_MIGRATION with nothing copied",
			img.InTransaction(), img.ZkMigrationState.String(), len(img.Topics))
	}
}

func TestPlanCopyBatches(t *testing.T) {
	group := func(n int) []metadata.Record {
		g := make([]metadata.Record, n)
		for i := range g {
			g[i] = &metadata.TopicRecord{Name: "t" + strconv.Itoa(i), TopicID: metadata.RandomUuid()}
		}
		return g
	}
	size := len(metadata.EncodeRecord(group(1)[0])) // every record here encodes to the same size
	sizes := func(batches [][]metadata.Record) []int {
		var out []int
		for _, b := range batches {
			out = append(out, len(b))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		groups   []int
		minBatch int
		maxBytes int
		want     []int
	}{
		{"no groups: one empty batch for the transaction", nil, 200, 1 << 20, []int{0}},
		{"coalesced to the minimum", []int{3, 3, 3, 3, 1}, 5, 1 << 20, []int{6, 6, 1}},
		{"a group is never split", []int{2, 9, 1}, 5, 1 << 20, []int{11, 1}},
		{"empty groups are skipped", []int{0, 2, 0, 3}, 5, 1 << 20, []int{5}},
		{"flushed before the byte bound", []int{3, 3, 3}, 100, 5 * size, []int{3, 3, 3}},
		{"an oversized group goes alone", []int{1, 8, 1}, 100, 5 * size, []int{1, 8, 1}},
	} {
		var groups [][]metadata.Record
		for _, n := range tc.groups {
			groups = append(groups, group(n))
		}
		if got := sizes(planCopyBatches(groups, tc.minBatch, tc.maxBytes)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: batch sizes %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRollbackFreeze: once a rollback froze the log (state ZK) the quorum takes none of
// the writes ZooKeeper mirrors, moves no leadership when a broker's session ends, and
// registers no KRaft broker; freezing again writes nothing, and finalizing is refused.
func TestRollbackFreeze(t *testing.T) {
	const timeout = 300 * time.Millisecond
	c := startMigrationNode(t, func(o *Options) { o.BrokerSessionTimeout = timeout }).c
	ctx := context.Background()
	epochs := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		epochs[id] = registerMigrating(t, c, id)
	}
	leader := func() *Controller { return c }
	keepAlive(t, leader, map[int32]int64{2: epochs[2], 3: epochs[3]})
	stopOne := keepAlive(t, leader, map[int32]int64{1: epochs[1]})
	if _, err := c.FreezeForRollback(ctx); err == nil {
		t.Fatal("froze a log in PRE_MIGRATION")
	}
	if _, _, err := c.CopyZkMetadata(ctx, zkTopicGroups(2), 0, nil); err != nil {
		t.Fatalf("copy: %v", err)
	}

	frozenAt, err := c.FreezeForRollback(ctx)
	if err != nil {
		t.Fatalf("freeze: %v", err)
	}
	if s := c.Image().ZkMigrationState; s != metadata.ZkMigrationZK {
		t.Fatalf("after the freeze: state %s, want ZK", s.String())
	}
	if again, err := c.FreezeForRollback(ctx); err != nil || again != c.Image().Offset {
		t.Fatalf("second freeze: offset %d, %v; want the image's offset %d and no new record", again, err, c.Image().Offset)
	}
	if frozenAt <= 0 {
		t.Fatalf("freeze offset %d", frozenAt)
	}

	before := c.Image()
	refused := map[string]error{
		"CreateTopics":     c.CreateTopics(ctx, []metadata.TopicSpec{{Name: "t", NumPartitions: 1, ReplicationFactor: 1}}, false)[0].Err,
		"DeleteTopics":     c.DeleteTopics(ctx, []string{"copy-0"})[0],
		"CreatePartitions": c.CreatePartitions(ctx, "copy-0", 5, nil, false),
		"AlterConfigs":     c.AlterConfigs(ctx, metadata.ConfigResource{Type: metadata.ConfigResourceBroker}, nil, true, false),
	}
	_, refused["AlterPartition"] = c.AlterPartition(ctx, 1, epochs[1], nil)
	_, refused["ElectLeaders"] = c.ElectLeaders(ctx, false, nil)
	_, _, refused["AllocateProducerIDs"] = c.AllocateProducerIDs(ctx, 1, epochs[1])
	for name, err := range refused {
		wantCode(t, name, err, kerr.NotController)
		wantMessage(t, name, err, "The ZK migration was rolled back: ZooKeeper leads the cluster.")
	}
	_, err = c.RegisterBroker(ctx, metadata.BrokerRegistration{BrokerID: 9, IncarnationID: metadata.RandomUuid()})
	wantCode(t, "KRaft broker after the freeze", err, kerr.BrokerIDNotRegistered)
	if err := c.FinalizeZkMigration(ctx); err == nil {
		t.Error("finalize after the freeze succeeded")
	}

	stopOne()
	waitFor(t, "broker 1 to be fenced", 5*time.Second, func() bool { return c.Image().Brokers[1].Fenced })
	after := c.Image()
	for name, topic := range before.Topics {
		for id, p := range topic.Partitions {
			q := after.Topics[name].Partitions[id]
			if q.Leader != p.Leader || !slices.Equal(q.ISR, p.ISR) || q.LeaderEpoch != p.LeaderEpoch {
				t.Errorf("%s-%d moved after the freeze: leader %d isr %v epoch %d, was %d %v %d",
					name, id, q.Leader, q.ISR, q.LeaderEpoch, p.Leader, p.ISR, p.LeaderEpoch)
			}
		}
	}
}

// TestControllersRegisterWithTheActive (KIP-919): every voter's registration reaches
// the log through the active controller, with ZkMigrationReady as its migration flag;
// a voter restarted without the flag registers again, not ready.
func TestControllersRegisterWithTheActive(t *testing.T) {
	nodes := newTestCluster(t, 3)
	for _, nd := range nodes {
		nd.opts.ZkMigrationEnabled = true
		nd.start()
		nd.serveKafka()
	}
	for _, nd := range nodes {
		nd.waitReady()
	}
	registeredAsIs := func(img *metadata.Image, nd *testNode) bool {
		reg, ok := img.Controllers[nd.opts.NodeID]
		return ok && reg.IncarnationID == nd.c.incarnation && reg.ZkMigrationReady == nd.opts.ZkMigrationEnabled
	}
	waitFor(t, "every voter registered, as every voter sees it", 15*time.Second, func() bool {
		for _, viewer := range nodes {
			for _, nd := range nodes {
				if !registeredAsIs(viewer.c.Image(), nd) {
					return false
				}
			}
		}
		return true
	})

	var follower *testNode
	for _, nd := range nodes {
		if !nd.c.IsLeader() {
			follower = nd
		}
	}
	follower.stop()
	follower.opts.ZkMigrationEnabled = false
	follower.start()
	follower.serveKafka()
	var leader *Controller
	waitFor(t, "the restarted voter registered again, not ready", 15*time.Second, func() bool {
		for _, nd := range nodes {
			if nd.c.IsLeader() {
				leader = nd.c
			}
		}
		return leader != nil && registeredAsIs(leader.Image(), follower)
	})
	if reg := leader.Image().Controllers[follower.opts.NodeID]; reg.ZkMigrationReady {
		t.Fatalf("a voter without the flag registered as ZkMigrationReady: %+v", reg)
	}
}

// TestCopyMovesPartitionsOffFencedBrokers: a broker whose session ran out before the
// copy (fenced while the log held no partitions) leads and is in the ISR of what
// ZooKeeper gave it; right after the copy the controller takes it out of every ISR and
// leadership, as fencing it would have, so its partitions do not stay led by a broker
// that cannot serve them.
func TestCopyMovesPartitionsOffFencedBrokers(t *testing.T) {
	nd := startMigrationNode(t, nil)
	c := nd.c
	registerFenced(t, c, metadata.BrokerRegistration{BrokerID: 1, IsMigratingZkBroker: true})
	registerMigrating(t, c, 2)
	registerMigrating(t, c, 3)
	offset, _, err := c.CopyZkMetadata(context.Background(), [][]metadata.Record{zkTopicGroup("led-by-1", 2, []int32{1, 2, 3})}, 0, nil)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	img := c.Image()
	if img.Offset <= offset {
		t.Fatalf("nothing written after the copy at %d", offset)
	}
	for id, p := range img.Topics["led-by-1"].Partitions {
		if p.Leader != 2 || slices.Contains(p.ISR, 1) || p.LeaderEpoch != 1 {
			t.Errorf("led-by-1-%d after the copy: leader %d epoch %d ISR %v; want leader 2, epoch 1, 1 out of the ISR", id, p.Leader, p.LeaderEpoch, p.ISR)
		}
	}
}
