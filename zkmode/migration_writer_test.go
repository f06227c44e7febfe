package zkmode

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

const (
	testKRaftNodeID = 3000
	testKRaftEpoch  = 5
)

// startMigration makes connect a ZooKeeper cluster whose broker 1 was elected
// controller, then has KRaft controller testKRaftNodeID claim it in Raft epoch
// testKRaftEpoch and take /migration, as the migration driver does before it writes.
func startMigration(t *testing.T, connect string) (*Conn, *MigrationWriter) {
	t.Helper()
	ctx := context.Background()
	c := dial(t, connect)
	if _, _, err := registerControllerAndIncrementControllerEpoch(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	claimed, err := ClaimControllerForKRaft(ctx, c, testKRaftNodeID, testKRaftEpoch)
	if err != nil {
		t.Fatal(err)
	}
	m, zkVersion, err := GetOrCreateMigration(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if m != znode.EmptyMigration || zkVersion != 0 {
		t.Fatalf("new /migration = %+v at zkVersion %d, want EmptyMigration at 0", m, zkVersion)
	}
	return c, NewMigrationWriter(c, claimed.EpochZkVersion(), zkVersion)
}

// migrationAt is the /migration content after the KRaft metadata offset.
func migrationAt(offset int64) znode.MigrationZNode {
	return znode.MigrationZNode{KRaftControllerID: testKRaftNodeID, KRaftControllerEpoch: testKRaftEpoch, KRaftMetadataOffset: offset, KRaftMetadataEpoch: testKRaftEpoch}
}

// applied returns base (nil: an empty image) with records applied.
func applied(t *testing.T, base *metadata.Image, records ...metadata.Record) *metadata.Image {
	t.Helper()
	img := metadata.NewImage()
	if base != nil {
		img = base.Clone()
	}
	for _, r := range records {
		if err := img.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func partitionRecord(topicID metadata.Uuid, id int32, replicas, isr []int32, leader, leaderEpoch int32) *metadata.PartitionRecord {
	r := metadata.NewPartitionRecord()
	r.TopicID, r.PartitionID, r.Replicas, r.ISR, r.Leader, r.LeaderEpoch = topicID, id, replicas, isr, leader, leaderEpoch
	// KRaft's partition epoch, which ZooKeeper does not keep as data.
	r.PartitionEpoch = leaderEpoch + 10
	return r
}

func configRecord(resourceType int8, name, key string, value *string) *metadata.ConfigRecord {
	return &metadata.ConfigRecord{ResourceType: resourceType, ResourceName: name, Name: key, Value: value}
}

func ptr(s string) *string { return &s }

var (
	kraftOrdersID     = metadata.Uuid{0x11, 1}
	kraftPaymentsID   = metadata.Uuid{0x11, 2}
	kraftBigID        = metadata.Uuid{0x11, 3}
	kraftEventsID     = metadata.Uuid{0x11, 4}
	kraftGhostID      = metadata.Uuid{0x11, 5}
	kraftClusterACLID = metadata.Uuid{0xac, 3}
)

// bigPartitions is enough partitions that creating the topic takes more than one multi.
const bigPartitions = 300

// kraftImage is a KRaft image with one of every entity dual-write mirrors.
func kraftImage(t *testing.T) *metadata.Image {
	records := []metadata.Record{
		&metadata.TopicRecord{Name: "orders", TopicID: kraftOrdersID},
		partitionRecord(kraftOrdersID, 0, []int32{1, 2, 3}, []int32{1, 2, 3}, 1, 4),
		partitionRecord(kraftOrdersID, 1, []int32{2, 3, 1}, []int32{2, 3}, 2, 0),
		partitionRecord(kraftOrdersID, 2, []int32{3, 1, 2}, nil, metadata.NoLeader, 7),
		configRecord(metadata.ConfigResourceTopic, "orders", "cleanup.policy", ptr("compact")),
		configRecord(metadata.ConfigResourceTopic, "orders", "retention.ms", ptr("86400000")),
		&metadata.TopicRecord{Name: "payments", TopicID: kraftPaymentsID},
		configRecord(metadata.ConfigResourceBroker, "1", "log.cleaner.threads", ptr("2")),
		configRecord(metadata.ConfigResourceBroker, "", "num.io.threads", ptr("8")),
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityUser, Name: ptr("alice")}}, Key: "producer_byte_rate", Value: 1048576},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityUser}}, Key: "consumer_byte_rate", Value: 2048},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityUser, Name: ptr("alice")}, {Type: QuotaEntityClientID}}, Key: "request_percentage", Value: 12.5},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityClientID, Name: ptr("app one")}}, Key: "request_percentage", Value: 50},
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityIP, Name: ptr("10.0.0.1")}}, Key: "connection_creation_rate", Value: 10},
		&metadata.UserScramCredentialRecord{Name: "alice", Mechanism: metadata.ScramSHA256, Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096},
		&metadata.UserScramCredentialRecord{Name: "CN=bob,O=x", Mechanism: metadata.ScramSHA512, Salt: []byte("s2"), StoredKey: []byte("k2"), ServerKey: []byte("v2"), Iterations: 8192},
		&metadata.AccessControlEntryRecord{ID: metadata.Uuid{0xac, 1}, ResourceType: metadata.ACLResourceTopic, ResourceName: "orders", PatternType: metadata.ACLPatternLiteral,
			Principal: "User:alice", Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow},
		&metadata.AccessControlEntryRecord{ID: metadata.Uuid{0xac, 2}, ResourceType: metadata.ACLResourceGroup, ResourceName: "app-", PatternType: metadata.ACLPatternPrefixed,
			Principal: "User:bob", Host: "10.0.0.2", Operation: metadata.ACLOperationDescribe, PermissionType: metadata.ACLPermissionDeny},
		&metadata.AccessControlEntryRecord{ID: kraftClusterACLID, ResourceType: metadata.ACLResourceCluster, ResourceName: "kafka-cluster", PatternType: metadata.ACLPatternLiteral,
			Principal: "User:admin", Host: "*", Operation: metadata.ACLOperationAll, PermissionType: metadata.ACLPermissionAllow},
		&metadata.ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 7, NextProducerID: 5000},
		&metadata.TopicRecord{Name: "big", TopicID: kraftBigID},
		aliceToken(),
		bobToken(),
	}
	// A partition being reassigned, its leader recovering from an unclean election.
	reassigning := partitionRecord(kraftPaymentsID, 0, []int32{1, 2, 4}, []int32{1}, 1, 2)
	reassigning.AddingReplicas, reassigning.RemovingReplicas = []int32{4}, []int32{3}
	reassigning.LeaderRecoveryState = metadata.LeaderRecoveryStateRecovering
	records = append(records, reassigning)
	for p := range int32(bigPartitions) {
		records = append(records, partitionRecord(kraftBigID, p, []int32{p%3 + 1}, []int32{p%3 + 1}, p%3+1, 0))
	}
	return applied(t, nil, records...)
}

