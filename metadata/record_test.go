package metadata

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

var testTopicID = Uuid{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}

// sampleRecords holds every record type with non-default values, including every
// tagged field, at the versions that carry them.
func sampleRecords() []Record {
	eps := []Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9092, SecurityProtocol: 0}, {Name: "SSL", Host: "h", Port: 65535, SecurityProtocol: 1}}
	feats := []FeatureRange{{Name: FeatureMetadataVersion, MinVersion: 1, MaxVersion: 21}}
	return []Record{
		&RegisterBrokerRecord{Version: 3, BrokerID: 1, IsMigratingZkBroker: true, IncarnationID: testTopicID, BrokerEpoch: 42,
			EndPoints: eps, Features: feats, Rack: strp("rack-a"), Fenced: true, InControlledShutdown: true, LogDirs: []Uuid{testTopicID, MetadataTopicID}},
		&RegisterBrokerRecord{Version: 0, BrokerID: 2, IncarnationID: testTopicID, BrokerEpoch: 7, EndPoints: eps},
		&RegisterBrokerRecord{Version: 2, BrokerID: 3, IsMigratingZkBroker: true, BrokerEpoch: 8, InControlledShutdown: true},
		&UnregisterBrokerRecord{BrokerID: 1, BrokerEpoch: 42},
		&TopicRecord{Name: "foo", TopicID: testTopicID},
		&PartitionRecord{Version: 2, PartitionID: 3, TopicID: testTopicID, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2},
			RemovingReplicas: []int32{3}, AddingReplicas: []int32{4}, Leader: 1, LeaderRecoveryState: 1, LeaderEpoch: 9, PartitionEpoch: 11,
			Directories: []Uuid{testTopicID, ZeroUuid, MetadataTopicID}, EligibleLeaderReplicas: []int32{}, LastKnownELR: []int32{3}},
		&PartitionRecord{Version: 1, PartitionID: 0, TopicID: testTopicID, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1, Directories: []Uuid{testTopicID}},
		&ConfigRecord{ResourceType: ConfigResourceTopic, ResourceName: "foo", Name: "retention.ms", Value: strp("1000")},
		&ConfigRecord{ResourceType: ConfigResourceBroker, ResourceName: "", Name: "log.retention.hours", Value: nil},
		&PartitionChangeRecord{Version: 2, PartitionID: 3, TopicID: testTopicID, ISR: []int32{1}, Leader: -1, Replicas: []int32{1, 2},
			RemovingReplicas: []int32{}, AddingReplicas: []int32{2}, LeaderRecoveryState: 1, Directories: []Uuid{testTopicID, ZeroUuid},
			EligibleLeaderReplicas: []int32{2}, LastKnownELR: []int32{}},
		&PartitionChangeRecord{Version: 0, PartitionID: 0, TopicID: testTopicID, Leader: NoLeaderChange, LeaderRecoveryState: LeaderRecoveryStateNoChange},
		&FenceBrokerRecord{ID: 1, Epoch: 5},
		&UnfenceBrokerRecord{ID: 1, Epoch: 5},
		&RemoveTopicRecord{TopicID: testTopicID},
		&DelegationTokenRecord{Owner: "User:alice", Requester: "User:bob", Renewers: []string{"User:carol", "User:dave"},
			IssueTimestamp: 1, MaxTimestamp: 2, ExpirationTimestamp: 3, TokenID: "tok"},
		&UserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA512, Salt: []byte("salt"), StoredKey: []byte{1, 2}, ServerKey: []byte{3}, Iterations: 8192},
		&FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: MetadataVersionLatest},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{Type: "user", Name: strp("alice")}, {Type: "client-id", Name: nil}}, Key: "producer_byte_rate", Value: 1024.5, Remove: true},
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 42, NextProducerID: 5000},
		&BrokerRegistrationChangeRecord{Version: 2, BrokerID: 1, BrokerEpoch: 42, Fenced: BrokerFencingUnfence, InControlledShutdown: 1, LogDirs: []Uuid{testTopicID}},
		&BrokerRegistrationChangeRecord{Version: 0, BrokerID: 1, BrokerEpoch: 42, Fenced: BrokerFencingFence},
		&AccessControlEntryRecord{ID: testTopicID, ResourceType: 2, ResourceName: "foo", PatternType: 3, Principal: "User:alice", Host: "*", Operation: 3, PermissionType: 3},
		&RemoveAccessControlEntryRecord{ID: testTopicID},
		&NoOpRecord{},
		&ZkMigrationStateRecord{ZkMigrationState: ZkMigrationMigration},
		&RemoveUserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA256},
		&BeginTransactionRecord{Name: strp("zk migration")},
		&BeginTransactionRecord{},
		&EndTransactionRecord{},
		&AbortTransactionRecord{Reason: strp("controller failover")},
		&RemoveDelegationTokenRecord{TokenID: "tok"},
		&RegisterControllerRecord{ControllerID: 3000, IncarnationID: testTopicID, ZkMigrationReady: true, EndPoints: eps[:1], Features: feats},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	seen := map[int16]bool{}
	for _, rec := range sampleRecords() {
		seen[rec.APIKey()] = true
		name := RecordTypeName(rec.APIKey())
		b := EncodeRecord(rec)
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatalf("%s: decode: %v (bytes %x)", name, err, b)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("%s: round trip\n got %#v\nwant %#v", name, got, rec)
		}
		if again := EncodeRecord(got); !bytes.Equal(again, b) {
			t.Errorf("%s: re-encoding differs:\n%x\n%x", name, again, b)
		}
	}
	for key := range recordTypes {
		if !seen[key] {
			t.Errorf("no round-trip sample for %s", RecordTypeName(key))
		}
	}
}

