package metadata

import (
	"encoding/json"
	"fmt"
)

// recordJSON is the shape kafka-dump-log --cluster-metadata-decoder prints a record in.
type recordJSON struct {
	Type    string `json:"type"`
	Version int16  `json:"version"`
	Data    any    `json:"data"`
}

// RecordJSON renders r as kafka-dump-log's metadata decoder does, e.g.
// {"type":"TOPIC_RECORD","version":0,"data":{"name":"foo","topicId":"..."}}, with
// Kafka's field names. Fields a record's version lacks are shown at their defaults.
// Control records render with their ControlRecordType name.
func RecordJSON(r Record) ([]byte, error) {
	out := recordJSON{Type: RecordTypeName(r.APIKey()), Version: r.RecordVersion(), Data: r}
	if c, ok := r.(*ControlRecord); ok {
		out.Type = ControlTypeName(c.Type)
		out.Data = controlJSON(c)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("render %s as json: %w", out.Type, err)
	}
	return b, nil
}

// controlJSON is the data of a control record, in the field names of Kafka's
// LeaderChangeMessage, SnapshotHeaderRecord and SnapshotFooterRecord schemas.
func controlJSON(c *ControlRecord) any {
	type voter struct {
		VoterID int32 `json:"voterId"`
	}
	voters := func(ids []int32) []voter {
		out := make([]voter, 0, len(ids))
		for _, id := range ids {
			out = append(out, voter{id})
		}
		return out
	}
	if c.RecordVersion() != 0 {
		return map[string]any{"value": c.Value}
	}
	switch c.Type {
	case ControlLeaderChange:
		return map[string]any{"version": 0, "leaderId": c.LeaderID, "voters": voters(c.Voters), "grantingVoters": voters(c.GrantingVoters)}
	case ControlSnapshotHeader:
		return map[string]any{"version": 0, "lastContainedLogTimestamp": c.LastContainedLogTimestamp}
	case ControlSnapshotFooter:
		return map[string]any{"version": 0}
	}
	return map[string]any{"value": c.Value}
}