// assertReflects fails unless got, read from ZooKeeper, holds what ZooKeeper keeps of
// want: topics and their partitions (the partition epoch is a zkVersion there),
// topic and broker configs, client quotas, SCRAM credentials, ACL bindings (ZooKeeper
// keeps no ids), delegation tokens and the producer-id block after want's next id.
func assertReflects(t *testing.T, got, want *metadata.Image) {
	t.Helper()
	if g, w := slices.Sorted(maps.Keys(got.Topics)), slices.Sorted(maps.Keys(want.Topics)); !slices.Equal(g, w) {
		t.Errorf("topics %v, want %v", g, w)
	}
	for name, wt := range want.Topics {
		gt := got.Topics[name]
		if gt == nil {
			continue
		}
		if gt.ID != wt.ID {
			t.Errorf("topic %s id %s, want %s", name, gt.ID, wt.ID)
		}
		if g, w := slices.Sorted(maps.Keys(gt.Partitions)), slices.Sorted(maps.Keys(wt.Partitions)); !slices.Equal(g, w) {
			t.Errorf("topic %s partitions %v, want %v", name, g, w)
		}
		for id, wp := range wt.Partitions {
			if gp := gt.Partitions[id]; gp != nil && describePartition(gp) != describePartition(wp) {
				t.Errorf("%s-%d = %s, want %s", name, id, describePartition(gp), describePartition(wp))
			}
		}
	}
	if !reflect.DeepEqual(got.Configs, want.Configs) {
		t.Errorf("configs %v, want %v", got.Configs, want.Configs)
	}
	if !reflect.DeepEqual(got.Quotas, want.Quotas) {
		t.Errorf("quotas %v, want %v", describeQuotas(got), describeQuotas(want))
	}
	if !reflect.DeepEqual(got.Scram, want.Scram) {
		t.Errorf("SCRAM credentials %v, want %v", got.Scram, want.Scram)
	}
	if g, w := aclBindings(got), aclBindings(want); !slices.Equal(g, w) {
		t.Errorf("ACLs %v, want %v", g, w)
	}
	if g, w := describeTokens(got.DelegationTokens), describeTokens(want.DelegationTokens); !reflect.DeepEqual(g, w) {
		t.Errorf("delegation tokens %+v, want %+v", g, w)
	}
	wantIDs := metadata.ProducerIDs{}
	if want.ProducerIDs.NextProducerID > 0 {
		wantIDs = metadata.ProducerIDs{NextProducerID: want.ProducerIDs.NextProducerID + znode.ProducerIDBlockSize, BrokerID: -1, BrokerEpoch: -1}
	}
	if got.ProducerIDs != wantIDs {
		t.Errorf("producer ids %+v, want %+v", got.ProducerIDs, wantIDs)
	}
}

