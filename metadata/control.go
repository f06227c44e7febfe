package metadata

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
)

// Control record types (ControlRecordType.java) that appear in the metadata log and in
// snapshots.
const (
	ControlLeaderChange   int16 = 2
	ControlSnapshotHeader int16 = 3
	ControlSnapshotFooter int16 = 4
	ControlKRaftVersion   int16 = 5
	ControlKRaftVoters    int16 = 6
)

// ControlRecord is one record of a control batch: Raft's own bookkeeping (leader
// changes, snapshot header and footer), which Image.Apply ignores but a dump shows.
// Its key is (version 0, Type); its Value is the message version (int16) then the body.
type ControlRecord struct {
	Type int16
	// Value is the record value as stored; types this package does not model
	// (KRAFT_VERSION, KRAFT_VOTERS) are kept only here.
	Value []byte
	// LeaderID, Voters and GrantingVoters are LEADER_CHANGE's fields.
	LeaderID       int32
	Voters         []int32
	GrantingVoters []int32
	// LastContainedLogTimestamp is SNAPSHOT_HEADER's field.
	LastContainedLogTimestamp int64
}

// NewSnapshotHeader returns the record that opens every snapshot.
func NewSnapshotHeader(lastContainedLogTimestamp int64) *ControlRecord {
	c := &ControlRecord{Type: ControlSnapshotHeader, LastContainedLogTimestamp: lastContainedLogTimestamp}
	v := kbin.AppendInt16(nil, 0) // message version
	v = kbin.AppendInt16(v, 0)    // SnapshotHeaderRecord.Version
	v = kbin.AppendInt64(v, lastContainedLogTimestamp)
	c.Value = appendNoTags(v)
	return c
}

// NewSnapshotFooter returns the record that closes every snapshot.
func NewSnapshotFooter() *ControlRecord {
	v := kbin.AppendInt16(nil, 0)
	v = kbin.AppendInt16(v, 0) // SnapshotFooterRecord.Version
	return &ControlRecord{Type: ControlSnapshotFooter, Value: appendNoTags(v)}
}

// NewLeaderChange returns the record a new Raft leader writes first in its epoch.
func NewLeaderChange(leaderID int32, voters, grantingVoters []int32) *ControlRecord {
	c := &ControlRecord{Type: ControlLeaderChange, LeaderID: leaderID, Voters: voters, GrantingVoters: grantingVoters}
	v := kbin.AppendInt16(nil, 0)
	v = kbin.AppendInt16(v, 0) // LeaderChangeMessage.Version
	v = kbin.AppendInt32(v, leaderID)
	v = appendVoters(v, voters)
	v = appendVoters(v, grantingVoters)
	c.Value = appendNoTags(v)
	return c
}

// ControlTypeName is the ControlRecordType name of t, for dumps.
func ControlTypeName(t int16) string {
	switch t {
	case 0:
		return "ABORT"
	case 1:
		return "COMMIT"
	case ControlLeaderChange:
		return "LEADER_CHANGE"
	case ControlSnapshotHeader:
		return "SNAPSHOT_HEADER"
	case ControlSnapshotFooter:
		return "SNAPSHOT_FOOTER"
	case ControlKRaftVersion:
		return "KRAFT_VERSION"
	case ControlKRaftVoters:
		return "KRAFT_VOTERS"
	}
	return fmt.Sprintf("UNKNOWN_%d", t)
}

// APIKey implements Record; control records have no metadata apiKey.
func (*ControlRecord) APIKey() int16 { return APIKeyControl }

// RecordVersion implements Record: the message version at the start of Value.
func (c *ControlRecord) RecordVersion() int16 {
	if len(c.Value) < 2 {
		return 0
	}
	return int16(binary.BigEndian.Uint16(c.Value))
}

func (c *ControlRecord) appendBody(dst []byte) []byte { return append(dst, c.Value...) }

// readBody keeps the whole value and decodes the fields of the version-0 messages this
// package models.
func (c *ControlRecord) readBody(r *reader, _ int16) {
	c.Value = append([]byte(nil), r.Src...)
	if r.Int16() != 0 {
		r.Src = nil
		return
	}
	switch c.Type {
	case ControlSnapshotHeader:
		r.Int16()
		c.LastContainedLogTimestamp = r.Int64()
		r.noTags()
	case ControlSnapshotFooter:
		r.Int16()
		r.noTags()
	case ControlLeaderChange:
		r.Int16()
		c.LeaderID = r.Int32()
		c.Voters = readVoters(r)
		c.GrantingVoters = readVoters(r)
		r.noTags()
	default:
		r.Src = nil
	}
}

// decodeControl parses a control record from its key and value.
func decodeControl(key, value []byte) (*ControlRecord, error) {
	kr := newReader(key)
	kr.Int16() // key version, 0 in every Kafka release
	c := &ControlRecord{Type: kr.Int16()}
	if err := kr.done(); err != nil {
		return nil, fmt.Errorf("decode control record key: %w", err)
	}
	r := newReader(value)
	c.readBody(r, 0)
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("decode %s control record: %w", ControlTypeName(c.Type), err)
	}
	return c, nil
}

// controlKey is the key of a control record of type t.
func controlKey(t int16) []byte { return kbin.AppendInt16(kbin.AppendInt16(nil, 0), t) }

// appendVoters writes LeaderChangeMessage's []Voter (each a VoterId and no tags).
func appendVoters(dst []byte, ids []int32) []byte {
	dst = kbin.AppendCompactArrayLen(dst, len(ids))
	for _, id := range ids {
		dst = appendNoTags(kbin.AppendInt32(dst, id))
	}
	return dst
}

func readVoters(r *reader) []int32 {
	n := r.arrayLen(false)
	var out []int32
	for i := 0; i < n && r.ok(); i++ {
		out = append(out, r.Int32())
		r.noTags()
	}
	return out
}
