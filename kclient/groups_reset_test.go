package kclient

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// emptyGroupBehind leaves group "app" Empty with 5 committed on both
// partitions of "orders" while the log ends at 8 and 5.
func emptyGroupBehind(t *testing.T) Conn {
	t.Helper()
	conn := startCluster(t, 2, "orders")
	produceTo(t, conn, "orders", 0, 5)
	produceTo(t, conn, "orders", 1, 5)
	m := joinGroup(t, conn, "app", "orders", kgo.NewOffset().AtStart())
	m.poll(10)
	m.commit()
	m.Leave()
	waitGroupState(t, conn, "app", "Empty")
	produceTo(t, conn, "orders", 0, 3)
	return conn
}

// planOf runs a reset with JSON output and returns "topic-partition=offset"
// pairs in order.
func planOf(t *testing.T, o ResetOffsetsOptions) string {
	t.Helper()
	var out strings.Builder
	o.JSON = true
	if err := ResetOffsets(testContext(t), &out, o); err != nil {
		t.Fatalf("reset %+v: %v", o, err)
	}
	var resets []OffsetReset
	if err := json.Unmarshal([]byte(out.String()), &resets); err != nil {
		t.Fatalf("reset json: %v\n%s", err, out.String())
	}
	var pairs []string
	for _, r := range resets {
		pairs = append(pairs, fmt.Sprintf("%s-%d=%d", r.Topic, r.Partition, r.NewOffset))
	}
	return strings.Join(pairs, " ")
}

func int64p(n int64) *int64 { return &n }

// TestGroupResetOffsetsToEarliestRereads is issue 3's acceptance 4, second
// half: the dry run changes nothing, --execute makes the next consumer of the
// group start again from the beginning.
func TestGroupResetOffsetsToEarliestRereads(t *testing.T) {
	conn := emptyGroupBehind(t)
	var out strings.Builder
	o := ResetOffsetsOptions{Conn: conn, Groups: []string{"app"}, Topics: []string{"orders"}, ToEarliest: true}
	if err := ResetOffsets(testContext(t), &out, o); err != nil {
		t.Fatalf("reset --dry-run: %v", err)
	}
	want := "\n" +
		"GROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n" +
		"app                            orders                         0          0              \n" +
		"app                            orders                         1          0              \n"
	if out.String() != want {
		t.Fatalf("reset --dry-run printed\n%q\nwant\n%q", out.String(), want)
	}
	if got := committedOffsets(t, conn, "app"); got["orders-0"] != 5 || got["orders-1"] != 5 {
		t.Fatalf("dry run changed the committed offsets: %v", got)
	}

	o.Execute = true
	out.Reset()
	if err := ResetOffsets(testContext(t), &out, o); err != nil || out.String() != want {
		t.Fatalf("reset --execute printed %q (%v)", out.String(), err)
	}
	if got := committedOffsets(t, conn, "app"); got["orders-0"] != 0 || got["orders-1"] != 0 {
		t.Fatalf("committed after --execute: %v", got)
	}
	// AtEnd proves the consumer started from the reset commits, not from its
	// auto.offset.reset.
	m := joinGroup(t, conn, "app", "orders", kgo.NewOffset().AtEnd())
	got := m.poll(13)
	if len(got[0]) != 8 || got[0][0] != 0 || len(got[1]) != 5 || got[1][0] != 0 {
		t.Fatalf("after reset the consumer read %v", got)
	}
}

