package checker

import "fmt"

// CheckAckOrder finds a producer's acknowledgements for one partition whose offsets do
// not increase in the order they came: an idempotent producer's records land in the
// order it sent them, and its acknowledgements come in that order, so a later ack at a
// lower (or the same) offset means the log and the producer disagree on the order.
func CheckAckOrder(ops []Op) []Violation {
	type stream struct {
		producer string
		partitionKey
	}
	var out []Violation
	for _, p := range backwards(ops, Ack, func(op Op) stream { return stream{op.Process, partitionKey{op.Topic, op.Partition}} }, true) {
		out = append(out, Violation{Anomaly: AckOrder, Ops: p[:],
			Summary: fmt.Sprintf("%s's acknowledgements for %s/%d went from offset %d back to %d", p[1].Process, p[1].Topic, p[1].Partition, p[0].Offset, p[1].Offset)})
	}
	return out
}

// CheckCommits finds a group's committed offset for a partition moving back: once the
// coordinator accepted offset N, accepting a lower one later would make the group read
// again what it had already consumed.
func CheckCommits(ops []Op) []Violation {
	type groupPartition struct {
		group string
		partitionKey
	}
	var out []Violation
	for _, p := range backwards(ops, Commit, func(op Op) groupPartition { return groupPartition{op.Group, partitionKey{op.Topic, op.Partition}} }, false) {
		out = append(out, Violation{Anomaly: CommitRegressed, Ops: p[:],
			Summary: fmt.Sprintf("group %s's committed offset for %s/%d moved back from %d to %d", p[1].Group, p[1].Topic, p[1].Partition, p[0].Offset, p[1].Offset)})
	}
	return out
}