// TestNewRecordDefaults checks the schema defaults that differ from Go's zero values,
// and that records left at their defaults write no tagged fields.
func TestNewRecordDefaults(t *testing.T) {
	pc := NewPartitionChangeRecord()
	pc.TopicID = testTopicID
	pc.PartitionID = 0
	b := EncodeRecord(pc)
	// frame 01 05 01, partition 0, topic id, then a tagged-field count of 0.
	want := "010501" + "00000000" + hex.EncodeToString(testTopicID[:]) + "00"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("empty PartitionChangeRecord = %s, want %s", got, want)
	}
	if r := NewRegisterBrokerRecord(); !r.Fenced || r.Version != 3 {
		t.Errorf("NewRegisterBrokerRecord = %+v", r)
	}
	if r := NewPartitionRecord(); r.Leader != -1 || r.LeaderEpoch != -1 || r.PartitionEpoch != -1 || r.Version != 1 {
		t.Errorf("NewPartitionRecord = %+v", r)
	}
	if r := NewBrokerRegistrationChangeRecord(); r.Version != 2 {
		t.Errorf("NewBrokerRegistrationChangeRecord = %+v", r)
	}
	if r := NewProducerIdsRecord(); r.BrokerEpoch != -1 {
		t.Errorf("NewProducerIdsRecord = %+v", r)
	}
	for key := range recordTypes {
		r, err := NewRecord(key)
		if err != nil || r.APIKey() != key {
			t.Errorf("NewRecord(%d) = %v, %v", key, r, err)
		}
	}
	if _, err := NewRecord(6); err == nil {
		t.Error("NewRecord(6) succeeded; apiKey 6 is unused")
	}
}

