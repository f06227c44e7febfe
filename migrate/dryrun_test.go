package migrate

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

const (
	testClusterID  = "fMCL8kv1SWm87L_Md-I2hg"
	otherClusterID = "T0tHZXJDbHVzdGVySWQxMg"
	ordersID       = "Hn2t4NfbTdqCDsmpnGu2Rw"
	paymentsID     = "3wYzTa4oS0G0hF4C8lGm_g"
	doomedID       = "bN7tvCgJQfaR3kbSI1-vaQ"
)

// treeWriter writes a Kafka 3.x cluster's ZooKeeper tree below a chroot with zkmode's
// codecs: persistent znodes through one session, the brokers' ephemeral
// registrations and /controller through another that stays open until the test ends,
// as live brokers hold theirs.
type treeWriter struct {
	t       *testing.T
	ctx     context.Context
	connect string
	conn    *zkmode.Conn
	brokers *zkmode.Conn
}

func newTreeWriter(t *testing.T, srv *zktest.Server, chroot string) *treeWriter {
	t.Helper()
	w := &treeWriter{t: t, ctx: context.Background(), connect: srv.Addr() + chroot}
	w.conn, w.brokers = dialZK(t, w.connect), dialZK(t, w.connect)
	return w
}

func dialZK(t *testing.T, connect string) *zkmode.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := zkmode.Dial(ctx, connect, 10*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// create writes a persistent znode, its missing parents first.
func (w *treeWriter) create(path string, data []byte) {
	w.t.Helper()
	if _, err := w.conn.CreateRecursive(w.ctx, path, data, zk.FlagPersistent); err != nil {
		w.t.Fatal(err)
	}
}

// set replaces the data of an existing znode.
func (w *treeWriter) set(path string, data []byte) {
	w.t.Helper()
	if _, err := w.conn.Set(w.ctx, path, data, -1); err != nil {
		w.t.Fatal(err)
	}
}

func (w *treeWriter) ephemeral(path string, data []byte) {
	w.t.Helper()
	if _, err := w.brokers.Create(w.ctx, path, data, zk.FlagEphemeral); err != nil {
		w.t.Fatal(err)
	}
}

// broker registers a broker with a v5 znode whose features say which metadata.version
// levels its release supports (1 to maxMV).
func (w *treeWriter) broker(id int32, maxMV int16) {
	w.t.Helper()
	w.brokerZNode(id, znode.BrokerZNode{
		Version: 5, JmxPort: -1, Timestamp: 1700000000000,
		Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "broker" + strconv.Itoa(int(id)), Port: 9092}},
		Features:  []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: maxMV}},
	})
}

func (w *treeWriter) brokerZNode(id int32, b znode.BrokerZNode) {
	w.t.Helper()
	data, err := znode.EncodeBroker(b)
	if err != nil {
		w.t.Fatal(err)
	}
	w.ephemeral(znode.BrokerPath(id), data)
}

// topic writes a topic znode and the state znodes given; id "" leaves the topic_id out.
func (w *treeWriter) topic(name, id string, replicas map[int32][]int32, states map[int32]znode.PartitionState) {
	w.t.Helper()
	z := znode.TopicZNode{Partitions: replicas}
	if id != "" {
		z.TopicID = mustUuid(w.t, id)
	}
	w.create(znode.TopicPath(name), znode.EncodeTopic(z))
	for p := range replicas {
		if s, ok := states[p]; ok {
			w.create(znode.TopicPartitionStatePath(name, p), znode.EncodePartitionState(s))
		} else {
			w.create(znode.TopicPartitionPath(name, p), nil)
		}
	}
}

func (w *treeWriter) config(entityType, name string, cfg map[string]string) {
	w.t.Helper()
	w.create(znode.ConfigEntityPath(entityType, name), znode.EncodeConfig(cfg))
}

func (w *treeWriter) acls(p znode.ResourcePattern, entries ...znode.ACLEntry) {
	w.t.Helper()
	path, err := znode.ACLResourcePath(p)
	if err != nil {
		w.t.Fatal(err)
	}
	data, err := znode.EncodeACLs(entries)
	if err != nil {
		w.t.Fatal(err)
	}
	w.create(path, data)
}

