package checker

import (
	"fmt"
	"slices"
)

// CheckAcked finds acknowledged records that the reads do not hold exactly once at the
// offset they were acknowledged at: lost (never read), duplicated (read at two
// offsets: an idempotent producer's retry written twice) and moved (read once, at
// another offset: the acknowledged offset was truncated away and the record written
// again). The reads must include one of every partition from its start to its end;
// records read but never acknowledged (a produce that timed out) are no violation.
func CheckAcked(ops []Op) []Violation {
	// Where each value was read, per partition; one offset read twice (by two
	// consumers, or after a rebalance) is one place.
	type place struct {
		partitionKey
		value string
	}
	reads := newFirstOps[place, int64]()
	for _, op := range ops {
		if op.Kind == Read {
			reads.add(place{partitionKey{op.Topic, op.Partition}, op.Value}, op.Offset, op)
		}
	}
	var out []Violation
	checked := map[place]bool{}
	for _, ack := range ops {
		p := place{partitionKey{ack.Topic, ack.Partition}, ack.Value}
		if ack.Kind != Ack || checked[p] {
			continue
		}
		checked[p] = true
		evidence := append([]Op{ack}, reads.variants(p)...)
		var offsets []int64
		for _, r := range evidence[1:] {
			offsets = append(offsets, r.Offset)
		}
		slices.Sort(offsets)
		switch {
		case len(offsets) == 0:
			out = append(out, Violation{Anomaly: Lost, Ops: evidence,
				Summary: fmt.Sprintf("%s's record %q acknowledged at %s/%d offset %d was never read", ack.Process, ack.Value, ack.Topic, ack.Partition, ack.Offset)})
		case len(offsets) > 1:
			out = append(out, Violation{Anomaly: Duplicated, Ops: evidence,
				Summary: fmt.Sprintf("%s's record %q is in %s/%d %d times, at offsets %v", ack.Process, ack.Value, ack.Topic, ack.Partition, len(offsets), offsets)})
		case offsets[0] != ack.Offset:
			out = append(out, Violation{Anomaly: Moved, Ops: evidence,
				Summary: fmt.Sprintf("%s's record %q acknowledged at %s/%d offset %d was read at offset %d", ack.Process, ack.Value, ack.Topic, ack.Partition, ack.Offset, offsets[0])})
		}
	}
	return out
}
