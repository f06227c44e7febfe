package metadata

import (
	"reflect"
	"strings"
	"testing"
)

func mustApply(t *testing.T, img *Image, recs ...Record) {
	t.Helper()
	for _, r := range recs {
		if err := img.Apply(r); err != nil {
			t.Fatalf("apply %T: %v", r, err)
		}
	}
}

var (
	fooID = Uuid{1}
	barID = Uuid{2}
)

func topicRecords(name string, id Uuid, partitions int32) []Record {
	recs := []Record{&TopicRecord{Name: name, TopicID: id}}
	for p := range partitions {
		pr := NewPartitionRecord()
		pr.PartitionID, pr.TopicID = p, id
		pr.Replicas, pr.ISR, pr.Leader, pr.LeaderEpoch, pr.PartitionEpoch = []int32{1, 2}, []int32{1, 2}, 1, 0, 0
		pr.Directories = []Uuid{fooID, barID}
		recs = append(recs, pr)
	}
	return recs
}

func broker(id int32, fenced bool) *RegisterBrokerRecord {
	r := NewRegisterBrokerRecord()
	r.BrokerID, r.BrokerEpoch, r.Fenced = id, int64(id)*10, fenced
	r.IncarnationID = Uuid{byte(id)}
	r.EndPoints = []Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9090 + uint16(id)}}
	r.Features = []FeatureRange{{Name: FeatureMetadataVersion, MinVersion: 1, MaxVersion: 21}}
	return r
}

// fullImage builds an image that holds every kind of entity.
func fullImage(t *testing.T) *Image {
	img := NewImage()
	mustApply(t, img,
		&FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: MetadataVersionLatest},
		&FeatureLevelRecord{Name: "kraft.version", FeatureLevel: 1},
		&ZkMigrationStateRecord{ZkMigrationState: ZkMigrationPostMigration},
		broker(1, false), broker(2, true),
		&RegisterControllerRecord{ControllerID: 3000, IncarnationID: Uuid{9}, EndPoints: []Endpoint{{Name: "CONTROLLER", Host: "c", Port: 9093}}},
	)
	rb := broker(3, false)
	rb.Rack, rb.InControlledShutdown, rb.IsMigratingZkBroker, rb.LogDirs = strp("r1"), true, true, []Uuid{fooID}
	mustApply(t, img, rb)
	mustApply(t, img, topicRecords("foo", fooID, 3)...)
	mustApply(t, img, topicRecords("bar", barID, 1)...)
	pc := NewPartitionChangeRecord()
	pc.TopicID, pc.PartitionID, pc.ISR, pc.LeaderRecoveryState = fooID, 1, []int32{1}, 1
	mustApply(t, img, pc,
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "foo", Name: "retention.ms", Value: strp("1")},
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "foo", Name: "cleanup.policy", Value: strp("compact")},
		&ConfigRecord{ResourceType: ConfigResourceBroker, ResourceName: "", Name: "log.retention.hours", Value: strp("1")},
		&ConfigRecord{ResourceType: ConfigResourceBroker, ResourceName: "1", Name: "x", Value: strp("")},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{Type: "user", Name: strp("alice")}, {Type: "client-id"}}, Key: "producer_byte_rate", Value: 1e6},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{Type: "client-id"}, {Type: "user", Name: strp("alice")}}, Key: "consumer_byte_rate", Value: 2e6},
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 10, NextProducerID: 2000},
		&AccessControlEntryRecord{ID: Uuid{5}, ResourceType: 2, ResourceName: "foo", PatternType: 3, Principal: "User:alice", Host: "*", Operation: 3, PermissionType: 3},
		&AccessControlEntryRecord{ID: Uuid{4}, ResourceType: 4, ResourceName: "kafka-cluster", PatternType: 3, Principal: "User:bob", Host: "*", Operation: 2, PermissionType: 2},
		&UserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA256, Salt: []byte{1}, StoredKey: []byte{2}, ServerKey: []byte{3}, Iterations: 4096},
		&UserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA512, Salt: []byte{1}, StoredKey: []byte{2}, ServerKey: []byte{3}, Iterations: 4096},
		&DelegationTokenRecord{Owner: "User:alice", Requester: "User:alice", Renewers: []string{"User:bob"}, TokenID: "t1", MaxTimestamp: 9},
	)
	img.ClusterID = "fMCL8kv1SWm87L_Md-I2hg"
	img.SetPosition(41, 2)
	return img
}

