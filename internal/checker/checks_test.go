package checker

import (
	"strings"
	"testing"
)

const topic = "t"

func ack(producer string, partition int32, offset int64, value string) Op {
	return Op{Kind: Ack, Process: producer, Topic: topic, Partition: partition, Offset: offset, Value: value,
		ProducerID: 1, ProducerEpoch: 0, LeaderEpoch: -1, Broker: -1}
}

// ackBy is an ack whose broker the recorder knew.
func ackBy(producer string, broker int32, offset int64, value string) Op {
	op := ack(producer, 0, offset, value)
	op.Broker = broker
	return op
}

func read(consumer string, partition int32, offset int64, value string, epoch int32) Op {
	return Op{Kind: Read, Process: consumer, Topic: topic, Partition: partition, Offset: offset, Value: value,
		ProducerID: 1, LeaderEpoch: epoch, Broker: -1}
}

func commit(group string, partition int32, offset int64) Op {
	return Op{Kind: Commit, Process: "c", Group: group, Topic: topic, Partition: partition, Offset: offset,
		ProducerID: -1, ProducerEpoch: -1, LeaderEpoch: -1, Broker: -1}
}

// history records the operations in order, as a workload would.
func history(ops ...Op) []Op {
	var h History
	for _, op := range ops {
		h.Add(op)
	}
	return h.Ops()
}

// expect checks that a check found exactly the anomalies wanted, in order, each with
// evidence naming the given values.
func expect(t *testing.T, got []Violation, want ...Anomaly) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %s\nwant %v", Report(got), want)
	}
	for i, v := range got {
		if v.Anomaly != want[i] || len(v.Ops)+len(v.Lines) == 0 || v.Summary == "" {
			t.Fatalf("violation %d: %s, want %s with evidence", i, v, want[i])
		}
	}
}

// evidenceHas fails unless the violation's evidence names every value.
func evidenceHas(t *testing.T, v Violation, values ...string) {
	t.Helper()
	s := v.String()
	for _, want := range values {
		if !strings.Contains(s, want) {
			t.Fatalf("evidence of %s does not name %q", s, want)
		}
	}
}

func TestCheckAcked(t *testing.T) {
	// Every ack read once at its offset: a record read by two consumers and a record
	// read but never acknowledged (its produce timed out) are fine.
	expect(t, CheckAcked(history(
		ack("p1", 0, 0, "p1-0"), ack("p1", 0, 1, "p1-1"), ack("p2", 1, 0, "p2-0"),
		read("c1", 0, 0, "p1-0", 0), read("c1", 0, 1, "p1-1", 0), read("c2", 0, 1, "p1-1", 0),
		read("c1", 0, 2, "p1-2", 0), read("c1", 1, 0, "p2-0", 0),
	)))

	lost := CheckAcked(history(ack("p1", 0, 0, "p1-0"), ack("p1", 0, 1, "p1-1"), read("c", 0, 0, "p1-0", 0)))
	expect(t, lost, Lost)
	evidenceHas(t, lost[0], `"p1-1"`, "#1 ack")

	// Read in another partition only is lost from its own.
	expect(t, CheckAcked(history(ack("p1", 0, 0, "p1-0"), read("c", 1, 0, "p1-0", 0))), Lost)

	dup := CheckAcked(history(ack("p1", 0, 0, "p1-0"), read("c", 0, 0, "p1-0", 0), read("c", 0, 3, "p1-0", 1)))
	expect(t, dup, Duplicated)
	evidenceHas(t, dup[0], "[0 3]", "t/0@3")

	moved := CheckAcked(history(ack("p1", 0, 4, "p1-0"), read("c", 0, 7, "p1-0", 2)))
	expect(t, moved, Moved)
	evidenceHas(t, moved[0], "offset 4", "offset 7")
}

