package zkmode

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

func mustUuid(t *testing.T, s string) metadata.Uuid {
	t.Helper()
	u, err := metadata.ParseUuid(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func strPtr(s string) *string { return &s }

func loadFixture(t *testing.T, tree *memTree) *Tree {
	t.Helper()
	loaded, err := LoadTree(context.Background(), tree)
	if err != nil {
		t.Fatalf("LoadTree: %v", err)
	}
	return loaded
}

// TestLoadKafka3Tree is issue 5's acceptance 5: a Kafka 3.x cluster's ZooKeeper tree
// loads into the Image the KRaft side would hold for it, field by field.
func TestLoadKafka3Tree(t *testing.T) {
	tree := kafka3Tree()
	checkKafka3Tree(t, loadFixture(t, tree), func(path string) int64 { return tree.nodes[path].stat.Czxid })
}

// checkKafka3Tree checks a load of kafka3Tree's layout, wherever it was written;
// czxid returns a znode's czxid, which the server assigns (broker epochs).
func checkKafka3Tree(t *testing.T, loaded *Tree, czxid func(path string) int64) {
	img := loaded.Image

	t.Run("cluster", func(t *testing.T) {
		if img.ClusterID != fixtureClusterID {
			t.Errorf("ClusterID = %q, want %q", img.ClusterID, fixtureClusterID)
		}
		if img.Offset != -1 || img.Epoch != -1 {
			t.Errorf("position = %d/%d, want -1/-1 (ZooKeeper has no metadata log)", img.Offset, img.Epoch)
		}
		if len(img.Features) != 0 {
			t.Errorf("Features = %v, want none (/feature finalizes nothing)", img.Features)
		}
		if img.ZkMigrationState != metadata.ZkMigrationNone {
			t.Errorf("ZkMigrationState = %d, want NONE", img.ZkMigrationState)
		}
		if len(img.Controllers) != 0 || len(img.DelegationTokens) != 0 {
			t.Errorf("Controllers = %v, DelegationTokens = %v, want none", img.Controllers, img.DelegationTokens)
		}
	})

	t.Run("brokers", func(t *testing.T) {
		mv := []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 1, MaxVersion: 21}}
		want := map[int32]*metadata.Broker{
			1: {ID: 1, Rack: "rack-a", Features: mv, Endpoints: []metadata.Endpoint{
				{Name: "PLAINTEXT", Host: "broker1.example.com", Port: 9092, SecurityProtocol: znode.SecurityProtocolPlaintext},
				{Name: "SSL", Host: "broker1.example.com", Port: 9093, SecurityProtocol: znode.SecurityProtocolSSL},
			}},
			2: {ID: 2, Rack: "rack-b", Features: mv, Endpoints: []metadata.Endpoint{
				{Name: "INTERNAL", Host: "10.0.0.2", Port: 19092, SecurityProtocol: znode.SecurityProtocolSASLPlaintext},
				{Name: "EXTERNAL", Host: "broker2.example.com", Port: 9094, SecurityProtocol: znode.SecurityProtocolSASLSSL},
			}},
			3: {ID: 3, Endpoints: []metadata.Endpoint{
				{Name: "PLAINTEXT", Host: "broker3.example.com", Port: 9092, SecurityProtocol: znode.SecurityProtocolPlaintext},
				{Name: "REPLICATION", Host: "fd00::3", Port: 9091, SecurityProtocol: znode.SecurityProtocolSSL},
			}},
			4: {ID: 4, Rack: "rack-a", Endpoints: []metadata.Endpoint{
				{Name: "PLAINTEXT", Host: "broker4.example.com", Port: 9092, SecurityProtocol: znode.SecurityProtocolPlaintext},
			}},
		}
		for id, b := range want {
			b.Epoch = czxid(znode.BrokerPath(id))
		}
		if !reflect.DeepEqual(img.Brokers, want) {
			for id := range want {
				if !reflect.DeepEqual(img.Brokers[id], want[id]) {
					t.Errorf("broker %d:\n got %+v\nwant %+v", id, img.Brokers[id], want[id])
				}
			}
			t.Fatalf("Brokers has ids %v, want 1-4", slices.Sorted(maps.Keys(img.Brokers)))
		}
		if img.Brokers[1].Epoch == img.Brokers[2].Epoch {
			t.Error("brokers 1 and 2 share an epoch; each znode's czxid is its own")
		}
		if got := loaded.BrokerZNodes[4].Version; got != 4 {
			t.Errorf("broker 4 znode version = %d, want 4", got)
		}
		if got := loaded.BrokerZNodes[2].JmxPort; got != 9999 {
			t.Errorf("broker 2 jmx_port = %d, want 9999", got)
		}
	})

	t.Run("topics", func(t *testing.T) {
		orders, profiles, payments := mustUuid(t, ordersID), mustUuid(t, userProfilesID), mustUuid(t, paymentsID)
		want := map[string]*metadata.Topic{
			"orders": {Name: "orders", ID: orders, Partitions: map[int32]*metadata.Partition{
				0: {ID: 0, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}, Leader: 1, LeaderEpoch: 4, PartitionEpoch: 7},
				1: {ID: 1, Replicas: []int32{2, 3, 1}, ISR: []int32{2}, Leader: 2, LeaderEpoch: 9, PartitionEpoch: 12,
					LeaderRecoveryState: metadata.LeaderRecoveryStateRecovering},
				2: {ID: 2, Replicas: []int32{3, 1, 2}, ISR: []int32{3, 1}, Leader: 3, LeaderEpoch: 2, PartitionEpoch: 3},
			}},
			"user-profiles": {Name: "user-profiles", ID: profiles, Partitions: map[int32]*metadata.Partition{
				0: {ID: 0, Replicas: []int32{2, 1}, ISR: []int32{2}, Leader: metadata.NoLeader, LeaderEpoch: 6, PartitionEpoch: 9},
			}},
			"payments": {Name: "payments", ID: payments, Partitions: map[int32]*metadata.Partition{
				0: {ID: 0, Replicas: []int32{3, 4, 1}, ISR: []int32{3, 4, 1}, AddingReplicas: []int32{1}, RemovingReplicas: []int32{4},
					Leader: 3, LeaderEpoch: 1, PartitionEpoch: 2},
				1: {ID: 1, Replicas: []int32{4, 1, 2}, Leader: metadata.NoLeader, LeaderEpoch: -1, PartitionEpoch: -1},
			}},
			"legacy-events": {Name: "legacy-events", Partitions: map[int32]*metadata.Partition{
				0: {ID: 0, Replicas: []int32{1, 2}, ISR: []int32{1, 2}, Leader: 1},
				1: {ID: 1, Replicas: []int32{2, 1}, ISR: []int32{2, 1}, Leader: 2},
			}},
		}
		for name := range want {
			if !reflect.DeepEqual(img.Topics[name], want[name]) {
				t.Errorf("topic %s:\n got %s\nwant %s", name, describeTopic(img.Topics[name]), describeTopic(want[name]))
			}
		}
		if got := slices.Sorted(maps.Keys(img.Topics)); !slices.Equal(got, []string{"legacy-events", "orders", "payments", "user-profiles"}) {
			t.Errorf("topics = %v; the pending deletion must be left out", got)
		}
		if got := slices.SortedFunc(maps.Keys(img.TopicsByID), compareUuid); !slices.Equal(got, slices.SortedFunc(slices.Values([]metadata.Uuid{orders, profiles, payments}), compareUuid)) {
			t.Errorf("TopicsByID keys = %v; the topic without an id must not be found by the zero id", got)
		}
		if img.TopicsByID[orders] != img.Topics["orders"] {
			t.Error("TopicsByID and Topics disagree on orders")
		}
	})

	t.Run("configs", func(t *testing.T) {
		want := map[metadata.ConfigResource]map[string]string{
			{Type: metadata.ConfigResourceTopic, Name: "user-profiles"}: {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"},
			{Type: metadata.ConfigResourceTopic, Name: "payments"}:      {"retention.ms": "604800000", "min.insync.replicas": "2"},
			{Type: metadata.ConfigResourceBroker, Name: "1"}:            {"log.cleaner.threads": "2", "follower.replication.throttled.rate": "10485760"},
			{Type: metadata.ConfigResourceBroker, Name: ""}:             {"min.insync.replicas": "2", "log.retention.ms": "86400000"},
		}
		if !reflect.DeepEqual(img.Configs, want) {
			t.Errorf("Configs:\n got %v\nwant %v", img.Configs, want)
		}
	})

	t.Run("quotas", func(t *testing.T) {
		user := func(n *string) metadata.QuotaEntityPart {
			return metadata.QuotaEntityPart{Type: QuotaEntityUser, Name: n}
		}
		client := func(n *string) metadata.QuotaEntityPart {
			return metadata.QuotaEntityPart{Type: QuotaEntityClientID, Name: n}
		}
		entities := []*metadata.QuotaEntity{
			{Entity: []metadata.QuotaEntityPart{user(strPtr("alice"))}, Values: map[string]float64{"producer_byte_rate": 1048576}},
			{Entity: []metadata.QuotaEntityPart{user(strPtr("CN=bob,OU=ops"))}, Values: map[string]float64{"consumer_byte_rate": 2097152}},
			{Entity: []metadata.QuotaEntityPart{user(nil)}, Values: map[string]float64{"request_percentage": 50}},
			{Entity: []metadata.QuotaEntityPart{client(strPtr("app-1")), user(strPtr("alice"))}, Values: map[string]float64{"consumer_byte_rate": 4096}},
			{Entity: []metadata.QuotaEntityPart{client(nil), user(strPtr("carol"))}, Values: map[string]float64{"producer_byte_rate": 512}},
			{Entity: []metadata.QuotaEntityPart{client(nil)}, Values: map[string]float64{"producer_byte_rate": 1024}},
			{Entity: []metadata.QuotaEntityPart{client(strPtr("reporting"))}, Values: map[string]float64{"request_percentage": 12.5}},
			{Entity: []metadata.QuotaEntityPart{{Type: QuotaEntityIP, Name: strPtr("10.0.0.7")}}, Values: map[string]float64{"connection_creation_rate": 10}},
		}
		want := map[string]*metadata.QuotaEntity{}
		for _, e := range entities {
			want[e.Key()] = e
		}
		if !reflect.DeepEqual(img.Quotas, want) {
			t.Errorf("Quotas:\n got %v\nwant %v", slices.Sorted(maps.Keys(img.Quotas)), slices.Sorted(maps.Keys(want)))
			for k, e := range want {
				if !reflect.DeepEqual(img.Quotas[k], e) {
					t.Errorf("quota %s: got %+v, want %+v", k, img.Quotas[k], e)
				}
			}
		}
	})

	t.Run("scram", func(t *testing.T) {
		want := map[metadata.ScramKey]*metadata.UserScramCredentialRecord{
			{Name: "alice", Mechanism: metadata.ScramSHA256}: {Name: "alice", Mechanism: metadata.ScramSHA256, Iterations: 8192,
				Salt: []byte("alice-salt-256.."), StoredKey: []byte("alice-stored-key-sha256-32-bytes"), ServerKey: []byte("alice-server-key-sha256-32-bytes")},
			{Name: "alice", Mechanism: metadata.ScramSHA512}: {Name: "alice", Mechanism: metadata.ScramSHA512, Iterations: 4096,
				Salt: []byte("alice-salt-512.."), StoredKey: []byte(strings.Repeat("alice-stored-key-sha512-64-bytes", 2)),
				ServerKey: []byte(strings.Repeat("alice-server-key-sha512-64-bytes", 2))},
		}
		if !reflect.DeepEqual(img.Scram, want) {
			t.Errorf("Scram:\n got %+v\nwant %+v", img.Scram, want)
		}
	})

	t.Run("acls", func(t *testing.T) {
		want := []*metadata.AccessControlEntryRecord{
			{ResourceType: metadata.ACLResourceTopic, ResourceName: "orders", PatternType: metadata.ACLPatternLiteral, Principal: "User:alice", Host: "*",
				Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow},
			{ResourceType: metadata.ACLResourceTopic, ResourceName: "orders", PatternType: metadata.ACLPatternLiteral, Principal: "User:alice", Host: "*",
				Operation: metadata.ACLOperationDescribe, PermissionType: metadata.ACLPermissionAllow},
			{ResourceType: metadata.ACLResourceTopic, ResourceName: "*", PatternType: metadata.ACLPatternLiteral, Principal: "User:*", Host: "*",
				Operation: metadata.ACLOperationDescribe, PermissionType: metadata.ACLPermissionAllow},
			{ResourceType: metadata.ACLResourceGroup, ResourceName: "order-service", PatternType: metadata.ACLPatternLiteral, Principal: "User:alice", Host: "*",
				Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow},
			{ResourceType: metadata.ACLResourceCluster, ResourceName: "kafka-cluster", PatternType: metadata.ACLPatternLiteral, Principal: "User:admin", Host: "*",
				Operation: metadata.ACLOperationAll, PermissionType: metadata.ACLPermissionAllow},
			{ResourceType: metadata.ACLResourceTopic, ResourceName: "payments-", PatternType: metadata.ACLPatternPrefixed, Principal: "User:bob", Host: "10.0.0.2",
				Operation: metadata.ACLOperationWrite, PermissionType: metadata.ACLPermissionDeny},
		}
		wantMap := map[metadata.Uuid]*metadata.AccessControlEntryRecord{}
		for _, a := range want {
			a.ID = znode.ACLID(a)
			wantMap[a.ID] = a
		}
		if len(wantMap) != len(want) {
			t.Fatal("two different ACLs derived the same id")
		}
		if !reflect.DeepEqual(img.ACLs, wantMap) {
			for id, a := range img.ACLs {
				t.Logf("got %s: %+v", id, a)
			}
			t.Errorf("ACLs differ from the %d expected", len(want))
		}
	})

	t.Run("producer ids", func(t *testing.T) {
		want := metadata.ProducerIDs{NextProducerID: 4000, BrokerID: 2, BrokerEpoch: -1}
		if img.ProducerIDs != want {
			t.Errorf("ProducerIDs = %+v, want %+v", img.ProducerIDs, want)
		}
		if b := loaded.ProducerIDBlock; b == nil || *b != (znode.ProducerIDBlock{BrokerID: 2, BlockStart: 3000, BlockEnd: 3999}) {
			t.Errorf("ProducerIDBlock = %+v", b)
		}
	})

	t.Run("beside the image", func(t *testing.T) {
		if !slices.Equal(loaded.PendingDeletions, []string{"doomed"}) {
			t.Errorf("PendingDeletions = %v", loaded.PendingDeletions)
		}
		if !slices.Equal(loaded.TopicsWithoutID, []string{"legacy-events"}) {
			t.Errorf("TopicsWithoutID = %v", loaded.TopicsWithoutID)
		}
		if want := []znode.TopicPartition{{Topic: "payments", Partition: 1}}; !slices.Equal(loaded.PartitionsWithoutState, want) {
			t.Errorf("PartitionsWithoutState = %v, want %v", loaded.PartitionsWithoutState, want)
		}
		if c := loaded.Controller; c == nil || *c != (znode.ControllerZNode{BrokerID: 1, Timestamp: 1700000000123, KRaftControllerEpoch: -1}) {
			t.Errorf("Controller = %+v", c)
		}
		if loaded.ControllerEpoch != 5 || loaded.ControllerEpochZkVersion != fixtureControllerE {
			t.Errorf("controller epoch = %d (zkVersion %d), want 5 (%d)", loaded.ControllerEpoch, loaded.ControllerEpochZkVersion, fixtureControllerE)
		}
		if loaded.Migration != nil {
			t.Errorf("Migration = %+v, want nil before any migration", loaded.Migration)
		}
		if f := loaded.Feature; f == nil || f.Version != 2 || f.Status != znode.FeatureStatusEnabled || len(f.Features) != 0 {
			t.Errorf("Feature = %+v", f)
		}
	})
}