// writeKafka3Cluster lays out a small Kafka 3.9 cluster as its brokers leave it:
//   - brokers 1-3 (v5 znodes, metadata.version up to 21), broker 1 the controller;
//   - orders (3 partitions, RF 3), payments (2 partitions, one without a state znode,
//     with topic configs), doomed (pending deletion);
//   - broker 1 and <default> broker configs; alice (a quota and a SCRAM-SHA-256
//     credential), client reporting and IP 10.0.0.7 quotas;
//   - two literal ACLs on orders and a prefixed one on pay-;
//   - a producer-id block handed to broker 2 and two delegation tokens.
func writeKafka3Cluster(w *treeWriter) {
	w.t.Helper()
	for _, p := range znode.PersistentPaths() {
		w.create(p, nil)
	}
	w.create(znode.ClusterIDPath, znode.EncodeClusterID(testClusterID))
	w.create(znode.ControllerEpochPath, znode.EncodeControllerEpoch(3))
	feature, err := znode.EncodeFeature(znode.FeatureZNode{Version: 2, Status: znode.FeatureStatusEnabled})
	if err != nil {
		w.t.Fatal(err)
	}
	w.create(znode.FeaturePath, feature)
	for id := int32(1); id <= 3; id++ {
		w.broker(id, metadata.MetadataVersionLatest)
	}
	w.ephemeral(znode.ControllerPath, znode.EncodeController(znode.ControllerZNode{BrokerID: 1, Timestamp: 1700000000000, KRaftControllerEpoch: -1}))

	w.topic("orders", ordersID, map[int32][]int32{0: {1, 2, 3}, 1: {2, 3, 1}, 2: {3, 1, 2}}, map[int32]znode.PartitionState{
		0: {Leader: 1, LeaderEpoch: 4, ControllerEpoch: 3, ISR: []int32{1, 2, 3}},
		1: {Leader: 2, LeaderEpoch: 2, ControllerEpoch: 3, ISR: []int32{2, 3}},
		2: {Leader: 3, LeaderEpoch: 0, ControllerEpoch: 3, ISR: []int32{3, 1, 2}},
	})
	w.topic("payments", paymentsID, map[int32][]int32{0: {2, 3}, 1: {3, 1}}, map[int32]znode.PartitionState{
		0: {Leader: 2, LeaderEpoch: 1, ControllerEpoch: 3, ISR: []int32{2, 3}},
	})
	w.config(znode.ConfigTypeTopic, "payments", map[string]string{"retention.ms": "604800000", "min.insync.replicas": "2"})
	w.topic("doomed", doomedID, map[int32][]int32{0: {1}}, map[int32]znode.PartitionState{0: {Leader: 1, ControllerEpoch: 3, ISR: []int32{1}}})
	w.create(znode.DeleteTopicPath("doomed"), nil)

	w.config(znode.ConfigTypeBroker, "1", map[string]string{"log.cleaner.threads": "2"})
	w.config(znode.ConfigTypeBroker, znode.ConfigDefaultName, map[string]string{"min.insync.replicas": "2"})
	w.config(znode.ConfigTypeUser, "alice", map[string]string{
		"producer_byte_rate": "1048576",
		znode.ScramSHA256Key: znode.FormatScramCredential(znode.ScramCredential{
			Salt: []byte("alice-salt"), StoredKey: []byte("alice-stored-key"), ServerKey: []byte("alice-server-key"), Iterations: 8192,
		}),
	})
	w.config(znode.ConfigTypeClient, "reporting", map[string]string{"request_percentage": "12.5"})
	w.config(znode.ConfigTypeIP, "10.0.0.7", map[string]string{"connection_creation_rate": "10"})

	w.acls(znode.ResourcePattern{ResourceType: int8(kmsg.ACLResourceTypeTopic), Name: "orders", PatternType: metadata.ACLPatternLiteral},
		znode.ACLEntry{Principal: "User:alice", Host: "*", Operation: int8(kmsg.ACLOperationRead), PermissionType: int8(kmsg.ACLPermissionTypeAllow)},
		znode.ACLEntry{Principal: "User:alice", Host: "*", Operation: int8(kmsg.ACLOperationDescribe), PermissionType: int8(kmsg.ACLPermissionTypeAllow)})
	w.acls(znode.ResourcePattern{ResourceType: int8(kmsg.ACLResourceTypeTopic), Name: "pay-", PatternType: metadata.ACLPatternPrefixed},
		znode.ACLEntry{Principal: "User:bob", Host: "10.0.0.2", Operation: int8(kmsg.ACLOperationWrite), PermissionType: int8(kmsg.ACLPermissionTypeDeny)})

	w.set(znode.ProducerIDBlockPath, znode.EncodeProducerIDBlock(znode.ProducerIDBlock{BrokerID: 2, BlockStart: 3000, BlockEnd: 3999}))
	w.create(znode.DelegationTokenInfoPath("token-1"), []byte(`{"version":3,"owner":"User%3Aalice","tokenRequester":"User%3Aalice",`+
		`"renewers":[],"issueTimestamp":1700000000000,"maxTimestamp":1700604800000,"expiryTimestamp":1700086400000,"tokenId":"token-1"}`))
	w.create(znode.DelegationTokenInfoPath("token-2"), []byte(`{"version":1,"owner":"User%3Abob","renewers":["User%3Aalice"],`+
		`"issueTimestamp":1600000000000,"maxTimestamp":1600604800000,"expiryTimestamp":1600086400000,"tokenId":"token-2"}`))
}