func describePartition(p *metadata.Partition) string {
	return fmt.Sprintf("replicas %v adding %v removing %v leader %d epoch %d isr %v recovery %d",
		p.Replicas, p.AddingReplicas, p.RemovingReplicas, p.Leader, p.LeaderEpoch, p.ISR, p.LeaderRecoveryState)
}

func describeQuotas(img *metadata.Image) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for k, q := range img.Quotas {
		out[k] = q.Values
	}
	return out
}

// describeTokens is delegation tokens by id as values, for comparisons and failure
// messages that show the tokens rather than pointers.
func describeTokens(tokens map[string]*metadata.DelegationTokenRecord) map[string]metadata.DelegationTokenRecord {
	out := map[string]metadata.DelegationTokenRecord{}
	for id, tok := range tokens {
		out[id] = *tok
	}
	return out
}

// aclBindings is img's ACLs without their ids, sorted.
func aclBindings(img *metadata.Image) []metadata.AccessControlEntryRecord {
	var out []metadata.AccessControlEntryRecord
	for _, a := range img.ACLs {
		b := *a
		b.ID = metadata.Uuid{}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b metadata.AccessControlEntryRecord) int {
		return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.ResourceName, b.ResourceName),
			cmp.Compare(a.PatternType, b.PatternType), cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.PermissionType, b.PermissionType))
	})
	return out
}

// changeLog reads the sequential change events of a store that appeared since the
// last read.
type changeLog struct {
	c      *Conn
	parent string
	seen   map[string]bool
}

func (l *changeLog) news(t *testing.T) []string {
	t.Helper()
	names, err := l.c.Children(context.Background(), l.parent)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		t.Fatal(err)
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		if l.seen[n] {
			continue
		}
		l.seen[n] = true
		data := mustGet(t, l.c, l.parent+"/"+n)
		if l.parent == znode.ConfigChangesPath {
			path, err := znode.DecodeConfigChange([]byte(data))
			if err != nil {
				t.Fatalf("%s/%s: %v", l.parent, n, err)
			}
			data = path
		}
		out = append(out, data)
	}
	slices.Sort(out)
	return out
}