// TestGoldenRecords pins the wire bytes, worked out by hand from Kafka's JSON schemas.
func TestGoldenRecords(t *testing.T) {
	uuidHex := "000102030405060708090a0b0c0d0e0f"
	tests := []struct {
		name string
		rec  Record
		want string
	}{{
		name: "TopicRecord",
		rec:  &TopicRecord{Name: "foo", TopicID: testTopicID},
		want: "01" + "02" + "00" + // frame version 1, apiKey 2, version 0
			"04" + "666f6f" + // Name: compact string, length+1 = 4, "foo"
			uuidHex + // TopicId: 16 bytes
			"00", // no tagged fields
	}, {
		name: "PartitionRecord v0",
		rec: &PartitionRecord{Version: 0, PartitionID: 1, TopicID: testTopicID, Replicas: []int32{1, 2}, ISR: []int32{1},
			Leader: 1, LeaderEpoch: 5, PartitionEpoch: 7},
		want: "01" + "03" + "00" + // frame version 1, apiKey 3, version 0
			"00000001" + // PartitionId 1
			uuidHex + // TopicId
			"03" + "00000001" + "00000002" + // Replicas: compact array of 2
			"02" + "00000001" + // Isr: [1]
			"01" + // RemovingReplicas: []
			"01" + // AddingReplicas: []
			"00000001" + // Leader 1
			"00000005" + // LeaderEpoch 5 (LeaderRecoveryState is tagged, default 0: not written)
			"00000007" + // PartitionEpoch 7 (no Directories before v1)
			"00", // no tagged fields
	}, {
		name: "PartitionRecord v0 recovering",
		rec: &PartitionRecord{Version: 0, PartitionID: 0, TopicID: testTopicID, Leader: -1, LeaderRecoveryState: 1,
			LeaderEpoch: 0, PartitionEpoch: 0},
		want: "010300" + "00000000" + uuidHex + "01" + "01" + "01" + "01" + "ffffffff" + "00000000" + "00000000" +
			"01" + "00" + "01" + "01", // one tagged field: tag 0 (LeaderRecoveryState), size 1, value 1
	}, {
		name: "FeatureLevelRecord",
		rec:  &FeatureLevelRecord{Name: "metadata.version", FeatureLevel: 21},
		want: "01" + "0c" + "00" + // frame version 1, apiKey 12, version 0
			"11" + "6d657461646174612e76657273696f6e" + // Name: length 16 + 1 = 0x11, "metadata.version"
			"0015" + // FeatureLevel 21
			"00", // no tagged fields
	}}
	for _, tc := range tests {
		got := hex.EncodeToString(EncodeRecord(tc.rec))
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		want, _ := hex.DecodeString(tc.want)
		rec, err := DecodeRecord(want)
		if err != nil {
			t.Fatalf("%s: decode golden bytes: %v", tc.name, err)
		}
		if !reflect.DeepEqual(rec, tc.rec) {
			t.Errorf("%s: decoded %#v, want %#v", tc.name, rec, tc.rec)
		}
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	topic := EncodeRecord(&TopicRecord{Name: "foo", TopicID: testTopicID})
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "frame"},
		{"frame version", append([]byte{2}, topic[1:]...), "frame version 2"},
		{"unknown apiKey", []byte{1, 6, 0, 0}, "unknown apiKey 6"},
		{"apiKey beyond int16", []byte{1, 0x82, 0x80, 0x04, 0}, "unknown apiKey"},
		{"version too new", []byte{1, 2, 1, 0}, "TOPIC_RECORD (apiKey 2): unsupported version 1"},
		{"truncated", topic[:len(topic)-3], "TOPIC_RECORD (apiKey 2) v0"},
		{"garbage after", append(append([]byte{}, topic...), 0), "garbage"},
		{"null non-nullable string", []byte{1, 2, 0, 0}, "is null"},
		{"null non-nullable array", append(append([]byte{1, 3, 0, 0, 0, 0, 1}, testTopicID[:]...), 0), "non-nullable array is null"},
		{"huge array", append(append([]byte{1, 3, 0, 0, 0, 0, 1}, testTopicID[:]...), 0xff, 0xff, 0xff, 0xff, 0x0f), "array length"},
		{"bad tag size", []byte{1, 23, 0, 1, 0, 9, 1}, "BEGIN_TRANSACTION_RECORD"},
	}
	for _, tc := range tests {
		_, err := DecodeRecord(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// TestDecodeSkipsUnknownTags checks forward compatibility: tags a version does not
// define are skipped.
func TestDecodeSkipsUnknownTags(t *testing.T) {
	// TopicRecord "a" with one unknown tag 7 of 2 bytes.
	b := append([]byte{1, 2, 0, 2, 'a'}, testTopicID[:]...)
	b = append(b, 1, 7, 2, 0xbe, 0xef)
	rec, err := DecodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := (&TopicRecord{Name: "a", TopicID: testTopicID}); !reflect.DeepEqual(rec, want) {
		t.Errorf("got %#v, want %#v", rec, want)
	}
	// Tag 8 (Directories) of PartitionChangeRecord v0 is unknown at v0 and skipped.
	pc := &PartitionChangeRecord{Version: 1, TopicID: testTopicID, Leader: NoLeaderChange, LeaderRecoveryState: -1, Directories: []Uuid{testTopicID}}
	b = EncodeRecord(pc)
	b[2] = 0
	rec, err = DecodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.(*PartitionChangeRecord); got.Directories != nil || got.Version != 0 {
		t.Errorf("v0 decoded Directories %v", got.Directories)
	}
}

func TestRecordJSON(t *testing.T) {
	b, err := RecordJSON(&TopicRecord{Name: "foo", TopicID: MetadataTopicID})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"TOPIC_RECORD","version":0,"data":{"name":"foo","topicId":"AAAAAAAAAAAAAAAAAAAAAQ"}}`; string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	b, err = RecordJSON(NewSnapshotHeader(77))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"SNAPSHOT_HEADER","version":0,"data":{"lastContainedLogTimestamp":77,"version":0}}`; string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	for _, rec := range sampleRecords() {
		if _, err := RecordJSON(rec); err != nil {
			t.Errorf("%T: %v", rec, err)
		}
	}
}

func TestRecordVersionFor(t *testing.T) {
	tests := []struct {
		key, mv, want int16
	}{
		{APIKeyRegisterBroker, 21, 3}, {APIKeyRegisterBroker, 16, 2}, {APIKeyRegisterBroker, 7, 1}, {APIKeyRegisterBroker, 6, 0},
		{APIKeyPartition, 17, 1}, {APIKeyPartition, 16, 0}, {APIKeyPartitionChange, 21, 1},
		{APIKeyBrokerRegistrationChange, 21, 2}, {APIKeyBrokerRegistrationChange, 8, 1}, {APIKeyBrokerRegistrationChange, 6, 0},
		{APIKeyTopic, 21, 0}, {APIKeyRegisterBroker, 0, 3},
	}
	for _, tc := range tests {
		if got := RecordVersionFor(tc.key, tc.mv); got != tc.want {
			t.Errorf("RecordVersionFor(%s, %d) = %d, want %d", RecordTypeName(tc.key), tc.mv, got, tc.want)
		}
	}
}