// kafka3Cluster writes the cluster below chroot, then extra, and returns the
// cluster's zookeeper.connect.
func kafka3Cluster(t *testing.T, srv *zktest.Server, chroot string, extra func(*treeWriter)) string {
	t.Helper()
	w := newTreeWriter(t, srv, chroot)
	writeKafka3Cluster(w)
	if extra != nil {
		extra(w)
	}
	return w.connect
}

func mustUuid(t *testing.T, s string) metadata.Uuid {
	t.Helper()
	u, err := metadata.ParseUuid(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func apply(t *testing.T, img *metadata.Image, records ...metadata.Record) {
	t.Helper()
	for _, r := range records {
		if err := img.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
}

// quorumImage is a migration quorum's committed image at offset 100: metadata.version
// mv, the migration state, voters 3000-3002 registered with ZkMigrationReady, then
// records.
func quorumImage(t *testing.T, mv int16, state metadata.ZkMigrationState, records ...metadata.Record) *metadata.Image {
	t.Helper()
	img := metadata.NewImage()
	img.ClusterID = testClusterID
	apply(t, img, &metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: mv},
		&metadata.ZkMigrationStateRecord{ZkMigrationState: state})
	for id := int32(3000); id <= 3002; id++ {
		apply(t, img, &metadata.RegisterControllerRecord{ControllerID: id, IncarnationID: metadata.RandomUuid(), ZkMigrationReady: true})
	}
	apply(t, img, records...)
	img.SetPosition(100, 2)
	return img
}

// migratingBroker is a ZooKeeper broker's registration with the quorum: its
// metadata.version range pinned to its IBP, as Kafka pins it, and logDirs log dirs.
func migratingBroker(id int32, ibp int16, logDirs int) *metadata.RegisterBrokerRecord {
	r := metadata.NewRegisterBrokerRecord()
	r.BrokerID, r.BrokerEpoch, r.IncarnationID = id, 100+int64(id), metadata.RandomUuid()
	r.IsMigratingZkBroker = true
	r.EndPoints = []metadata.Endpoint{{Name: "PLAINTEXT", Host: "broker" + strconv.Itoa(int(id)), Port: 9092}}
	r.Features = []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: ibp, MaxVersion: ibp}}
	for range logDirs {
		r.LogDirs = append(r.LogDirs, metadata.RandomUuid())
	}
	return r
}

func migratingBrokers(ids ...int32) []metadata.Record {
	var out []metadata.Record
	for _, id := range ids {
		out = append(out, migratingBroker(id, metadata.MetadataVersionLatest, 1))
	}
	return out
}

// serveQuorum serves img as the active controller 3000 of voters 3000-3002 and returns
// the admin endpoint's address.
func serveQuorum(t *testing.T, img *metadata.Image, voterIDs ...int32) string {
	t.Helper()
	if voterIDs == nil {
		voterIDs = []int32{3000, 3001, 3002}
	}
	return serveAdmin(t, fixedMember{img: img, leader: voterIDs[0]}, voterIDs[0], func(string) []Voter {
		voters := make([]Voter, len(voterIDs))
		for i, id := range voterIDs {
			voters[i] = Voter{ID: id, Host: "controller" + strconv.Itoa(int(id)), Port: 9093}
		}
		return voters
	})
}

