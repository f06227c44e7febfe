package checker

import (
	"fmt"
	"strings"
)

// Anomaly names a kind of violation, so a test can tell which one it got.
type Anomaly string

// The anomalies the checks find.
const (
	Lost            Anomaly = "lost"
	Duplicated      Anomaly = "duplicated"
	Moved           Anomaly = "moved"
	AckOrder        Anomaly = "ack-order"
	CommitRegressed Anomaly = "commit-regressed"
	OffsetConflict  Anomaly = "offset-conflict"
	EpochLeaders    Anomaly = "epoch-leaders"
	ImageDiffers    Anomaly = "image-differs"
)

// Violation is one anomaly: what it is, and the evidence: the operations that show it,
// or for metadata images the lines that differ.
type Violation struct {
	Anomaly Anomaly
	Summary string
	Ops     []Op
	Lines   []string
}

// String shows the anomaly, its summary and the evidence, one item per line.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", v.Anomaly, v.Summary)
	for _, op := range v.Ops {
		fmt.Fprintf(&b, "\n  %s", op)
	}
	for _, l := range v.Lines {
		fmt.Fprintf(&b, "\n  %s", l)
	}
	return b.String()
}

// Report renders violations one after the other, for a test's failure message; "no
// violations" when there are none.
func Report(vs []Violation) string {
	if len(vs) == 0 {
		return "no violations"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return fmt.Sprintf("%d violations:\n%s", len(vs), strings.Join(parts, "\n"))
}

// partitionKey names a topic partition.
type partitionKey struct {
	topic     string
	partition int32
}

// offsetKey names one offset of a partition.
type offsetKey struct {
	partitionKey
	offset int64
}

func keyOf(op Op) offsetKey {
	return offsetKey{partitionKey{op.Topic, op.Partition}, op.Offset}
}
