// Package checker records what a Kafka workload was told and what it read, and checks
// that history for the anomalies Jepsen's Kafka workload looks for: acknowledged
// records lost or duplicated, acknowledged offsets out of order, committed offsets
// moving back, two records at one offset (two brokers taking writes for one partition),
// and controllers that disagree about the metadata. Each check returns violations
// with the operations that show them, so a failed test says what went wrong where.
//
// A history only holds what a client observed; the checks are as strong as the reads
// they are given. CheckAcked in particular assumes that the reads include one of every
// partition from its start to its end after the faults are healed.
package checker

import (
	"fmt"
	"sync"
	"time"
)

// Kind is what an operation was.
type Kind uint8

// The kinds of operations.
const (
	// Ack is a record the cluster acknowledged to a producer.
	Ack Kind = iota + 1
	// Read is a record a consumer read.
	Read
	// Commit is an offset the cluster accepted as a group's committed offset.
	Commit
)

// String names the kind as the evidence shows it.
func (k Kind) String() string {
	switch k {
	case Ack:
		return "ack"
	case Read:
		return "read"
	case Commit:
		return "commit"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Op is one observed operation. A record is known by its Value, which the workload
// makes unique across the history ("p1-17": producer p1's 17th record), so a read can
// be matched to the ack of the record it read.
type Op struct {
	// Seq is the operation's place in the history, given by the recorder.
	Seq  int
	Kind Kind
	Time time.Time
	// Process names the producer (Ack) or consumer (Read, Commit).
	Process string
	// Group is a Commit's consumer group.
	Group     string
	Topic     string
	Partition int32
	// Offset is the record's offset (Ack, Read) or the committed offset, the next one
	// to read (Commit).
	Offset int64
	Value  string
	// ProducerID and ProducerEpoch are an idempotent producer's, as the Ack's record
	// carried them; -1 when not known.
	ProducerID    int64
	ProducerEpoch int16
	// LeaderEpoch is the partition leader epoch the record was written in: a Read knows
	// it from its batch; an Ack only when the recorder learnt it. -1 when not known.
	LeaderEpoch int32
	// Broker is the broker that acknowledged an Ack; -1 when not known.
	Broker int32
}

// String shows an operation as evidence: its place, kind, process, partition, offset
// and what else it knows.
func (o Op) String() string {
	s := fmt.Sprintf("#%d %s %s %s/%d", o.Seq, o.Kind, o.Process, o.Topic, o.Partition)
	switch o.Kind {
	case Commit:
		return s + fmt.Sprintf(" group=%s offset=%d", o.Group, o.Offset)
	case Ack:
		s += fmt.Sprintf("@%d value=%q producer=%d/%d", o.Offset, o.Value, o.ProducerID, o.ProducerEpoch)
		if o.Broker >= 0 {
			s += fmt.Sprintf(" broker=%d", o.Broker)
		}
	default:
		s += fmt.Sprintf("@%d value=%q", o.Offset, o.Value)
	}
	if o.LeaderEpoch >= 0 {
		s += fmt.Sprintf(" leader-epoch=%d", o.LeaderEpoch)
	}
	return s
}

// History is a workload's operations in the order they were recorded; producers and
// consumers add to it from their own goroutines.
type History struct {
	mu  sync.Mutex
	ops []Op
}

// Add records an operation, giving it its place and, when it has none, the time.
func (h *History) Add(op Op) Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	op.Seq = len(h.ops)
	if op.Time.IsZero() {
		op.Time = time.Now()
	}
	h.ops = append(h.ops, op)
	return op
}

// Ops is a copy of the operations so far.
func (h *History) Ops() []Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Op(nil), h.ops...)
}