func runDryRun(t *testing.T, connect, controller string) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := DryRun(ctx, DryRunOptions{ZooKeeper: connect, Controller: controller, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// codes lists the report's findings as "CODE/severity", in order.
func codes(r *Report) []string {
	out := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		out[i] = f.Code + "/" + string(f.Severity)
	}
	return out
}

// finding returns the report's finding with code, failing the test without one.
func finding(t *testing.T, r *Report, code string) Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Code == code {
			return f
		}
	}
	t.Fatalf("no %s finding; findings: %v", code, codes(r))
	return Finding{}
}

func wantFinding(t *testing.T, r *Report, code string, sev Severity, entities ...string) Finding {
	t.Helper()
	f := finding(t, r, code)
	if f.Severity != sev {
		t.Errorf("%s severity %s, want %s", code, f.Severity, sev)
	}
	if entities != nil && !slices.Equal(f.Entities, entities) {
		t.Errorf("%s entities %q, want %q", code, f.Entities, entities)
	}
	if f.Message == "" || (sev != SeverityInfo && f.Fix == "") {
		t.Errorf("%s without a message or a fix: %+v", code, f)
	}
	return f
}

func wantExit(t *testing.T, r *Report, code int) {
	t.Helper()
	if got := r.ExitCode(); got != code {
		t.Fatalf("exit code %d, want %d; findings %v", got, code, codes(r))
	}
}

// TestDryRunPlan: the plan counts exactly what the tree holds, and a ready cluster
// (every broker registered with a PRE_MIGRATION quorum) exits 0 with only the
// findings the tree plants.
func TestDryRunPlan(t *testing.T) {
	srv := zktest.Start(t)
	connect := kafka3Cluster(t, srv, "/kafka", nil)
	addr := serveQuorum(t, quorumImage(t, metadata.MetadataVersionLatest, metadata.ZkMigrationPreMigration, migratingBrokers(1, 2, 3)...))
	r := runDryRun(t, connect, addr)

	records, batches := 24, 1
	want := Plan{
		Brokers: 3, BrokerIDs: []int32{1, 2, 3}, Topics: 2, Partitions: 5, TopicConfigs: 1, BrokerConfigs: 2,
		ClientQuotas: 3, ScramUsers: 1, ScramCredentials: 1, ACLs: 3, DelegationTokens: 2,
		ProducerIDBlock:  &ProducerIDBlockPlan{BrokerID: 2, NextProducerID: 4000},
		PendingDeletions: []string{"doomed"}, Records: &records, Batches: &batches, Transactions: 1,
	}
	if !reflect.DeepEqual(r.Plan, want) {
		got, _ := json.Marshal(r.Plan)
		exp, _ := json.Marshal(want)
		t.Fatalf("plan\n got %s\nwant %s", got, exp)
	}
	wantExit(t, r, ExitReady)
	if want := []string{"PENDING_DELETIONS/warning", "PARTITIONS_WITHOUT_STATE/info"}; !slices.Equal(codes(r), want) {
		t.Fatalf("findings %v, want %v", codes(r), want)
	}
	wantFinding(t, r, CodePendingDeletions, SeverityWarning, "doomed")
	wantFinding(t, r, CodePartitionsWithoutState, SeverityInfo, "payments-1")
	if r.ClusterID != testClusterID || r.MigrationState == nil || *r.MigrationState != "PRE_MIGRATION" || r.Diff != nil {
		t.Fatalf("cluster %q, state %v, diff %v", r.ClusterID, r.MigrationState, r.Diff)
	}
	if q := r.Quorum; q == nil || q.MetadataOffset != 100 || !slices.Equal(q.MigratingBrokers, []int32{1, 2, 3}) || !slices.Equal(q.VoterIDs, []int32{3000, 3001, 3002}) {
		t.Fatalf("quorum %+v", r.Quorum)
	}

	t.Run("without controller", func(t *testing.T) {
		r := runDryRun(t, connect, "")
		wantExit(t, r, ExitReady)
		wantFinding(t, r, CodeControllerNotChecked, SeverityWarning)
		if r.Quorum != nil || r.MigrationState != nil {
			t.Fatalf("quorum %+v, state %v without --controller", r.Quorum, r.MigrationState)
		}
	})

	t.Run("JSON schema", func(t *testing.T) {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Report
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, r) {
			t.Fatalf("round trip changed the report:\n%s", data)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		wantKeys(t, "report", doc, "zookeeper", "cluster_id", "migration_state", "quorum", "plan", "findings", "diff", "ready")
		wantKeys(t, "plan", doc["plan"].(map[string]any), "brokers", "broker_ids", "topics", "partitions", "topic_configs",
			"broker_configs", "client_quotas", "scram_users", "scram_credentials", "acls", "delegation_tokens",
			"producer_id_block", "pending_deletions", "records", "batches", "transactions")
		for _, f := range doc["findings"].([]any) {
			wantKeys(t, "finding", f.(map[string]any), "code", "severity", "message", "fix", "entities")
		}
	})
}