// TestGroupResetOffsetsScenarios checks each scenario's plan, including
// Kafka's clamping to [log start, log end].
func TestGroupResetOffsetsScenarios(t *testing.T) {
	conn := emptyGroupBehind(t)
	base := ResetOffsetsOptions{Conn: conn, Groups: []string{"app"}, Topics: []string{"orders"}}
	for _, c := range []struct {
		name string
		set  func(*ResetOffsetsOptions)
		want string
	}{
		{"to-latest", func(o *ResetOffsetsOptions) { o.ToLatest = true }, "orders-0=8 orders-1=5"},
		{"to-current", func(o *ResetOffsetsOptions) { o.ToCurrent = true }, "orders-0=5 orders-1=5"},
		{"to-offset in range", func(o *ResetOffsetsOptions) { o.ToOffset = int64p(2) }, "orders-0=2 orders-1=2"},
		{"to-offset past the end", func(o *ResetOffsetsOptions) { o.ToOffset = int64p(100) }, "orders-0=8 orders-1=5"},
		{"to-offset one partition", func(o *ResetOffsetsOptions) { o.Topics = []string{"orders:1"}; o.ToOffset = int64p(3) }, "orders-1=3"},
		{"shift-by forward", func(o *ResetOffsetsOptions) { o.ShiftBy = int64p(2) }, "orders-0=7 orders-1=5"},
		{"shift-by before the start", func(o *ResetOffsetsOptions) { o.ShiftBy = int64p(-100) }, "orders-0=0 orders-1=0"},
		{"to-datetime in the future", func(o *ResetOffsetsOptions) { o.ToDatetime = "2999-01-01T00:00:00.000" }, "orders-0=8 orders-1=5"},
		{"to-datetime in the past", func(o *ResetOffsetsOptions) { o.ToDatetime = "2000-01-01T00:00:00.000Z" }, "orders-0=0 orders-1=0"},
		{"by-duration", func(o *ResetOffsetsOptions) { o.ByDuration = "PT1H" }, "orders-0=0 orders-1=0"},
		{"all-topics", func(o *ResetOffsetsOptions) { o.Topics = nil; o.AllTopics = true; o.ToEarliest = true }, "orders-0=0 orders-1=0"},
	} {
		o := base
		c.set(&o)
		if got := planOf(t, o); got != c.want {
			t.Errorf("%s: plan %q, want %q", c.name, got, c.want)
		}
	}
	if got := committedOffsets(t, conn, "app"); got["orders-0"] != 5 || got["orders-1"] != 5 {
		t.Fatalf("dry runs changed the committed offsets: %v", got)
	}
}

// TestGroupResetOffsetsErrors covers refusals that must leave offsets alone,
// and resetting a group that does not exist yet.
func TestGroupResetOffsetsErrors(t *testing.T) {
	conn := emptyGroupBehind(t)
	ctx := testContext(t)
	var out strings.Builder
	for _, c := range []struct {
		o    ResetOffsetsOptions
		want string
	}{
		{ResetOffsetsOptions{Groups: []string{"app"}, Topics: []string{"orders:7"}, ToEarliest: true}, `the partitions "orders-7" do not exist`},
		{ResetOffsetsOptions{Groups: []string{"app"}, Topics: []string{"nope"}, ToEarliest: true}, "UNKNOWN_TOPIC_OR_PARTITION"},
		{ResetOffsetsOptions{Groups: []string{"fresh"}, Topics: []string{"orders"}, ShiftBy: int64p(1)}, "no current committed offset"},
		{ResetOffsetsOptions{Groups: []string{"app"}, Topics: []string{"orders"}}, "exactly one of --to-earliest"},
		{ResetOffsetsOptions{Groups: []string{"app"}, ToLatest: true}, "one of the reset scopes"},
		{ResetOffsetsOptions{Groups: []string{"app"}, Topics: []string{"orders"}, ByDuration: "1h"}, "ISO-8601"},
	} {
		c.o.Conn = conn
		c.o.Execute = true
		if err := ResetOffsets(ctx, &out, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("reset %+v: want error containing %q, got %v", c.o, c.want, err)
		}
	}
	if got := committedOffsets(t, conn, "app"); got["orders-0"] != 5 || got["orders-1"] != 5 {
		t.Fatalf("refused resets changed the committed offsets: %v", got)
	}

	o := ResetOffsetsOptions{Conn: conn, Groups: []string{"fresh"}, Topics: []string{"orders"}, ToLatest: true, Execute: true}
	if got := planOf(t, o); got != "orders-0=8 orders-1=5" {
		t.Fatalf("reset of a new group planned %q", got)
	}
	if got := committedOffsets(t, conn, "fresh"); got["orders-0"] != 8 || got["orders-1"] != 5 {
		t.Fatalf("committed for a new group: %v", got)
	}
}
