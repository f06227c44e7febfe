package checker

import "fmt"

// CheckOffsetConflicts finds an offset of a partition at which two different records
// were acknowledged or read. One log has one record per offset; two mean two logs of
// the partition took writes, as when an old leader cut off from the controllers goes
// on acknowledging acks=all writes while the new one does too: both assign the next
// offsets of the same log end, so their acknowledgements collide at the same offsets
// with different values. A read of a record the final log no longer holds at that
// offset shows it just the same.
func CheckOffsetConflicts(ops []Op) []Violation {
	records := newFirstOps[offsetKey, string]()
	for _, op := range ops {
		if op.Kind == Ack || op.Kind == Read {
			records.add(keyOf(op), op.Value, op)
		}
	}
	var out []Violation
	for _, k := range records.keys {
		evidence := records.variants(k)
		if len(evidence) < 2 {
			continue
		}
		var values []string
		for _, op := range evidence {
			values = append(values, op.Value)
		}
		out = append(out, Violation{Anomaly: OffsetConflict, Ops: evidence,
			Summary: fmt.Sprintf("%s/%d offset %d holds %d different records: %q", k.topic, k.partition, k.offset, len(values), values)})
	}
	return out
}