func wantKeys(t *testing.T, what string, obj map[string]any, keys ...string) {
	t.Helper()
	if got := slices.Sorted(maps.Keys(obj)); !slices.Equal(got, slices.Sorted(slices.Values(keys))) {
		t.Errorf("%s keys %v, want %v", what, got, slices.Sorted(slices.Values(keys)))
	}
}

// TestDryRunQuorumFindings plants one problem at a time on the quorum's side of the
// same ZooKeeper cluster and checks it is found with its code and severity.
func TestDryRunQuorumFindings(t *testing.T) {
	srv := zktest.Start(t)
	connect := kafka3Cluster(t, srv, "/kafka", nil)
	latest := metadata.MetadataVersionLatest
	pre := metadata.ZkMigrationPreMigration
	for _, tc := range []struct {
		name     string
		img      func(t *testing.T) *metadata.Image
		voters   []int32
		code     string
		sev      Severity
		entities []string
	}{
		{
			name:   "voter id collides with a broker id",
			img:    func(t *testing.T) *metadata.Image { return quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...) },
			voters: []int32{3000, 2, 3002}, code: CodeIDCollision, sev: SeverityBlocker, entities: []string{"2"},
		},
		{
			name: "a voter not registered",
			img: func(t *testing.T) *metadata.Image {
				img := quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...)
				delete(img.Controllers, 3002)
				return img
			},
			code: CodeControllersNotReady, sev: SeverityBlocker, entities: []string{"3002"},
		},
		{
			name: "a voter without the migration flag",
			img: func(t *testing.T) *metadata.Image {
				img := quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...)
				apply(t, img, &metadata.RegisterControllerRecord{ControllerID: 3001, IncarnationID: metadata.RandomUuid()})
				return img
			},
			code: CodeControllersNotReady, sev: SeverityBlocker, entities: []string{"3001"},
		},
		{
			name: "cluster id mismatch",
			img: func(t *testing.T) *metadata.Image {
				img := quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...)
				img.ClusterID = otherClusterID
				return img
			},
			code: CodeClusterIDMismatch, sev: SeverityBlocker, entities: []string{testClusterID, otherClusterID},
		},
		{
			name: "log in state NONE with data",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, latest, metadata.ZkMigrationNone, migratingBrokers(1, 2, 3)...)
			},
			code: CodeMetadataLogNotEmpty, sev: SeverityBlocker,
		},
		{
			name: "brokers not registered or registered as KRaft brokers",
			img: func(t *testing.T) *metadata.Image {
				kraft := migratingBroker(2, latest, 1)
				kraft.IsMigratingZkBroker = false
				return quorumImage(t, latest, pre, migratingBroker(1, latest, 1), kraft)
			},
			code: CodeBrokersNotRegistered, sev: SeverityBlocker, entities: []string{"2", "3"},
		},
		{
			name: "empty log",
			img: func(t *testing.T) *metadata.Image {
				img := metadata.NewImage()
				img.ClusterID = otherClusterID
				return img
			},
			code: CodeBrokersNotRegistered, sev: SeverityBlocker, entities: []string{"1", "2", "3"},
		},
		{
			name: "multiple log dirs at 3.7-IV2 or later",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, latest, pre, migratingBroker(1, latest, 2), migratingBroker(2, latest, 1), migratingBroker(3, latest, 3))
			},
			code: CodeMultipleLogDirs, sev: SeverityWarning, entities: []string{"1", "3"},
		},
		{
			name: "open transaction",
			img: func(t *testing.T) *metadata.Image {
				img := quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...)
				apply(t, img, &metadata.BeginTransactionRecord{})
				return img
			},
			code: CodeOpenTransaction, sev: SeverityWarning,
		},
		{
			name: "metadata.version without transactions",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, metadata.MetadataVersion3_6IV1-1, pre, migratingBroker(1, 12, 1), migratingBroker(2, 12, 1), migratingBroker(3, 12, 1))
			},
			code: CodeMetadataVersionTooOld, sev: SeverityBlocker,
		},
		{
			name: "metadata.version without migration",
			img:  func(t *testing.T) *metadata.Image { return quorumImage(t, 7, pre) },
			code: CodeMetadataVersionTooOld, sev: SeverityBlocker,
		},
		{
			name: "IBP below the quorum's metadata.version",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, latest, pre, migratingBroker(1, latest, 1), migratingBroker(2, 17, 1), migratingBroker(3, latest, 1))
			},
			code: CodeIBPMismatch, sev: SeverityBlocker, entities: []string{"2"},
		},
		{
			name: "migrated log without /migration",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, latest, metadata.ZkMigrationMigration)
			},
			code: CodeMigrationZNodeMissing, sev: SeverityWarning, entities: []string{znode.MigrationPath},
		},
		{
			name: "finalized",
			img: func(t *testing.T) *metadata.Image {
				return quorumImage(t, latest, metadata.ZkMigrationPostMigration)
			},
			code: CodeMetadataLogNotPreMigration, sev: SeverityBlocker,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runDryRun(t, connect, serveQuorum(t, tc.img(t), tc.voters...))
			wantFinding(t, r, tc.code, tc.sev, tc.entities...)
			wantExit(t, r, map[Severity]int{SeverityBlocker: ExitBlocked, SeverityWarning: ExitReady}[tc.sev])
		})
	}

	t.Run("no active controller", func(t *testing.T) {
		img := quorumImage(t, latest, pre, migratingBrokers(1, 2, 3)...)
		addr := serveAdmin(t, fixedMember{img: img, leader: -1}, 3001, func(string) []Voter {
			return []Voter{{ID: 3000, Host: "controller3000", Port: 9093}, {ID: 3001, Host: "controller3001", Port: 9093}}
		})
		r := runDryRun(t, connect, addr)
		wantFinding(t, r, CodeNoQuorumLeader, SeverityWarning, "3000", "3001")
		wantExit(t, r, ExitReady)
	})
}