// addDelegationTokens adds token znodes to tree: alice's as Kafka 3.3+ writes it (v3,
// fields in hash order), bob's as Kafka 1.1 to 3.2 wrote it (v1), and a token znode
// without data, which holds no token.
func addDelegationTokens(tree *memTree) {
	tree.create(znode.DelegationTokenChangesPath, "")
	tree.create(znode.DelegationTokenInfoPath(aliceTokenID), aliceTokenHashOrder)
	tree.create(znode.DelegationTokenInfoPath(bobTokenID), bobTokenV1)
	tree.create(znode.DelegationTokenInfoPath("empty"), "")
}

// TestLoadDelegationTokens: every token znode with data is one token of the image,
// principals desanitized, a v1 token's requester its owner.
func TestLoadDelegationTokens(t *testing.T) {
	tree := kafka3Tree()
	addDelegationTokens(tree)
	got := loadFixture(t, tree).Image.DelegationTokens
	want := map[string]*metadata.DelegationTokenRecord{aliceTokenID: aliceToken(), bobTokenID: bobToken()}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DelegationTokens:\n got %+v\nwant %+v", describeTokens(got), describeTokens(want))
	}
	if got := loadFixture(t, kafka3Tree()).Image.DelegationTokens; len(got) != 0 {
		t.Errorf("a tree without /delegation_token loaded tokens %v", got)
	}
}