// loadImage reads c's tree back.
func loadImage(t *testing.T, c *Conn) *metadata.Image {
	t.Helper()
	img, err := LoadImage(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// assertMigration checks /migration's content and zkVersion against the writer's.
func assertMigration(t *testing.T, c *Conn, w *MigrationWriter, want znode.MigrationZNode, zkVersion int32) {
	t.Helper()
	m, got, err := ReadMigration(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if m != want || got != zkVersion || w.MigrationZkVersion() != zkVersion {
		t.Fatalf("/migration = %+v at zkVersion %d (writer: %d), want %+v at %d", m, got, w.MigrationZkVersion(), want, zkVersion)
	}
}

func writeChanges(t *testing.T, w *MigrationWriter, prev, next *metadata.Image, state znode.MigrationZNode) int {
	t.Helper()
	n, err := w.WriteChanges(context.Background(), prev, next, state)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrationWriteChanges dual-writes KRaft images into a ZooKeeper that holds
// nothing but the claimed controller, then changes, then reconciles a tree that
// drifted, each time reading the tree back with LoadImage.
func TestMigrationWriteChanges(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()
	c, w := startMigration(t, srv.Addr()+"/kafka")
	configChanges := &changeLog{c: c, parent: znode.ConfigChangesPath, seen: map[string]bool{}}
	aclChanges := &changeLog{c: c, parent: znode.LiteralACLChangesPath, seen: map[string]bool{}}
	extendedACLChanges := &changeLog{c: c, parent: znode.ExtendedACLChangesPath, seen: map[string]bool{}}

	first := kraftImage(t)
	if n := writeChanges(t, w, nil, first, migrationAt(100)); n == 0 {
		t.Fatal("the first image wrote no operation")
	}
	assertReflects(t, loadImage(t, c), first)
	assertMigration(t, c, w, migrationAt(100), 1)

	// Kafka's layout beside what LoadImage reads.
	if got := mustGet(t, c, znode.ConfigEntityPath(znode.ConfigTypeTopic, "payments")); got != `{"version":1,"config":{}}` {
		t.Errorf("config znode of a topic without configs = %s, want an empty config, as Kafka creates it", got)
	}
	state, err := znode.DecodePartitionState([]byte(mustGet(t, c, znode.TopicPartitionStatePath("orders", 0))))
	if err != nil {
		t.Fatal(err)
	}
	if state.ControllerEpoch != testKRaftEpoch {
		t.Errorf("partition state controller_epoch %d, want the KRaft controller's epoch %d", state.ControllerEpoch, testKRaftEpoch)
	}
	if got := mustGet(t, c, znode.ProducerIDBlockPath); got != `{"version":1,"broker":-1,"block_start":"5000","block_end":"5999"}` {
		t.Errorf("%s = %s", znode.ProducerIDBlockPath, got)
	}
	if got := mustGet(t, c, znode.ConfigEntityPath(znode.ConfigTypeUser, "alice")); !strings.Contains(got, `"producer_byte_rate":"1048576"`) {
		t.Errorf("alice's quotas %s: a LONG quota must be written as an integer", got)
	}
	if got := mustGet(t, c, znode.ConfigEntityPath(znode.ConfigTypeClient, "app%20one")); !strings.Contains(got, `"request_percentage":"50.0"`) {
		t.Errorf("app one's quotas %s: a DOUBLE quota is written as Java does", got)
	}
	wantConfigChanges := []string{
		"brokers/1", "brokers/<default>", "clients/app%20one", "ips/10.0.0.1", "topics/orders",
		"users/<default>", "users/CN%3Dbob%2CO%3Dx", "users/alice", "users/alice/clients/<default>",
	}
	if got := configChanges.news(t); !slices.Equal(got, wantConfigChanges) {
		t.Errorf("config changes %q, want %q", got, wantConfigChanges)
	}
	if got := aclChanges.news(t); !slices.Equal(got, []string{"CLUSTER:kafka-cluster", "TOPIC:orders"}) {
		t.Errorf("literal ACL changes %q", got)
	}
	if got := extendedACLChanges.news(t); len(got) != 1 || !strings.Contains(got[0], `"name":"app-"`) {
		t.Errorf("extended ACL changes %q", got)
	}
	if got := mustGet(t, c, znode.DelegationTokenInfoPath(aliceTokenID)); got != aliceTokenV3 {
		t.Errorf("alice's delegation token znode = %s, want %s", got, aliceTokenV3)
	}
	// Kafka's migration announces no delegation token change.
	mustExist(t, c, znode.DelegationTokenChangesPath, false)

	// Nothing changed: only the offset moves. A reconcile of the same finds nothing either.
	if n := writeChanges(t, w, first, first, migrationAt(101)); n != 0 {
		t.Errorf("an unchanged image wrote %d operations", n)
	}
	assertMigration(t, c, w, migrationAt(101), 2)
	if n := writeChanges(t, w, loadImage(t, c), first, migrationAt(102)); n != 0 {
		t.Errorf("a reconcile of a tree that reflects the image wrote %d operations", n)
	}
	assertMigration(t, c, w, migrationAt(102), 3)

	shrink := metadata.NewPartitionChangeRecord()
	shrink.TopicID, shrink.PartitionID, shrink.ISR = kraftOrdersID, 0, []int32{1, 2}
	renewed := aliceToken()
	renewed.ExpirationTimestamp = 1700172800000
	second := applied(t, first,
		&metadata.RemoveTopicRecord{TopicID: kraftPaymentsID},
		shrink,
		configRecord(metadata.ConfigResourceTopic, "orders", "retention.ms", ptr("3600000")),
		configRecord(metadata.ConfigResourceTopic, "orders", "cleanup.policy", nil),
		configRecord(metadata.ConfigResourceBroker, "", "num.io.threads", nil),
		&metadata.ClientQuotaRecord{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityUser, Name: ptr("alice")}}, Key: "producer_byte_rate", Remove: true},
		&metadata.RemoveAccessControlEntryRecord{ID: kraftClusterACLID},
		&metadata.ProducerIdsRecord{BrokerID: 2, BrokerEpoch: 9, NextProducerID: 6000},
		&metadata.TopicRecord{Name: "events", TopicID: kraftEventsID},
		partitionRecord(kraftEventsID, 0, []int32{2}, []int32{2}, 2, 0),
		configRecord(metadata.ConfigResourceTopic, "events", "retention.ms", ptr("1000")),
		renewed,
		&metadata.RemoveDelegationTokenRecord{TokenID: bobTokenID},
	)
	// DeleteTopic, UpdatePartition, UpdateTopicConfig, DeleteBrokerConfig,
	// UpdateClientQuota, UpdateProducerId, DeleteAcl, CreateTopic,
	// UpdateDelegationToken, DeleteDelegationToken.
	if n := writeChanges(t, w, first, second, migrationAt(200)); n != 10 {
		t.Errorf("the second image wrote %d operations, want 10", n)
	}
	assertReflects(t, loadImage(t, c), second)
	assertMigration(t, c, w, migrationAt(200), 4)
	for _, gone := range []string{znode.TopicPath("payments"), znode.ConfigEntityPath(znode.ConfigTypeTopic, "payments"),
		znode.ConfigEntityPath(znode.ConfigTypeBroker, znode.ConfigDefaultName), "/kafka-acl/Cluster/kafka-cluster", znode.DelegationTokenInfoPath(bobTokenID)} {
		mustExist(t, c, gone, false)
	}
	wantRenewed := strings.Replace(aliceTokenV3, `"expiryTimestamp":1700086400000`, `"expiryTimestamp":1700172800000`, 1)
	if got := mustGet(t, c, znode.DelegationTokenInfoPath(aliceTokenID)); got != wantRenewed {
		t.Errorf("alice's renewed delegation token znode = %s, want %s", got, wantRenewed)
	}
	mustExist(t, c, znode.DelegationTokenChangesPath, false)
	if got, want := configChanges.news(t), []string{"brokers/<default>", "topics/events", "topics/orders", "users/alice"}; !slices.Equal(got, want) {
		t.Errorf("config changes %q, want %q", got, want)
	}
	if got := aclChanges.news(t); !slices.Equal(got, []string{"CLUSTER:kafka-cluster"}) {
		t.Errorf("literal ACL changes %q", got)
	}

	// The same change again, as after a crash that lost its answer: already reflected.
	if n := writeChanges(t, w, first, second, migrationAt(200)); n != 0 {
		t.Errorf("re-running the applied change wrote %d operations", n)
	}
	if got := configChanges.news(t); len(got) != 0 {
		t.Errorf("re-running the applied change announced %q", got)
	}

	// ZooKeeper drifts from the image: what a failover or a rollback reconciles.
	mustDelete := func(p string) {
		t.Helper()
		if err := c.Delete(ctx, p, -1); err != nil {
			t.Fatal(err)
		}
	}
	mustSet := func(p string, data []byte) {
		t.Helper()
		if _, err := c.Set(ctx, p, data, -1); err != nil {
			t.Fatal(err)
		}
	}
	mustDelete(znode.TopicPartitionStatePath("orders", 1))
	extra := topicZNode(second.Topics["orders"])
	extra.Partitions[3] = []int32{1}
	mustSet(znode.TopicPath("orders"), znode.EncodeTopic(extra))
	mustCreate(t, c, znode.TopicPartitionPath("orders", 3), "", zk.FlagPersistent)
	mustCreate(t, c, znode.TopicPartitionStatePath("orders", 3), string(znode.EncodePartitionState(znode.PartitionState{Leader: 1, ISR: []int32{1}})), zk.FlagPersistent)
	for _, name := range []string{"ghost", "zombie"} {
		mustCreate(t, c, znode.TopicPath(name), string(znode.EncodeTopic(znode.TopicZNode{TopicID: kraftGhostID, Partitions: map[int32][]int32{0: {1}}})), zk.FlagPersistent)
		mustCreate(t, c, znode.TopicPartitionsPath(name), "", zk.FlagPersistent)
		mustCreate(t, c, znode.TopicPartitionPath(name, 0), "", zk.FlagPersistent)
		mustCreate(t, c, znode.TopicPartitionStatePath(name, 0), string(znode.EncodePartitionState(znode.PartitionState{Leader: 1, ISR: []int32{1}})), zk.FlagPersistent)
		mustCreate(t, c, znode.ConfigEntityPath(znode.ConfigTypeTopic, name), string(znode.EncodeConfig(map[string]string{"a": "b"})), zk.FlagPersistent)
	}
	if _, err := c.CreateRecursive(ctx, znode.DeleteTopicsPath, nil, zk.FlagPersistent); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, znode.DeleteTopicPath("zombie"), "", zk.FlagPersistent)
	mustCreate(t, c, znode.DeleteTopicPath("events"), "", zk.FlagPersistent)
	mustSet(znode.ConfigEntityPath(znode.ConfigTypeBroker, "1"), znode.EncodeConfig(map[string]string{"log.cleaner.threads": "9"}))
	mustDelete("/kafka-acl/Topic/orders")
	mustDelete(znode.DelegationTokenInfoPath(aliceTokenID))
	mustCreate(t, c, znode.DelegationTokenInfoPath(bobTokenID), bobTokenV1, zk.FlagPersistent)

	if n := writeChanges(t, w, loadImage(t, c), second, migrationAt(300)); n == 0 {
		t.Fatal("the reconcile of a drifted tree wrote nothing")
	}
	assertReflects(t, loadImage(t, c), second)
	assertMigration(t, c, w, migrationAt(300), 6)
	for _, gone := range []string{znode.TopicPath("ghost"), znode.TopicPath("zombie"), znode.ConfigEntityPath(znode.ConfigTypeTopic, "ghost"),
		znode.ConfigEntityPath(znode.ConfigTypeTopic, "zombie"), znode.TopicPartitionPath("orders", 3), znode.DelegationTokenInfoPath(bobTokenID)} {
		mustExist(t, c, gone, false)
	}
	if got := mustGet(t, c, znode.DelegationTokenInfoPath(aliceTokenID)); got != wantRenewed {
		t.Errorf("alice's delegation token znode after the reconcile = %s, want %s", got, wantRenewed)
	}
	if pending, err := c.Children(ctx, znode.DeleteTopicsPath); err != nil || len(pending) != 0 {
		t.Errorf("pending topic deletions after the reconcile: %v %v, want none", pending, err)
	}
	if n := writeChanges(t, w, loadImage(t, c), second, migrationAt(301)); n != 0 {
		t.Errorf("a second reconcile wrote %d operations", n)
	}
}

func TestMigrationWriterFencing(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()
	img := applied(t, nil,
		&metadata.TopicRecord{Name: "orders", TopicID: kraftOrdersID},
		partitionRecord(kraftOrdersID, 0, []int32{1}, []int32{1}, 1, 0))

	t.Run("MigrationState", func(t *testing.T) {
		c, w := startMigration(t, srv.Addr()+"/state")
		if m, zkVersion, err := GetOrCreateMigration(ctx, c); err != nil || m != znode.EmptyMigration || zkVersion != 0 {
			t.Fatalf("second GetOrCreateMigration: %+v %d %v, want the znode the first created", m, zkVersion, err)
		}
		if err := w.WriteMigrationState(ctx, migrationAt(10)); err != nil {
			t.Fatal(err)
		}
		assertMigration(t, c, w, migrationAt(10), 1)
	})

	t.Run("MigrationMoved", func(t *testing.T) {
		c, w := startMigration(t, srv.Addr()+"/migration-moved")
		// Another KRaft leader takes /migration over.
		if _, err := c.Set(ctx, znode.MigrationPath, znode.EncodeMigration(migrationAt(5)), -1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteChanges(ctx, nil, img, migrationAt(10)); !errors.Is(err, ErrMigrationMoved) || errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write after /migration moved: %v, want ErrMigrationMoved", err)
		}
		mustExist(t, c, znode.TopicPath("orders"), false)
		if err := w.WriteMigrationState(ctx, migrationAt(10)); !errors.Is(err, ErrMigrationMoved) {
			t.Fatalf("the fenced writer wrote again: %v", err)
		}
		if m, _, _ := ReadMigration(ctx, c); m != migrationAt(5) {
			t.Fatalf("/migration = %+v, want the other leader's", m)
		}
	})

	t.Run("LostAnswer", func(t *testing.T) {
		// A last multi was applied but its answer lost: /migration moved on by this
		// writer's own write, which must not read as another leader's.
		c, w := startMigration(t, srv.Addr()+"/lost-answer")
		lost := migrationAt(10)
		w.unconfirmed = &lost
		if _, err := c.Set(ctx, znode.MigrationPath, znode.EncodeMigration(lost), 0); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMigrationState(ctx, migrationAt(11)); err != nil {
			t.Fatalf("write after a lost answer that was applied: %v", err)
		}
		assertMigration(t, c, w, migrationAt(11), 2)

		// The same, but what /migration holds is another leader's.
		w.unconfirmed = &lost
		if _, err := c.Set(ctx, znode.MigrationPath, znode.EncodeMigration(migrationAt(5)), 2); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMigrationState(ctx, migrationAt(12)); !errors.Is(err, ErrMigrationMoved) {
			t.Fatalf("write after another leader's: %v, want ErrMigrationMoved", err)
		}
	})

	t.Run("MigrationRemovedForRollback", func(t *testing.T) {
		c, w := startMigration(t, srv.Addr()+"/rollback")
		if err := c.Delete(ctx, znode.MigrationPath, -1); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMigrationState(ctx, migrationAt(10)); !errors.Is(err, ErrMigrationMoved) {
			t.Fatalf("write after /migration was removed: %v, want ErrMigrationMoved", err)
		}
		mustExist(t, c, znode.MigrationPath, false)
	})

	t.Run("ControllerMoved", func(t *testing.T) {
		c, w := startMigration(t, srv.Addr()+"/controller-moved")
		if _, err := ClaimControllerForKRaft(ctx, c, testKRaftNodeID+1, testKRaftEpoch+1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteChanges(ctx, nil, img, migrationAt(10)); !errors.Is(err, ErrControllerMoved) {
			t.Fatalf("write after another claim: %v, want ErrControllerMoved", err)
		}
		mustExist(t, c, znode.TopicPath("orders"), false)
		assertMigration(t, c, w, znode.EmptyMigration, 0)
	})
}

func TestBatchOps(t *testing.T) {
	create := func(p string, size int) any { return &zk.CreateRequest{Path: p, Data: make([]byte, size)} }
	var big plannedOp
	big.kind, big.subject = opCreateTopic, "big"
	for i := range 1200 {
		big.reqs = append(big.reqs, create(fmt.Sprintf("/p%d", i), 0))
	}
	small := plannedOp{kind: opUpdateTopicConfig, subject: "small", reqs: []any{create("/s", 0), create("/n", 0)}}
	large := plannedOp{kind: opUpdateACL, subject: "large", reqs: []any{create("/l", maxMultiBytes)}}

	multis := batchOps([]plannedOp{small, big, small, large, small})
	var sizes []int
	var total int
	for _, m := range multis {
		sizes = append(sizes, len(m.reqs))
		total += len(m.reqs)
		if len(m.reqs)+2 > maxMultiRequests {
			t.Errorf("a multi of %d requests and the two checks", len(m.reqs))
		}
	}
	// small alone (big does not fit beside it), big split in three, small beside big's
	// tail, large alone, then the last small.
	if want := []int{2, 498, 498, 206, 1, 2}; !slices.Equal(sizes, want) {
		t.Errorf("multi sizes %v, want %v", sizes, want)
	}
	if total != 2+1200+2+1+2 {
		t.Errorf("%d requests batched", total)
	}
	if empty := batchOps(nil); len(empty) != 1 || len(empty[0].reqs) != 0 {
		t.Errorf("no ops batch as %d multis, want one empty multi that moves /migration", len(empty))
	}
}

func TestFormatQuotaValue(t *testing.T) {
	for _, tc := range []struct {
		key  string
		v    float64
		want string
	}{
		{"producer_byte_rate", 1048576, "1048576"},
		{"consumer_byte_rate", 1024.0000001, "1024"},
		{"connection_creation_rate", 10, "10"},
		{"request_percentage", 50, "50.0"},
		{"request_percentage", 12.5, "12.5"},
		{"controller_mutation_rate", 1e7, "1.0E7"},
		{"controller_mutation_rate", 0.00025, "2.5E-4"},
		{"controller_mutation_rate", 0.001, "0.001"},
		{"controller_mutation_rate", 0, "0.0"},
	} {
		got, err := formatQuotaValue(tc.key, tc.v)
		if err != nil || got != tc.want {
			t.Errorf("formatQuotaValue(%s, %v) = %q, %v; want %q", tc.key, tc.v, got, err, tc.want)
		}
	}
	if _, err := formatQuotaValue("producer_byte_rate", 10.5); err == nil {
		t.Error("a fractional byte rate was written")
	}
}