func TestRecordsRebuildImage(t *testing.T) {
	img := fullImage(t)
	recs := img.Records()
	if first, ok := recs[0].(*FeatureLevelRecord); !ok || first.Name != FeatureMetadataVersion {
		t.Errorf("first snapshot record = %#v, want metadata.version", recs[0])
	}
	// Through the codec, as a snapshot would be.
	base, decoded, err := DecodeBatch(EncodeBatch(0, 0, 0, recs))
	if err != nil || base != 0 {
		t.Fatal(err)
	}
	rebuilt := NewImage()
	mustApply(t, rebuilt, decoded...)
	rebuilt.ClusterID = img.ClusterID
	rebuilt.SetPosition(img.Offset, img.Epoch)
	if !reflect.DeepEqual(rebuilt, img) {
		t.Errorf("rebuilt image differs\n got %+v\nwant %+v", rebuilt, img)
	}
	if !reflect.DeepEqual(rebuilt.Records(), recs) {
		t.Error("rebuilt image writes different records")
	}
}

func TestRecordsFollowMetadataVersion(t *testing.T) {
	img := NewImage()
	mustApply(t, img, &FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: MetadataVersion3_4IV0}, broker(1, false))
	mustApply(t, img, topicRecords("foo", fooID, 1)...)
	for _, r := range img.Records() {
		switch v := r.(type) {
		case *RegisterBrokerRecord:
			if v.Version != 2 {
				t.Errorf("RegisterBrokerRecord v%d at MV 8", v.Version)
			}
		case *PartitionRecord:
			if v.Version != 0 {
				t.Errorf("PartitionRecord v%d at MV 8", v.Version)
			}
		}
	}
}

func TestCloneIsolation(t *testing.T) {
	img := fullImage(t)
	before := img.Clone()
	next := img.Clone()
	pc := NewPartitionChangeRecord()
	pc.TopicID, pc.PartitionID, pc.Leader = fooID, 0, 2
	mustApply(t, next, pc,
		&BrokerRegistrationChangeRecord{BrokerID: 1, Fenced: BrokerFencingFence},
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "foo", Name: "retention.ms", Value: strp("2")},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{Type: "user", Name: strp("alice")}, {Type: "client-id"}}, Key: "producer_byte_rate", Value: 5},
		&RemoveTopicRecord{TopicID: barID},
		&TopicRecord{Name: "baz", TopicID: Uuid{3}},
	)
	if !reflect.DeepEqual(img, before) {
		t.Error("applying to a clone changed the original")
	}
	if p, _ := next.Partition("foo", 0); p.Leader != 2 {
		t.Errorf("clone partition leader = %d", p.Leader)
	}
}

func TestTransactions(t *testing.T) {
	img := NewImage()
	mustApply(t, img, &BeginTransactionRecord{Name: strp("copy")}, &TopicRecord{Name: "foo", TopicID: fooID})
	if !img.InTransaction() || len(img.Topics) != 0 {
		t.Fatalf("in transaction: %v, topics %v", img.InTransaction(), img.Topics)
	}
	if err := img.Apply(&BeginTransactionRecord{}); err == nil || !strings.Contains(err.Error(), `"copy"`) {
		t.Errorf("nested begin: %v", err)
	}
	mustApply(t, img, topicRecords("foo", fooID, 2)[1:]...)
	mustApply(t, img, &EndTransactionRecord{})
	if img.InTransaction() || len(img.Topics["foo"].Partitions) != 2 {
		t.Errorf("after commit: in transaction %v, topic %+v", img.InTransaction(), img.Topics["foo"])
	}

	mustApply(t, img, &BeginTransactionRecord{}, &RemoveTopicRecord{TopicID: fooID}, &AbortTransactionRecord{Reason: strp("failover")})
	if _, ok := img.Topic("foo"); !ok || img.InTransaction() {
		t.Error("aborted transaction took effect")
	}

	for _, r := range []Record{&EndTransactionRecord{}, &AbortTransactionRecord{}} {
		if err := img.Apply(r); err == nil {
			t.Errorf("%T without a transaction succeeded", r)
		}
	}

	// A record that fails at commit leaves the image as it was.
	before := img.Clone()
	err := func() error {
		mustApply(t, img, &BeginTransactionRecord{}, &TopicRecord{Name: "bar", TopicID: barID}, &RemoveTopicRecord{TopicID: Uuid{9}})
		return img.Apply(&EndTransactionRecord{})
	}()
	if err == nil || !strings.Contains(err.Error(), "record 2 of 2") {
		t.Errorf("failing commit: %v", err)
	}
	if !reflect.DeepEqual(img, before) {
		t.Error("failed commit changed the image")
	}
}