// TestMigrationRecordsKafkaOrder checks the records the copy writes, in Kafka's
// order, and that applying them gives the loaded image's topics, configs, quotas,
// SCRAM credentials, producer ids, ACLs and delegation tokens, except where Kafka's
// migration initializes a partition without a state znode.
func TestMigrationRecordsKafkaOrder(t *testing.T) {
	tree := kafka3Tree()
	tree.remove(znode.TopicPath("legacy-events"))
	addDelegationTokens(tree)
	loaded := loadFixture(t, tree)
	records, err := loaded.MigrationRecords()
	if err != nil {
		t.Fatal(err)
	}
	got := describeRecords(records)
	want := []string{
		"Topic orders",
		"Partition orders-0 leader 1 isr [1 2 3] epochs 4/7",
		"Partition orders-1 leader 2 isr [2] epochs 9/12 recovering",
		"Partition orders-2 leader 3 isr [3 1] epochs 2/3",
		"Topic payments",
		"Config 2/payments min.insync.replicas=2",
		"Config 2/payments retention.ms=604800000",
		"Partition payments-0 leader 3 isr [3 4 1] epochs 1/2 adding [1] removing [4]",
		"Partition payments-1 leader 4 isr [4 1 2] epochs 0/0",
		"Topic user-profiles",
		"Config 2/user-profiles cleanup.policy=compact",
		"Config 2/user-profiles min.compaction.lag.ms=60000",
		"Partition user-profiles-0 leader -1 isr [2] epochs 6/9",
		"Config 4/1 follower.replication.throttled.rate=10485760",
		"Config 4/1 log.cleaner.threads=2",
		"Config 4/ log.retention.ms=86400000",
		"Config 4/ min.insync.replicas=2",
		"Quota user request_percentage=50",
		"Quota user=\"CN=bob,OU=ops\" consumer_byte_rate=2.097152e+06",
		"Scram alice 1",
		"Scram alice 2",
		"Quota user=\"alice\" producer_byte_rate=1.048576e+06",
		"Quota client-id producer_byte_rate=1024",
		"Quota client-id=\"reporting\" request_percentage=12.5",
		"Quota client-id=\"app-1\",user=\"alice\" consumer_byte_rate=4096",
		"Quota client-id,user=\"carol\" producer_byte_rate=512",
		"Quota ip=\"10.0.0.7\" connection_creation_rate=10",
		"ProducerIds broker 2 epoch -1 next 4000",
		"ACL Topic/3/orders User:alice * op 3 perm 3",
		"ACL Topic/3/orders User:alice * op 8 perm 3",
		"ACL Topic/3/* User:* * op 8 perm 3",
		"ACL Topic/4/payments- User:bob 10.0.0.2 op 4 perm 2",
		"ACL Group/3/order-service User:alice * op 3 perm 3",
		"ACL Cluster/3/kafka-cluster User:admin * op 2 perm 3",
		"*metadata.DelegationTokenRecord",
		"*metadata.DelegationTokenRecord",
	}
	if !slices.Equal(got, want) {
		t.Errorf("MigrationRecords:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// Delegation tokens come last, by token id; the znode without data is no token.
	if tail := records[max(0, len(records)-2):]; !reflect.DeepEqual(tail, []metadata.Record{bobToken(), aliceToken()}) {
		t.Errorf("the copy ends with %+v, want bob's then alice's delegation token", tail)
	}

	// Every record survives Kafka's framing unchanged.
	for i, r := range records {
		back, err := metadata.DecodeRecord(metadata.EncodeRecord(r))
		if err != nil {
			t.Fatalf("record %d (%s): %v", i, got[i], err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("record %d (%s) changed through encode/decode:\n got %+v\nwant %+v", i, got[i], back, r)
		}
	}

	img := metadata.NewImage()
	for _, r := range records {
		if err := img.Apply(r); err != nil {
			t.Fatalf("apply %+v: %v", r, err)
		}
	}
	want0 := loaded.Image
	initialized := &metadata.Partition{ID: 1, Replicas: []int32{4, 1, 2}, ISR: []int32{4, 1, 2}, Leader: 4}
	if p := img.Topics["payments"].Partitions[1]; !reflect.DeepEqual(p, initialized) {
		t.Errorf("payments-1 after the copy = %+v, want Kafka's initialization %+v", p, initialized)
	}
	img.Topics["payments"].Partitions[1] = want0.Topics["payments"].Partitions[1]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"Topics", img.Topics, want0.Topics},
		{"Configs", img.Configs, want0.Configs},
		{"Quotas", img.Quotas, want0.Quotas},
		{"Scram", img.Scram, want0.Scram},
		{"ACLs", img.ACLs, want0.ACLs},
		{"ProducerIDs", img.ProducerIDs, want0.ProducerIDs},
		{"DelegationTokens", img.DelegationTokens, want0.DelegationTokens},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s after applying MigrationRecords differ from the loaded image", c.what)
		}
	}
	if len(img.Brokers) != 0 || len(img.Features) != 0 {
		t.Errorf("the copy carried brokers %v or features %v; ZooKeeper brokers register themselves", img.Brokers, img.Features)
	}
}

