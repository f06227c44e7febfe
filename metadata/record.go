package metadata

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
)

// Record is one KRaft metadata record (REC/*.json in Kafka). The concrete types are the
// *XxxRecord structs of this package and *ControlRecord; the unexported methods keep the
// set closed so every Record has a codec.
type Record interface {
	// APIKey is the record's apiKey in the metadata record table (-1 for ControlRecord).
	APIKey() int16
	// RecordVersion is the schema version the record is written with.
	RecordVersion() int16
	appendBody(dst []byte) []byte
	readBody(r *reader, version int16)
}

// The metadata record apiKeys (MetadataRecordType in Kafka 3.9). 6, 13 and 16 are unused.
const (
	APIKeyRegisterBroker            int16  = 0
	APIKeyUnregisterBroker          int16  = 1
	APIKeyTopic                     int16  = 2
	APIKeyPartition                 int16  = 3
	APIKeyConfig                    int16  = 4
	APIKeyPartitionChange           int16  = 5
	APIKeyFenceBroker               int16  = 7
	APIKeyUnfenceBroker             int16  = 8
	APIKeyRemoveTopic               int16  = 9
	APIKeyDelegationToken           int16  = 10
	APIKeyUserScramCredential       int16  = 11
	APIKeyFeatureLevel              int16  = 12
	APIKeyClientQuota               int16  = 14
	APIKeyProducerIds               int16  = 15
	APIKeyBrokerRegistrationChange  int16  = 17
	APIKeyAccessControlEntry        int16  = 18
	APIKeyRemoveAccessControlEntry  int16  = 19
	APIKeyNoOp                      int16  = 20
	APIKeyZkMigrationState          int16  = 21
	APIKeyRemoveUserScramCredential int16  = 22
	APIKeyBeginTransaction          int16  = 23
	APIKeyEndTransaction            int16  = 24
	APIKeyAbortTransaction          int16  = 25
	APIKeyRemoveDelegationToken     int16  = 26
	APIKeyRegisterController        int16  = 27
	APIKeyControl                   int16  = -1
	recordFrameVersion              uint32 = 1
)

// recordType describes one apiKey: Kafka's MetadataRecordType name (used in dumps), the
// highest version we read, and a constructor that applies the schema defaults.
type recordType struct {
	name       string
	maxVersion int16
	newRecord  func() Record
}

var recordTypes = map[int16]recordType{
	APIKeyRegisterBroker:            {"REGISTER_BROKER_RECORD", 3, func() Record { return NewRegisterBrokerRecord() }},
	APIKeyUnregisterBroker:          {"UNREGISTER_BROKER_RECORD", 0, func() Record { return new(UnregisterBrokerRecord) }},
	APIKeyTopic:                     {"TOPIC_RECORD", 0, func() Record { return new(TopicRecord) }},
	APIKeyPartition:                 {"PARTITION_RECORD", 2, func() Record { return NewPartitionRecord() }},
	APIKeyConfig:                    {"CONFIG_RECORD", 0, func() Record { return new(ConfigRecord) }},
	APIKeyPartitionChange:           {"PARTITION_CHANGE_RECORD", 2, func() Record { return NewPartitionChangeRecord() }},
	APIKeyFenceBroker:               {"FENCE_BROKER_RECORD", 0, func() Record { return new(FenceBrokerRecord) }},
	APIKeyUnfenceBroker:             {"UNFENCE_BROKER_RECORD", 0, func() Record { return new(UnfenceBrokerRecord) }},
	APIKeyRemoveTopic:               {"REMOVE_TOPIC_RECORD", 0, func() Record { return new(RemoveTopicRecord) }},
	APIKeyDelegationToken:           {"DELEGATION_TOKEN_RECORD", 0, func() Record { return new(DelegationTokenRecord) }},
	APIKeyUserScramCredential:       {"USER_SCRAM_CREDENTIAL_RECORD", 0, func() Record { return new(UserScramCredentialRecord) }},
	APIKeyFeatureLevel:              {"FEATURE_LEVEL_RECORD", 0, func() Record { return new(FeatureLevelRecord) }},
	APIKeyClientQuota:               {"CLIENT_QUOTA_RECORD", 0, func() Record { return new(ClientQuotaRecord) }},
	APIKeyProducerIds:               {"PRODUCER_IDS_RECORD", 0, func() Record { return NewProducerIdsRecord() }},
	APIKeyBrokerRegistrationChange:  {"BROKER_REGISTRATION_CHANGE_RECORD", 2, func() Record { return NewBrokerRegistrationChangeRecord() }},
	APIKeyAccessControlEntry:        {"ACCESS_CONTROL_ENTRY_RECORD", 0, func() Record { return new(AccessControlEntryRecord) }},
	APIKeyRemoveAccessControlEntry:  {"REMOVE_ACCESS_CONTROL_ENTRY_RECORD", 0, func() Record { return new(RemoveAccessControlEntryRecord) }},
	APIKeyNoOp:                      {"NO_OP_RECORD", 0, func() Record { return new(NoOpRecord) }},
	APIKeyZkMigrationState:          {"ZK_MIGRATION_STATE_RECORD", 0, func() Record { return new(ZkMigrationStateRecord) }},
	APIKeyRemoveUserScramCredential: {"REMOVE_USER_SCRAM_CREDENTIAL_RECORD", 0, func() Record { return new(RemoveUserScramCredentialRecord) }},
	APIKeyBeginTransaction:          {"BEGIN_TRANSACTION_RECORD", 0, func() Record { return new(BeginTransactionRecord) }},
	APIKeyEndTransaction:            {"END_TRANSACTION_RECORD", 0, func() Record { return new(EndTransactionRecord) }},
	APIKeyAbortTransaction:          {"ABORT_TRANSACTION_RECORD", 0, func() Record { return new(AbortTransactionRecord) }},
	APIKeyRemoveDelegationToken:     {"REMOVE_DELEGATION_TOKEN_RECORD", 0, func() Record { return new(RemoveDelegationTokenRecord) }},
	APIKeyRegisterController:        {"REGISTER_CONTROLLER_RECORD", 0, func() Record { return new(RegisterControllerRecord) }},
}