func TestPartitionChangeEpochs(t *testing.T) {
	img := NewImage()
	mustApply(t, img, topicRecords("foo", fooID, 1)...)
	change := func(f func(*PartitionChangeRecord)) *Partition {
		pc := NewPartitionChangeRecord()
		pc.TopicID, pc.PartitionID = fooID, 0
		f(pc)
		mustApply(t, img, pc)
		p, _ := img.Partition("foo", 0)
		return p
	}
	p := change(func(pc *PartitionChangeRecord) { pc.ISR = []int32{1} })
	if p.LeaderEpoch != 0 || p.PartitionEpoch != 1 || !reflect.DeepEqual(p.ISR, []int32{1}) || !reflect.DeepEqual(p.Replicas, []int32{1, 2}) {
		t.Errorf("ISR change: %+v", p)
	}
	p = change(func(pc *PartitionChangeRecord) { pc.Leader = 2 })
	if p.Leader != 2 || p.LeaderEpoch != 1 || p.PartitionEpoch != 2 {
		t.Errorf("leader change: %+v", p)
	}
	// Naming the same leader again is a new leader epoch, as in PartitionRegistration.merge.
	p = change(func(pc *PartitionChangeRecord) { pc.Leader = 2 })
	if p.LeaderEpoch != 2 || p.PartitionEpoch != 3 {
		t.Errorf("same leader: %+v", p)
	}
	p = change(func(pc *PartitionChangeRecord) {
		pc.Leader, pc.LeaderRecoveryState = NoLeader, LeaderRecoveryStateRecovering
	})
	if p.Leader != -1 || p.LeaderEpoch != 3 || p.PartitionEpoch != 4 || p.LeaderRecoveryState != 1 {
		t.Errorf("no leader: %+v", p)
	}
	p = change(func(pc *PartitionChangeRecord) {
		pc.Replicas, pc.AddingReplicas, pc.Directories = []int32{1, 2, 3}, []int32{3}, []Uuid{fooID, barID, fooID}
	})
	if p.LeaderEpoch != 3 || p.PartitionEpoch != 5 || !p.IsReplica(3) || p.InISR(3) || len(p.Directories) != 3 || p.LeaderRecoveryState != 1 {
		t.Errorf("reassignment: %+v", p)
	}

	for _, bad := range []*PartitionChangeRecord{
		{TopicID: Uuid{7}, Leader: NoLeaderChange, LeaderRecoveryState: -1},
		{TopicID: fooID, PartitionID: 5, Leader: NoLeaderChange, LeaderRecoveryState: -1},
		{TopicID: fooID, Leader: NoLeaderChange, LeaderRecoveryState: 2},
	} {
		if err := img.Apply(bad); err == nil {
			t.Errorf("bad change %+v applied", bad)
		}
	}
	if err := img.Apply(&PartitionRecord{TopicID: Uuid{7}}); err == nil {
		t.Error("PartitionRecord for an unknown topic applied")
	}
}

func TestRemoveTopic(t *testing.T) {
	img := NewImage()
	mustApply(t, img, topicRecords("foo", fooID, 2)...)
	mustApply(t, img, topicRecords("bar", barID, 1)...)
	mustApply(t, img,
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "foo", Name: "retention.ms", Value: strp("1")},
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "bar", Name: "retention.ms", Value: strp("1")},
		&RemoveTopicRecord{TopicID: fooID},
	)
	if _, ok := img.Topic("foo"); ok {
		t.Error("foo still there")
	}
	if _, ok := img.TopicByID(fooID); ok {
		t.Error("foo still there by id")
	}
	if _, ok := img.Configs[ConfigResource{Type: ConfigResourceTopic, Name: "foo"}]; ok {
		t.Error("foo's configs survived")
	}
	if _, ok := img.Configs[ConfigResource{Type: ConfigResourceTopic, Name: "bar"}]; !ok {
		t.Error("bar's configs were removed")
	}
	if err := img.Apply(&RemoveTopicRecord{TopicID: fooID}); err == nil {
		t.Error("removing an unknown topic succeeded")
	}
	// The name can be reused with a new id.
	mustApply(t, img, &TopicRecord{Name: "foo", TopicID: Uuid{8}})
	for _, dup := range []*TopicRecord{{Name: "foo", TopicID: Uuid{9}}, {Name: "other", TopicID: barID}} {
		if err := img.Apply(dup); err == nil {
			t.Errorf("duplicate %+v applied", dup)
		}
	}
}