func TestMigrationRecordsRefuseTopicWithoutID(t *testing.T) {
	loaded := loadFixture(t, kafka3Tree())
	_, err := loaded.MigrationRecords()
	if err == nil || !strings.Contains(err.Error(), "legacy-events") {
		t.Fatalf("MigrationRecords = %v, want an error naming legacy-events", err)
	}
}

func TestMigrationRecordsRefusePartitionWithoutReplicas(t *testing.T) {
	tree := kafka3Tree()
	tree.remove(znode.TopicPath("legacy-events"))
	tree.create(znode.TopicPath("empty"), `{"version":3,"partitions":{"0":[]},"adding_replicas":{},"removing_replicas":{},"topic_id":"AAAAAAAAAAAAAAAAAAAAAg"}`)
	loaded := loadFixture(t, tree)
	_, err := loaded.MigrationRecords()
	if err == nil || !strings.Contains(err.Error(), znode.TopicPartitionStatePath("empty", 0)) {
		t.Fatalf("MigrationRecords = %v, want an error naming the partition", err)
	}
}

// TestLoadIsDeterministic loads the fixture twice (memTree lists children in map
// order, so the two reads see different orders) and expects equal results, ACL ids
// included.
func TestLoadIsDeterministic(t *testing.T) {
	tree := kafka3Tree()
	tree.remove(znode.TopicPath("legacy-events"))
	a, b := loadFixture(t, tree), loadFixture(t, tree)
	if !reflect.DeepEqual(a.Image, b.Image) {
		t.Error("two loads of one tree gave different images")
	}
	ra, err := a.MigrationRecords()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.MigrationRecords()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ra, rb) {
		t.Error("two loads of one tree gave different migration records")
	}
}

