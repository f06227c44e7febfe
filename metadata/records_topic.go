package metadata

import "github.com/twmb/franz-go/pkg/kbin"

// TopicRecord (apiKey 2) creates a topic; its partitions follow as PartitionRecords.
type TopicRecord struct {
	Name    string `json:"name"`
	TopicID Uuid   `json:"topicId"`
}

// APIKey implements Record.
func (*TopicRecord) APIKey() int16 { return APIKeyTopic }

// RecordVersion implements Record.
func (*TopicRecord) RecordVersion() int16 { return 0 }

func (v *TopicRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactString(dst, v.Name)
	dst = kbin.AppendUuid(dst, v.TopicID)
	return appendNoTags(dst)
}

func (v *TopicRecord) readBody(r *reader, _ int16) {
	v.Name = r.str()
	v.TopicID = r.uuid()
	r.noTags()
}

// Partition leadership sentinels of PartitionRecord and PartitionChangeRecord.
const (
	NoLeader       int32 = -1
	NoLeaderChange int32 = -2
	// LeaderRecoveryStateNoChange is PartitionChangeRecord's "unchanged" value.
	LeaderRecoveryStateNoChange   int8 = -1
	LeaderRecoveryStateRecovered  int8 = 0
	LeaderRecoveryStateRecovering int8 = 1
)

// PartitionRecord (apiKey 3, v0-2) sets the full state of one partition. Build it with
// NewPartitionRecord: Kafka's defaults for Leader and the epochs are -1.
type PartitionRecord struct {
	// Version is the schema version to write: v1 adds Directories (KIP-858), v2 the
	// ELR fields (KIP-966). Fields newer than Version are not written.
	Version             int16   `json:"-"`
	PartitionID         int32   `json:"partitionId"`
	TopicID             Uuid    `json:"topicId"`
	Replicas            []int32 `json:"replicas"`
	ISR                 []int32 `json:"isr"`
	RemovingReplicas    []int32 `json:"removingReplicas"`
	AddingReplicas      []int32 `json:"addingReplicas"`
	Leader              int32   `json:"leader"`
	LeaderRecoveryState int8    `json:"leaderRecoveryState"`
	LeaderEpoch         int32   `json:"leaderEpoch"`
	PartitionEpoch      int32   `json:"partitionEpoch"`
	Directories         []Uuid  `json:"directories"`
	// EligibleLeaderReplicas and LastKnownELR are nullable (nil = null).
	EligibleLeaderReplicas []int32 `json:"eligibleLeaderReplicas"`
	LastKnownELR           []int32 `json:"lastKnownElr"`
}

// NewPartitionRecord returns a record with the schema defaults at the version the
// controller writes at MetadataVersionLatest.
func NewPartitionRecord() *PartitionRecord {
	return &PartitionRecord{Version: 1, PartitionID: -1, Leader: NoLeader, LeaderEpoch: -1, PartitionEpoch: -1}
}

// APIKey implements Record.
func (*PartitionRecord) APIKey() int16 { return APIKeyPartition }

// RecordVersion implements Record.
func (v *PartitionRecord) RecordVersion() int16 { return v.Version }

func (v *PartitionRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.PartitionID)
	dst = kbin.AppendUuid(dst, v.TopicID)
	dst = appendInt32s(dst, v.Replicas)
	dst = appendInt32s(dst, v.ISR)
	dst = appendInt32s(dst, v.RemovingReplicas)
	dst = appendInt32s(dst, v.AddingReplicas)
	dst = kbin.AppendInt32(dst, v.Leader)
	dst = kbin.AppendInt32(dst, v.LeaderEpoch)
	dst = kbin.AppendInt32(dst, v.PartitionEpoch)
	if v.Version >= 1 {
		dst = appendUuids(dst, v.Directories)
	}
	var tags []taggedField
	if v.LeaderRecoveryState != 0 {
		tags = append(tags, taggedField{0, kbin.AppendInt8(nil, v.LeaderRecoveryState)})
	}
	if v.Version >= 2 && v.EligibleLeaderReplicas != nil {
		tags = append(tags, taggedField{1, appendNullableInt32s(nil, v.EligibleLeaderReplicas)})
	}
	if v.Version >= 2 && v.LastKnownELR != nil {
		tags = append(tags, taggedField{2, appendNullableInt32s(nil, v.LastKnownELR)})
	}
	return appendTags(dst, tags)
}

func (v *PartitionRecord) readBody(r *reader, version int16) {
	v.Version = version
	v.PartitionID = r.Int32()
	v.TopicID = r.uuid()
	v.Replicas = r.int32s(false)
	v.ISR = r.int32s(false)
	v.RemovingReplicas = r.int32s(false)
	v.AddingReplicas = r.int32s(false)
	v.Leader = r.Int32()
	v.LeaderEpoch = r.Int32()
	v.PartitionEpoch = r.Int32()
	if version >= 1 {
		v.Directories = r.uuids(false)
	}
	r.tags(func(tag uint32, sub *reader) bool {
		switch {
		case tag == 0:
			v.LeaderRecoveryState = sub.Int8()
		case tag == 1 && version >= 2:
			v.EligibleLeaderReplicas = sub.int32s(true)
		case tag == 2 && version >= 2:
			v.LastKnownELR = sub.int32s(true)
		default:
			return false
		}
		return true
	})
}