func TestBrokerRecords(t *testing.T) {
	img := NewImage()
	mustApply(t, img, broker(1, true), broker(2, false), broker(3, false))
	if live := img.LiveBrokers(); len(live) != 2 || live[0].ID != 2 || live[1].ID != 3 {
		t.Errorf("live = %+v", live)
	}
	mustApply(t, img,
		&BrokerRegistrationChangeRecord{BrokerID: 1, Fenced: BrokerFencingUnfence},
		&BrokerRegistrationChangeRecord{BrokerID: 2, InControlledShutdown: BrokerControlledShutdownActive, LogDirs: []Uuid{fooID}},
		&FenceBrokerRecord{ID: 3},
	)
	if b := img.Brokers[1]; b.Fenced {
		t.Error("broker 1 still fenced")
	}
	if b := img.Brokers[2]; !b.InControlledShutdown || b.Fenced || !reflect.DeepEqual(b.LogDirs, []Uuid{fooID}) {
		t.Errorf("broker 2 = %+v", b)
	}
	if live := img.LiveBrokers(); len(live) != 2 || live[0].ID != 1 || live[1].ID != 2 {
		t.Errorf("live = %+v", live)
	}
	mustApply(t, img, &UnfenceBrokerRecord{ID: 3}, &UnregisterBrokerRecord{BrokerID: 1})
	if _, ok := img.Brokers[1]; ok || img.Brokers[3].Fenced {
		t.Errorf("brokers = %+v", img.Brokers)
	}
	if ep, ok := img.Brokers[2].Endpoint("PLAINTEXT"); !ok || ep.Port != 9092 {
		t.Errorf("endpoint = %+v", ep)
	}
	for _, bad := range []Record{
		&FenceBrokerRecord{ID: 9},
		&BrokerRegistrationChangeRecord{BrokerID: 2, Fenced: 2},
		&BrokerRegistrationChangeRecord{BrokerID: 2, InControlledShutdown: -1},
	} {
		if err := img.Apply(bad); err == nil {
			t.Errorf("%+v applied", bad)
		}
	}
}

func TestConfigFeatureQuotaSecurityRecords(t *testing.T) {
	img := fullImage(t)
	res := ConfigResource{Type: ConfigResourceBroker, Name: "1"}
	mustApply(t, img, &ConfigRecord{ResourceType: res.Type, ResourceName: res.Name, Name: "x"})
	if _, ok := img.Configs[res]; ok {
		t.Error("empty config resource kept")
	}
	mustApply(t, img, &FeatureLevelRecord{Name: "kraft.version", FeatureLevel: 0})
	if _, ok := img.Features["kraft.version"]; ok || img.MetadataVersion() != 21 {
		t.Errorf("features = %v", img.Features)
	}
	entity := []QuotaEntityPart{{Type: "user", Name: strp("alice")}, {Type: "client-id"}}
	key := (&QuotaEntity{Entity: entity}).Key()
	if q := img.Quotas[key]; q == nil || len(q.Values) != 2 {
		t.Fatalf("quota %q = %+v", key, img.Quotas)
	}
	mustApply(t, img,
		&ClientQuotaRecord{Entity: entity, Key: "producer_byte_rate", Remove: true},
		&ClientQuotaRecord{Entity: entity, Key: "consumer_byte_rate", Remove: true},
		&RemoveAccessControlEntryRecord{ID: Uuid{5}},
		&RemoveUserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA256},
		&RemoveDelegationTokenRecord{TokenID: "t1"},
	)
	if len(img.Quotas) != 0 || len(img.ACLs) != 1 || len(img.Scram) != 1 || len(img.DelegationTokens) != 0 {
		t.Errorf("quotas %v acls %v scram %v tokens %v", img.Quotas, img.ACLs, img.Scram, img.DelegationTokens)
	}
	if err := img.Apply(&RemoveAccessControlEntryRecord{ID: Uuid{5}}); err == nil {
		t.Error("removing an unknown ACL succeeded")
	}
	if img.ProducerIDs.NextProducerID != 2000 || img.ZkMigrationState != ZkMigrationPostMigration {
		t.Errorf("producer ids %+v, migration %d", img.ProducerIDs, img.ZkMigrationState)
	}
}

func TestQuotaEntityKey(t *testing.T) {
	a := (&QuotaEntity{Entity: []QuotaEntityPart{{Type: "user", Name: strp("a,client-id=b")}}}).Key()
	b := (&QuotaEntity{Entity: []QuotaEntityPart{{Type: "user", Name: strp("a")}, {Type: "client-id", Name: strp("b")}}}).Key()
	d := (&QuotaEntity{Entity: []QuotaEntityPart{{Type: "user"}}}).Key()
	e := (&QuotaEntity{Entity: []QuotaEntityPart{{Type: "user", Name: strp("")}}}).Key()
	if a == b || d == e {
		t.Errorf("keys collide: %q %q %q %q", a, b, d, e)
	}
}

// TestCloneSkipsTopicsWithoutID: topics without a topic id (ZooKeeper topics from
// before KIP-516) are found by name only, so a clone does not index them under the
// zero Uuid, where two of them would collide.
func TestCloneSkipsTopicsWithoutID(t *testing.T) {
	img := NewImage()
	img.Topics["a"] = &Topic{Name: "a", Partitions: map[int32]*Partition{}}
	img.Topics["b"] = &Topic{Name: "b", Partitions: map[int32]*Partition{}}
	c := img.Clone()
	if _, ok := c.TopicsByID[Uuid{}]; ok {
		t.Fatal("a topic without an id is indexed under the zero Uuid")
	}
	if len(c.Topics) != 2 {
		t.Fatalf("clone has %d topics, want 2", len(c.Topics))
	}
}