func TestLoadEmptyTree(t *testing.T) {
	loaded := loadFixture(t, newMemTree())
	img := loaded.Image
	if img.ClusterID != "" || len(img.Brokers) != 0 || len(img.Topics) != 0 || len(img.Configs) != 0 ||
		len(img.Quotas) != 0 || len(img.ACLs) != 0 || img.ProducerIDs != (metadata.ProducerIDs{}) {
		t.Errorf("empty tree loaded as %+v", img)
	}
	if loaded.Controller != nil || loaded.Migration != nil || loaded.Feature != nil || loaded.ProducerIDBlock != nil {
		t.Errorf("empty tree has controller %v, migration %v, feature %v, producer block %v",
			loaded.Controller, loaded.Migration, loaded.Feature, loaded.ProducerIDBlock)
	}
	if loaded.ControllerEpoch != 0 || loaded.ControllerEpochZkVersion != znode.UnknownZkVersion {
		t.Errorf("controller epoch = %d (zkVersion %d), want 0 (%d)", loaded.ControllerEpoch, loaded.ControllerEpochZkVersion, znode.UnknownZkVersion)
	}
	records, err := loaded.MigrationRecords()
	if err != nil || len(records) != 0 {
		t.Errorf("MigrationRecords = %v, %v; want none", records, err)
	}
}

