package group

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// The schema versions Kafka writes to __consumer_offsets (3.x): lag monitors and
// kafka-dump-log decode these exact layouts, so they are not ours to choose.
const (
	offsetCommitKeyVersion    = 1
	offsetCommitValueVersion  = 3
	groupMetadataKeyVersion   = 2
	groupMetadataValueVersion = 3
)

// OffsetKey names one committed offset.
type OffsetKey struct {
	Group     string
	Topic     string
	Partition int32
}

// CommittedOffset is one committed offset as OffsetCommitValue stores it.
type CommittedOffset struct {
	Offset          int64
	LeaderEpoch     int32 // -1 when the client did not send one
	Metadata        string
	CommitTimestamp int64 // unix ms
	ExpireTimestamp int64 // unix ms; only v1 values carry one, -1 otherwise
}

// EncodeOffsetKey writes OffsetCommitKey v1.
func EncodeOffsetKey(k OffsetKey) []byte {
	v := kmsg.OffsetCommitKey{Version: offsetCommitKeyVersion, Group: k.Group, Topic: k.Topic, Partition: k.Partition}
	return v.AppendTo(nil)
}

// EncodeOffsetValue writes OffsetCommitValue v3, or v1 when the commit carried an
// explicit expire timestamp (OffsetCommit v1), as Kafka does.
func EncodeOffsetValue(o CommittedOffset) []byte {
	v := kmsg.OffsetCommitValue{
		Version:         offsetCommitValueVersion,
		Offset:          o.Offset,
		LeaderEpoch:     o.LeaderEpoch,
		Metadata:        o.Metadata,
		CommitTimestamp: o.CommitTimestamp,
	}
	if o.ExpireTimestamp >= 0 {
		v.Version = 1
		v.ExpireTimestamp = o.ExpireTimestamp
	}
	return v.AppendTo(nil)
}

// EncodeGroupMetadataKey writes GroupMetadataKey v2.
func EncodeGroupMetadataKey(group string) []byte {
	v := kmsg.GroupMetadataKey{Version: groupMetadataKeyVersion, Group: group}
	return v.AppendTo(nil)
}

// EncodeGroupMetadataValue writes GroupMetadataValue v3; v's Version is overwritten.
func EncodeGroupMetadataValue(v *kmsg.GroupMetadataValue) []byte {
	v.Version = groupMetadataValueVersion
	return v.AppendTo(nil)
}

// logRecord is one decoded __consumer_offsets record. Exactly one of offset and
// group is set; a nil value is a tombstone.
type logRecord struct {
	offsetKey *OffsetKey
	offset    *CommittedOffset
	groupKey  string
	isGroup   bool
	group     *kmsg.GroupMetadataValue
}

// decodeRecord reads a key and value of any version Kafka has written: offset keys are
// versions 0-1, the group metadata key is version 2.
func decodeRecord(key, value []byte) (logRecord, error) {
	if len(key) < 2 {
		return logRecord{}, fmt.Errorf("__consumer_offsets key of %d bytes", len(key))
	}
	switch version := int16(binary.BigEndian.Uint16(key)); version {
	case 0, 1:
		var k kmsg.OffsetCommitKey
		if err := k.ReadFrom(key); err != nil {
			return logRecord{}, fmt.Errorf("decode OffsetCommitKey v%d: %w", version, err)
		}
		rec := logRecord{offsetKey: &OffsetKey{Group: k.Group, Topic: k.Topic, Partition: k.Partition}}
		if value == nil {
			return rec, nil
		}
		var v kmsg.OffsetCommitValue
		if err := v.ReadFrom(value); err != nil {
			return logRecord{}, fmt.Errorf("decode OffsetCommitValue of %s/%s-%d: %w", k.Group, k.Topic, k.Partition, err)
		}
		if v.Version < 3 {
			v.LeaderEpoch = -1
		}
		if v.Version != 1 {
			v.ExpireTimestamp = -1
		}
		rec.offset = &CommittedOffset{
			Offset: v.Offset, LeaderEpoch: v.LeaderEpoch, Metadata: v.Metadata,
			CommitTimestamp: v.CommitTimestamp, ExpireTimestamp: v.ExpireTimestamp,
		}
		return rec, nil
	case 2:
		var k kmsg.GroupMetadataKey
		if err := k.ReadFrom(key); err != nil {
			return logRecord{}, fmt.Errorf("decode GroupMetadataKey: %w", err)
		}
		rec := logRecord{isGroup: true, groupKey: k.Group}
		if value == nil {
			return rec, nil
		}
		var v kmsg.GroupMetadataValue
		if err := v.ReadFrom(value); err != nil {
			return logRecord{}, fmt.Errorf("decode GroupMetadataValue of %s: %w", k.Group, err)
		}
		rec.group = &v
		return rec, nil
	default:
		return logRecord{}, fmt.Errorf("unknown __consumer_offsets key version %d", version)
	}
}