func TestCheckAckOrder(t *testing.T) {
	// Two producers interleave in one partition; each one's offsets increase.
	expect(t, CheckAckOrder(history(
		ack("p1", 0, 0, "a"), ack("p2", 0, 1, "b"), ack("p1", 0, 2, "c"), ack("p2", 0, 3, "d"),
		ack("p1", 1, 0, "e"),
	)))
	back := CheckAckOrder(history(ack("p1", 0, 5, "a"), ack("p1", 0, 6, "b"), ack("p1", 0, 3, "c")))
	expect(t, back, AckOrder)
	evidenceHas(t, back[0], "from offset 6 back to 3", `"b"`, `"c"`)
	// The same offset twice is out of order too: two records cannot share it.
	expect(t, CheckAckOrder(history(ack("p1", 0, 5, "a"), ack("p1", 0, 5, "b"))), AckOrder)
}

func TestCheckCommits(t *testing.T) {
	expect(t, CheckCommits(history(
		commit("g", 0, 10), commit("g", 0, 10), commit("g", 0, 12), commit("h", 0, 3), commit("g", 1, 0),
	)))
	back := CheckCommits(history(commit("g", 0, 10), commit("g", 1, 4), commit("g", 0, 7)))
	expect(t, back, CommitRegressed)
	evidenceHas(t, back[0], "from 10 to 7", "group=g offset=10", "group=g offset=7")
}

func TestCheckOffsetConflicts(t *testing.T) {
	// The ack and every read agree on each offset.
	expect(t, CheckOffsetConflicts(history(
		ack("p1", 0, 0, "a"), read("c", 0, 0, "a", 0), read("d", 0, 0, "a", 0), ack("p1", 1, 0, "b"),
	)))
	// Two brokers took acks=all writes for one partition: the stale leader and the new
	// one both acknowledged offset 5, with different records.
	split := CheckOffsetConflicts(history(ackBy("p1", 101, 5, "p1-5"), ackBy("p2", 102, 5, "p2-9")))
	expect(t, split, OffsetConflict)
	evidenceHas(t, split[0], "offset 5 holds 2 different records", "broker=101", "broker=102")
	// A consumer read a record that the log later held another one in place of.
	expect(t, CheckOffsetConflicts(history(read("c", 0, 3, "x", 1), read("c", 0, 3, "y", 2))), OffsetConflict)
}

func TestCheckEpochLeaders(t *testing.T) {
	expect(t, CheckEpochLeaders(history(
		ackBy("p", 101, 0, "a"), ackBy("p", 101, 1, "b"), ackBy("p", 102, 2, "c"),
		read("c", 0, 0, "a", 1), read("c", 0, 1, "b", 1), read("c", 0, 2, "c", 2),
		// An ack of no known broker, or whose epoch nothing tells, is not judged.
		ack("p", 0, 3, "d"), ackBy("p", 103, 4, "e"),
	)))
	two := CheckEpochLeaders(history(
		ackBy("p", 101, 0, "a"), ackBy("p", 102, 1, "b"),
		read("c", 0, 0, "a", 4), read("c", 0, 1, "b", 4),
	))
	expect(t, two, EpochLeaders)
	evidenceHas(t, two[0], "brokers [101 102]", "leader epoch 4")
	// The ack's own epoch, when the recorder knew it, counts without a read.
	own1, own2 := ackBy("p", 101, 0, "a"), ackBy("p", 102, 1, "b")
	own1.LeaderEpoch, own2.LeaderEpoch = 7, 7
	expect(t, CheckEpochLeaders(history(own1, own2)), EpochLeaders)
}

// TestCheckAllSplitBrain: the history of a stale leader that kept acknowledging shows
// its acknowledged record lost and its offset taken twice.
func TestCheckAllSplitBrain(t *testing.T) {
	got := CheckAll(history(
		ack("p1", 0, 0, "p1-0"),
		ackBy("p1", 101, 1, "p1-1"), // the stale leader, cut off, still acknowledges
		ackBy("p2", 102, 1, "p2-0"), // the new leader writes offset 1 too
		read("final", 0, 0, "p1-0", 0), read("final", 0, 1, "p2-0", 1),
	))
	expect(t, got, Lost, OffsetConflict)
}