func TestLoadMigrationAndKRaftController(t *testing.T) {
	tree := kafka3Tree()
	tree.nodes[znode.ControllerPath].data = []byte(`{"version":2,"brokerid":3000,"timestamp":"1700000009999","kraftControllerEpoch":7}`)
	n := tree.create(znode.MigrationPath, `{"version":0,"kraft_controller_id":3000,"kraft_controller_epoch":7,"kraft_metadata_offset":1234,"kraft_metadata_epoch":7}`).withVersion(4)
	loaded := loadFixture(t, tree)
	want := &MigrationState{
		MigrationZNode:    znode.MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 7, KRaftMetadataOffset: 1234, KRaftMetadataEpoch: 7},
		ZkVersion:         4,
		LastUpdatedTimeMs: n.stat.Mtime,
	}
	if !reflect.DeepEqual(loaded.Migration, want) {
		t.Errorf("Migration = %+v, want %+v", loaded.Migration, want)
	}
	if !loaded.Migration.InitialMigrationComplete() || !loaded.Controller.IsKRaftController() {
		t.Errorf("migration complete = %v, KRaft controller = %v; want both", loaded.Migration.InitialMigrationComplete(), loaded.Controller.IsKRaftController())
	}
}

func TestLoadFeatureLevels(t *testing.T) {
	tree := kafka3Tree()
	tree.nodes[znode.FeaturePath].data = []byte(`{"version":2,"status":1,"features":{"group.version":{"max_version_level":1}}}`)
	if got := loadFixture(t, tree).Image.Features; !reflect.DeepEqual(got, map[string]int16{"group.version": 1}) {
		t.Errorf("Features = %v, want group.version=1 from an enabled /feature", got)
	}
	tree.nodes[znode.FeaturePath].data = []byte(`{"version":2,"status":0,"features":{"group.version":{"max_version_level":1}}}`)
	if got := loadFixture(t, tree).Image.Features; len(got) != 0 {
		t.Errorf("Features = %v, want none from a disabled /feature", got)
	}
}