// RecordTypeName returns Kafka's MetadataRecordType name for apiKey (e.g. "TOPIC_RECORD"),
// or "UNKNOWN_<key>".
func RecordTypeName(apiKey int16) string {
	if t, ok := recordTypes[apiKey]; ok {
		return t.name
	}
	if apiKey == APIKeyControl {
		return "CONTROL_RECORD"
	}
	return fmt.Sprintf("UNKNOWN_%d", apiKey)
}

// NewRecord returns an empty record of apiKey with Kafka's schema defaults and the
// default write version, or an error for an apiKey we do not know.
func NewRecord(apiKey int16) (Record, error) {
	t, ok := recordTypes[apiKey]
	if !ok {
		return nil, fmt.Errorf("unknown metadata record apiKey %d", apiKey)
	}
	return t.newRecord(), nil
}

// EncodeRecord returns r as a metadata record value: frame version 1, apiKey and
// version as unsigned varints, then the body (AbstractApiMessageSerde). For a
// ControlRecord it returns the control record's value, which carries no such frame.
func EncodeRecord(r Record) []byte {
	if c, ok := r.(*ControlRecord); ok {
		return c.appendBody(nil)
	}
	dst := make([]byte, 0, 64)
	dst = kbin.AppendUvarint(dst, recordFrameVersion)
	dst = kbin.AppendUvarint(dst, uint32(r.APIKey()))
	dst = kbin.AppendUvarint(dst, uint32(r.RecordVersion()))
	return r.appendBody(dst)
}

// DecodeRecord parses one framed metadata record value. It never panics; errors name
// the apiKey and version being read.
func DecodeRecord(b []byte) (Record, error) {
	r := newReader(b)
	frame := r.Uvarint()
	key := r.Uvarint()
	version := r.Uvarint()
	if err := r.Complete(); err != nil {
		return nil, fmt.Errorf("decode metadata record frame: %w", err)
	}
	if frame != recordFrameVersion {
		return nil, fmt.Errorf("decode metadata record: frame version %d, want %d", frame, recordFrameVersion)
	}
	t, ok := recordTypes[int16(key)]
	if !ok || key > 0x7fff {
		return nil, fmt.Errorf("decode metadata record: unknown apiKey %d", key)
	}
	if version > uint32(t.maxVersion) {
		return nil, fmt.Errorf("decode %s (apiKey %d): unsupported version %d (max %d)", t.name, key, version, t.maxVersion)
	}
	rec := t.newRecord()
	rec.readBody(r, int16(version))
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode %s (apiKey %d) v%d: %w", t.name, key, version, err)
	}
	return rec, nil
}