// PartitionChangeRecord (apiKey 5, v0-2) is the delta of one partition: every field
// after TopicID is tagged and written only when it changes. Build it with
// NewPartitionChangeRecord: a zero Leader would mean "broker 0 leads", not "unchanged".
type PartitionChangeRecord struct {
	// Version is the schema version to write: v1 adds Directories, v2 the ELR fields.
	Version     int16 `json:"-"`
	PartitionID int32 `json:"partitionId"`
	TopicID     Uuid  `json:"topicId"`
	// ISR nil = unchanged.
	ISR []int32 `json:"isr"`
	// Leader is NoLeaderChange (-2), NoLeader (-1) or the new leader.
	Leader           int32   `json:"leader"`
	Replicas         []int32 `json:"replicas"`
	RemovingReplicas []int32 `json:"removingReplicas"`
	AddingReplicas   []int32 `json:"addingReplicas"`
	// LeaderRecoveryState is LeaderRecoveryStateNoChange (-1) or the new state.
	LeaderRecoveryState    int8    `json:"leaderRecoveryState"`
	Directories            []Uuid  `json:"directories"`
	EligibleLeaderReplicas []int32 `json:"eligibleLeaderReplicas"`
	LastKnownELR           []int32 `json:"lastKnownElr"`
}

// NewPartitionChangeRecord returns a record that changes nothing yet, at the version
// the controller writes at MetadataVersionLatest.
func NewPartitionChangeRecord() *PartitionChangeRecord {
	return &PartitionChangeRecord{Version: 1, PartitionID: -1, Leader: NoLeaderChange, LeaderRecoveryState: LeaderRecoveryStateNoChange}
}

// APIKey implements Record.
func (*PartitionChangeRecord) APIKey() int16 { return APIKeyPartitionChange }

// RecordVersion implements Record.
func (v *PartitionChangeRecord) RecordVersion() int16 { return v.Version }

func (v *PartitionChangeRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendInt32(dst, v.PartitionID)
	dst = kbin.AppendUuid(dst, v.TopicID)
	var tags []taggedField
	if v.ISR != nil {
		tags = append(tags, taggedField{0, appendNullableInt32s(nil, v.ISR)})
	}
	if v.Leader != NoLeaderChange {
		tags = append(tags, taggedField{1, kbin.AppendInt32(nil, v.Leader)})
	}
	if v.Replicas != nil {
		tags = append(tags, taggedField{2, appendNullableInt32s(nil, v.Replicas)})
	}
	if v.RemovingReplicas != nil {
		tags = append(tags, taggedField{3, appendNullableInt32s(nil, v.RemovingReplicas)})
	}
	if v.AddingReplicas != nil {
		tags = append(tags, taggedField{4, appendNullableInt32s(nil, v.AddingReplicas)})
	}
	if v.LeaderRecoveryState != LeaderRecoveryStateNoChange {
		tags = append(tags, taggedField{5, kbin.AppendInt8(nil, v.LeaderRecoveryState)})
	}
	if v.Version >= 2 && v.EligibleLeaderReplicas != nil {
		tags = append(tags, taggedField{6, appendNullableInt32s(nil, v.EligibleLeaderReplicas)})
	}
	if v.Version >= 2 && v.LastKnownELR != nil {
		tags = append(tags, taggedField{7, appendNullableInt32s(nil, v.LastKnownELR)})
	}
	if v.Version >= 1 && v.Directories != nil {
		tags = append(tags, taggedField{8, appendNullableUuids(nil, v.Directories)})
	}
	return appendTags(dst, tags)
}

func (v *PartitionChangeRecord) readBody(r *reader, version int16) {
	v.Version = version
	v.PartitionID = r.Int32()
	v.TopicID = r.uuid()
	r.tags(func(tag uint32, sub *reader) bool {
		switch {
		case tag == 0:
			v.ISR = sub.int32s(true)
		case tag == 1:
			v.Leader = sub.Int32()
		case tag == 2:
			v.Replicas = sub.int32s(true)
		case tag == 3:
			v.RemovingReplicas = sub.int32s(true)
		case tag == 4:
			v.AddingReplicas = sub.int32s(true)
		case tag == 5:
			v.LeaderRecoveryState = sub.Int8()
		case tag == 6 && version >= 2:
			v.EligibleLeaderReplicas = sub.int32s(true)
		case tag == 7 && version >= 2:
			v.LastKnownELR = sub.int32s(true)
		case tag == 8 && version >= 1:
			v.Directories = sub.uuids(true)
		default:
			return false
		}
		return true
	})
}

// RemoveTopicRecord (apiKey 9) deletes a topic with its partitions and configs.
type RemoveTopicRecord struct {
	TopicID Uuid `json:"topicId"`
}

// APIKey implements Record.
func (*RemoveTopicRecord) APIKey() int16 { return APIKeyRemoveTopic }

// RecordVersion implements Record.
func (*RemoveTopicRecord) RecordVersion() int16 { return 0 }

func (v *RemoveTopicRecord) appendBody(dst []byte) []byte {
	return appendNoTags(kbin.AppendUuid(dst, v.TopicID))
}

func (v *RemoveTopicRecord) readBody(r *reader, _ int16) {
	v.TopicID = r.uuid()
	r.noTags()
}