// TestDryRunTreeFindings plants one problem at a time in ZooKeeper, each in a cluster
// of its own below its own chroot.
func TestDryRunTreeFindings(t *testing.T) {
	srv := zktest.Start(t)
	pre := func(t *testing.T) string {
		return serveQuorum(t, quorumImage(t, metadata.MetadataVersionLatest, metadata.ZkMigrationPreMigration, migratingBrokers(1, 2, 3)...))
	}
	for i, tc := range []struct {
		name       string
		extra      func(*treeWriter)
		controller func(t *testing.T) string
		code       string
		sev        Severity
		entities   []string
		check      func(*testing.T, *Report)
	}{
		{
			name: "topic without topic_id",
			extra: func(w *treeWriter) {
				w.topic("legacy-events", "", map[int32][]int32{0: {1, 2}}, map[int32]znode.PartitionState{0: {Leader: 1, ISR: []int32{1, 2}}})
			},
			code: CodeMissingTopicID, sev: SeverityBlocker, entities: []string{"legacy-events"},
			check: func(t *testing.T, r *Report) {
				if r.Plan.Topics != 3 || r.Plan.Records != nil || r.Plan.Batches != nil {
					t.Errorf("plan: %d topics, records %v, batches %v; want 3 topics and no record count", r.Plan.Topics, r.Plan.Records, r.Plan.Batches)
				}
			},
		},
		{
			name: "leftover /migration recording a copy the log does not have",
			extra: func(w *treeWriter) {
				w.create(znode.MigrationPath, znode.EncodeMigration(znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 4, KRaftMetadataOffset: 812, KRaftMetadataEpoch: 4}))
			},
			controller: pre, code: CodeMigrationZNodeLeftover, sev: SeverityBlocker, entities: []string{znode.MigrationPath},
		},
		{
			name:       "/migration of an attempt cut short before its copy",
			extra:      func(w *treeWriter) { w.create(znode.MigrationPath, znode.EncodeMigration(znode.EmptyMigration)) },
			controller: pre, code: CodeMigrationZNodeLeftover, sev: SeverityWarning, entities: []string{znode.MigrationPath},
		},
		{
			name: "/migration without --controller",
			extra: func(w *treeWriter) {
				w.create(znode.MigrationPath, znode.EncodeMigration(znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 4, KRaftMetadataOffset: 812, KRaftMetadataEpoch: 4}))
			},
			code: CodeMigrationZNodeLeftover, sev: SeverityWarning, entities: []string{znode.MigrationPath},
		},
		{
			name: "malformed /migration",
			extra: func(w *treeWriter) {
				w.create(znode.MigrationPath, []byte(`{"version":1,"kraft_controller_id":3000}`))
			},
			code: CodeMigrationZNodeMalformed, sev: SeverityBlocker, entities: []string{znode.MigrationPath},
		},
		{
			name: "brokers too old to migrate",
			extra: func(w *treeWriter) {
				w.brokerZNode(4, znode.BrokerZNode{Version: 4, JmxPort: -1, Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "broker4", Port: 9092}}})
				w.broker(5, 7)
			},
			code: CodeIBPTooOld, sev: SeverityBlocker, entities: []string{"4", "5"},
		},
		{
			name: "/controller left to a KRaft controller",
			extra: func(w *treeWriter) {
				if err := w.brokers.Delete(w.ctx, znode.ControllerPath, -1); err != nil {
					w.t.Fatal(err)
				}
				w.create(znode.ControllerPath, znode.EncodeController(znode.ControllerZNode{BrokerID: 3000, Timestamp: 1700000000000, KRaftControllerEpoch: 4}))
			},
			code: CodeKRaftControllerZNode, sev: SeverityWarning, entities: []string{znode.ControllerPath},
		},
		{
			name: "replicas on a broker that is down",
			extra: func(w *treeWriter) {
				w.topic("archive", "q3Kbb0QvQzCJGbvx1fkv2A", map[int32][]int32{0: {1, 6}}, map[int32]znode.PartitionState{0: {Leader: 1, ISR: []int32{1}}})
			},
			code: CodeBrokersOffline, sev: SeverityWarning, entities: []string{"6"},
		},
	} {
		chroot := "/case-" + strconv.Itoa(i)
		t.Run(tc.name, func(t *testing.T) {
			connect := kafka3Cluster(t, srv, chroot, tc.extra)
			var controller string
			if tc.controller != nil {
				controller = tc.controller(t)
			}
			r := runDryRun(t, connect, controller)
			wantFinding(t, r, tc.code, tc.sev, tc.entities...)
			wantExit(t, r, map[Severity]int{SeverityBlocker: ExitBlocked, SeverityWarning: ExitReady}[tc.sev])
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}

	t.Run("no Kafka cluster below the chroot", func(t *testing.T) {
		r := runDryRun(t, srv.Addr()+"/nothing-here", "")
		wantFinding(t, r, CodeClusterIDMissing, SeverityBlocker, znode.ClusterIDPath)
		wantExit(t, r, ExitBlocked)
		// Read-only: the chroot a zkmode.Dial would have created does not exist.
		root := dialZK(t, srv.Addr())
		if ok, _, err := root.Exists(context.Background(), "/nothing-here"); err != nil || ok {
			t.Fatalf("the dry-run created its chroot (exists %v, %v)", ok, err)
		}
	})
}

// TestDryRunUnreadable: what keeps the check from running is an error (exit 2), not
// a report.
func TestDryRunUnreadable(t *testing.T) {
	closed := closedAddr(t)
	ctx := context.Background()
	if _, err := DryRun(ctx, DryRunOptions{ZooKeeper: closed, ConnectTimeout: 300 * time.Millisecond}); err == nil {
		t.Fatal("no error from an unreachable ZooKeeper")
	}

	srv := zktest.Start(t)
	connect := kafka3Cluster(t, srv, "/kafka", nil)
	if _, err := DryRun(ctx, DryRunOptions{ZooKeeper: connect, Controller: closed, ConnectTimeout: 2 * time.Second}); err == nil {
		t.Fatal("no error from an unreachable controller")
	}
	broken := kafka3Cluster(t, srv, "/broken", func(w *treeWriter) { w.create(znode.TopicPath("garbled"), []byte("not json")) })
	if _, err := DryRun(ctx, DryRunOptions{ZooKeeper: broken, ConnectTimeout: 2 * time.Second}); err == nil {
		t.Fatal("no error from a topic znode that does not decode")
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