// TestLoadSkipsVanishedZnodes: a broker that stops, or a topic deleted, between the
// listing and the read is skipped, as Kafka's readers skip it.
func TestLoadSkipsVanishedZnodes(t *testing.T) {
	tree := kafka3Tree()
	tree.vanished[znode.BrokerPath(2)] = true
	tree.vanished[znode.TopicPath("orders")] = true
	tree.vanished[znode.ConfigEntityPath(znode.ConfigTypeBroker, "1")] = true
	img := loadFixture(t, tree).Image
	if _, ok := img.Brokers[2]; ok {
		t.Error("broker 2 vanished but was loaded")
	}
	if _, ok := img.Topics["orders"]; ok {
		t.Error("orders vanished but was loaded")
	}
	if _, ok := img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: "1"}]; ok {
		t.Error("broker 1's config vanished but was loaded")
	}
	if len(img.Brokers) != 3 || len(img.Topics) != 3 {
		t.Errorf("loaded %d brokers and %d topics, want 3 and 3", len(img.Brokers), len(img.Topics))
	}
}

func TestLoadErrorsNameTheZnode(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*memTree)
		path string
		is   error
	}{
		{"malformed broker", func(t *memTree) { t.nodes[znode.BrokerPath(3)].data = []byte(`{"version":5,`) }, znode.BrokerPath(3), nil},
		{"broker id not a number", func(t *memTree) { t.create(znode.BrokerIDsPath+"/x", "{}") }, znode.BrokerIDsPath + "/x", nil},
		{"malformed topic", func(t *memTree) { t.nodes[znode.TopicPath("orders")].data = []byte(`{"version":3,"partitions":[]}`) }, znode.TopicPath("orders"), nil},
		{"malformed state", func(t *memTree) {
			t.nodes[znode.TopicPartitionStatePath("orders", 2)].data = []byte(`{"version":1,"leader":"3"}`)
		}, znode.TopicPartitionStatePath("orders", 2), nil},
		{"malformed topic config", func(t *memTree) {
			t.nodes[znode.ConfigEntityPath(znode.ConfigTypeTopic, "payments")].data = []byte(`{"version":1,"config":{"retention.ms":604800000}}`)
		}, znode.ConfigEntityPath(znode.ConfigTypeTopic, "payments"), nil},
		{"broker config entity not a broker", func(t *memTree) { t.create(znode.ConfigEntityPath(znode.ConfigTypeBroker, "all"), "") }, znode.ConfigEntityPath(znode.ConfigTypeBroker, "all"), nil},
		{"malformed quota", func(t *memTree) {
			t.nodes[znode.ConfigEntityPath(znode.ConfigTypeClient, "reporting")].data = []byte(`{"version":1,"config":{"request_percentage":"lots"}}`)
		}, znode.ConfigEntityPath(znode.ConfigTypeClient, "reporting"), nil},
		{"malformed SCRAM credential", func(t *memTree) {
			t.nodes[znode.ConfigEntityPath(znode.ConfigTypeUser, "alice")].data = []byte(`{"version":1,"config":{"SCRAM-SHA-256":"salt=AA=="}}`)
		}, znode.ConfigEntityPath(znode.ConfigTypeUser, "alice"), nil},
		{"unknown ACL resource type", func(t *memTree) { t.create(znode.LiteralACLPath+"/Widget/w", "") }, znode.LiteralACLPath + "/Widget", nil},
		{"malformed ACL", func(t *memTree) {
			t.nodes[znode.LiteralACLPath+"/Group/order-service"].data = []byte(`{"version":1,"acls":[{"principal":"alice","permissionType":"Allow","operation":"Read","host":"*"}]}`)
		}, znode.LiteralACLPath + "/Group/order-service", nil},
		{"malformed cluster id", func(t *memTree) { t.nodes[znode.ClusterIDPath].data = []byte(`{"version":1,"id":"x"}`) }, znode.ClusterIDPath, nil},
		{"malformed controller epoch", func(t *memTree) { t.nodes[znode.ControllerEpochPath].data = []byte(" 5") }, znode.ControllerEpochPath, nil},
		{"malformed delegation token", func(t *memTree) {
			t.create(znode.DelegationTokenInfoPath(aliceTokenID), strings.Replace(aliceTokenV3, `"User%3Aalice"`, `"alice"`, 1))
		}, znode.DelegationTokenInfoPath(aliceTokenID), nil},
		{"delegation token under another id", func(t *memTree) {
			t.create(znode.DelegationTokenInfoPath(bobTokenID), aliceTokenV3)
		}, znode.DelegationTokenInfoPath(bobTokenID), nil},
		{"delegation token read failure", func(t *memTree) {
			t.create(znode.DelegationTokenInfoPath(aliceTokenID), aliceTokenV3)
			t.failing[znode.DelegationTokenInfoPath(aliceTokenID)] = true
		}, znode.DelegationTokenInfoPath(aliceTokenID), errInjected},
		{"malformed producer block", func(t *memTree) {
			t.nodes[znode.ProducerIDBlockPath].data = []byte(`{"version":1,"broker":2,"block_start":3000,"block_end":"3999"}`)
		}, znode.ProducerIDBlockPath, nil},
		{"read failure", func(t *memTree) { t.failing[znode.TopicPartitionStatePath("payments", 0)] = true }, znode.TopicPartitionStatePath("payments", 0), errInjected},
		{"list failure", func(t *memTree) { t.failing[znode.LiteralACLPath] = true }, znode.LiteralACLPath, errInjected},
	} {
		t.Run(c.name, func(t *testing.T) {
			tree := kafka3Tree()
			c.edit(tree)
			_, err := LoadTree(context.Background(), tree)
			if err == nil {
				t.Fatal("LoadTree succeeded")
			}
			if !strings.Contains(err.Error(), c.path) {
				t.Errorf("error %q does not name %s", err, c.path)
			}
			if strings.Count(err.Error(), c.path+":") > 1 {
				t.Errorf("error %q names %s more than once", err, c.path)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q does not wrap %v", err, c.is)
			}
		})
	}
}

func TestLoadHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadTree(ctx, kafka3Tree()); !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadTree with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestLoadImageIsTreeImage(t *testing.T) {
	tree := kafka3Tree()
	img, err := LoadImage(context.Background(), tree)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(img, loadFixture(t, tree).Image) {
		t.Error("LoadImage and LoadTree(...).Image differ")
	}
	if _, err := LoadImage(context.Background(), &memTree{nodes: map[string]*memNode{}, failing: map[string]bool{znode.ClusterIDPath: true}}); !errors.Is(err, errInjected) {
		t.Errorf("LoadImage on a failing reader = %v", err)
	}
}
