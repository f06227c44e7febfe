package kclient

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestGroupDescribeLagWhileProducerRunsAhead is issue 3's acceptance 4, first
// half: committed offsets, a producer ahead of them, the lag in every view.
func TestGroupDescribeLagWhileProducerRunsAhead(t *testing.T) {
	conn := startCluster(t, 2, "orders")
	ctx := testContext(t)
	produceTo(t, conn, "orders", 0, 5)
	produceTo(t, conn, "orders", 1, 5)
	m := joinGroup(t, conn, "lagging", "orders", kgo.NewOffset().AtStart())
	m.poll(10)
	m.commit()
	waitGroupState(t, conn, "lagging", "Stable")
	produceTo(t, conn, "orders", 0, 3)

	memberID, _ := m.GroupMetadata()
	out, errOut := describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"lagging"}})
	lines := strings.Split(out, "\n")
	if len(lines) != 5 || lines[0] != "" || lines[4] != "" || errOut != "" {
		t.Fatalf("describe printed %q, stderr %q", out, errOut)
	}
	for i, want := range [][]string{
		{"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"},
		{"lagging", "orders", "0", "5", "8", "3", memberID},
		{"lagging", "orders", "1", "5", "5", "0", memberID},
	} {
		got := strings.Fields(lines[i+1])
		if len(got) < len(want) || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") {
			t.Fatalf("describe line %d = %q, want it to start with %q", i+1, lines[i+1], want)
		}
		if i > 0 && got[len(got)-1] != "kgo" {
			t.Fatalf("describe line %d = %q: want client id kgo", i+1, lines[i+1])
		}
	}

	out, _ = describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"lagging"}, Members: true, Verbose: true})
	if f := strings.Fields(out); len(f) != 12 || f[5] != "ASSIGNMENT" || f[7] != memberID || f[9] != "kgo" || f[10] != "2" || f[11] != "orders(0,1)" {
		t.Fatalf("describe --members --verbose printed %q", out)
	}
	out, _ = describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"lagging"}, State: true})
	if f := strings.Fields(out); len(f) != 12 || f[6] != "lagging" || f[8] != "(0)" || f[10] != "Stable" || f[11] != "1" {
		t.Fatalf("describe --state printed %q", out)
	}

	var list strings.Builder
	if err := ListGroups(ctx, &list, ListGroupsOptions{Conn: conn, States: []string{"stable"}}); err != nil {
		t.Fatalf("list --state stable: %v", err)
	}
	if f := strings.Fields(list.String()); strings.Join(f, " ") != "GROUP STATE lagging Stable" {
		t.Fatalf("list --state stable printed %q", list.String())
	}

	var reset strings.Builder
	err := ResetOffsets(ctx, &reset, ResetOffsetsOptions{Conn: conn, Groups: []string{"lagging"}, Topics: []string{"orders"}, ToEarliest: true, Execute: true})
	if err == nil || !strings.Contains(err.Error(), "assignments can only be reset if the group 'lagging' is inactive, but the current state is Stable") {
		t.Fatalf("reset of an active group: %v", err)
	}
	err = DeleteGroups(ctx, &reset, DeleteGroupsOptions{Conn: conn, Groups: []string{"lagging"}})
	if !errors.Is(err, kerr.NonEmptyGroup) {
		t.Fatalf("delete of an active group: want NON_EMPTY_GROUP, got %v", err)
	}
	want := "\nError: Deletion of some consumer groups failed:\n* Group 'lagging' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty.\n"
	if reset.String() != want {
		t.Fatalf("delete of an active group printed %q, want %q", reset.String(), want)
	}
}

// TestGroupDescribeEmptyGroupGolden pins the offsets view byte for byte
// against kafka-consumer-groups 3.9 for a group whose consumer has left.
func TestGroupDescribeEmptyGroupGolden(t *testing.T) {
	conn := startCluster(t, 2, "orders")
	produceTo(t, conn, "orders", 0, 5)
	produceTo(t, conn, "orders", 1, 5)
	m := joinGroup(t, conn, "lagging", "orders", kgo.NewOffset().AtStart())
	m.poll(10)
	m.commit()
	m.Leave()
	waitGroupState(t, conn, "lagging", "Empty")
	produceTo(t, conn, "orders", 0, 3)

	out, errOut := describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"lagging"}})
	want := "\n" +
		"GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n" +
		"lagging         orders          0          5               8               3               -               -               -\n" +
		"lagging         orders          1          5               5               0               -               -               -\n"
	if out != want {
		t.Fatalf("describe printed\n%q\nwant\n%q", out, want)
	}
	if errOut != "\nConsumer group 'lagging' has no active members.\n" {
		t.Fatalf("describe stderr %q", errOut)
	}

	out, _ = describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"lagging"}, JSON: true})
	var descs []GroupDescription
	if err := json.Unmarshal([]byte(out), &descs); err != nil {
		t.Fatalf("describe json: %v\n%s", err, out)
	}
	if len(descs) != 1 || descs[0].State != "Empty" || len(descs[0].Offsets) != 2 || *descs[0].Offsets[0].Lag != 3 || *descs[0].Offsets[1].Lag != 0 {
		t.Fatalf("describe json: %s", out)
	}

	var list strings.Builder
	if err := ListGroups(testContext(t), &list, ListGroupsOptions{Conn: conn, States: []string{}}); err != nil {
		t.Fatalf("list --state: %v", err)
	}
	if want := "GROUP                     STATE               \nlagging                   Empty               \n"; list.String() != want {
		t.Fatalf("list --state printed %q, want %q", list.String(), want)
	}
}

// TestGroupListDeleteAndMissing covers list, delete of an empty group and
// Kafka's messages for groups that do not exist.
func TestGroupListDeleteAndMissing(t *testing.T) {
	conn := startCluster(t, 1, "orders")
	ctx := testContext(t)
	produceTo(t, conn, "orders", 0, 2)
	for _, g := range []string{"b-app", "a-app"} {
		m := joinGroup(t, conn, g, "orders", kgo.NewOffset().AtStart())
		m.poll(2)
		m.commit()
		m.Leave()
		waitGroupState(t, conn, g, "Empty")
	}
	var out strings.Builder
	if err := ListGroups(ctx, &out, ListGroupsOptions{Conn: conn}); err != nil || out.String() != "a-app\nb-app\n" {
		t.Fatalf("list printed %q (%v)", out.String(), err)
	}
	out.Reset()
	if err := ListGroups(ctx, &out, ListGroupsOptions{Conn: conn, States: []string{"Stable"}}); err != nil || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("list --state Stable printed %q (%v)", out.String(), err)
	}
	if err := ListGroups(ctx, &out, ListGroupsOptions{Conn: conn, States: []string{"Sleeping"}}); err == nil || !strings.Contains(err.Error(), "Valid states are: PreparingRebalance") {
		t.Fatalf("list --state Sleeping: %v", err)
	}

	stdout, _ := describeText(t, DescribeGroupsOptions{Conn: conn, Groups: []string{"nope"}})
	if stdout != "\nError: Consumer group 'nope' does not exist.\n" {
		t.Fatalf("describe of a missing group printed %q", stdout)
	}

	out.Reset()
	if err := DeleteGroups(ctx, &out, DeleteGroupsOptions{Conn: conn, Groups: []string{"a-app", "b-app"}}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if out.String() != "Deletion of requested consumer groups ('a-app', 'b-app') was successful.\n" {
		t.Fatalf("delete printed %q", out.String())
	}
	out.Reset()
	if err := ListGroups(ctx, &out, ListGroupsOptions{Conn: conn}); err != nil || out.String() != "" {
		t.Fatalf("list after delete printed %q (%v)", out.String(), err)
	}
	if err := DeleteGroups(ctx, &out, DeleteGroupsOptions{Conn: conn, Groups: []string{"a-app"}}); !errors.Is(err, kerr.GroupIDNotFound) {
		t.Fatalf("delete of a deleted group: want GROUP_ID_NOT_FOUND, got %v", err)
	}
}

// TestGroupDeleteOffsets removes one topic's commits and keeps the other's.
func TestGroupDeleteOffsets(t *testing.T) {
	conn := startCluster(t, 1, "orders", "payments")
	produceTo(t, conn, "orders", 0, 2)
	produceTo(t, conn, "payments", 0, 1)
	for _, topic := range []string{"orders", "payments"} {
		m := joinGroup(t, conn, "app", topic, kgo.NewOffset().AtStart())
		m.poll(map[string]int{"orders": 2, "payments": 1}[topic])
		m.commit()
		m.Leave()
		waitGroupState(t, conn, "app", "Empty")
	}
	var out strings.Builder
	if err := DeleteGroupOffsets(testContext(t), &out, DeleteGroupOffsetsOptions{Conn: conn, Group: "app", Topics: []string{"orders"}}); err != nil {
		t.Fatalf("delete-offsets: %v\n%s", err, out.String())
	}
	want := "Request succeed for deleting offsets with topic orders group app\n\n" +
		"TOPIC                          PARTITION       STATUS         \n" +
		"orders                         0               Successful     \n"
	if out.String() != want {
		t.Fatalf("delete-offsets printed %q, want %q", out.String(), want)
	}
	if got := committedOffsets(t, conn, "app"); len(got) != 1 || got["payments-0"] != 1 {
		t.Fatalf("committed after delete-offsets: %v", got)
	}
	out.Reset()
	err := DeleteGroupOffsets(testContext(t), &out, DeleteGroupOffsetsOptions{Conn: conn, Group: "app", Topics: []string{"missing"}})
	if !errors.Is(err, kerr.UnknownTopicOrPartition) || !strings.Contains(out.String(), "missing                        Not Provided    Error: UNKNOWN_TOPIC_OR_PARTITION") {
		t.Fatalf("delete-offsets of a missing topic: %v\n%s", err, out.String())
	}

	m := joinGroup(t, conn, "app", "payments", kgo.NewOffset().AtStart())
	waitGroupState(t, conn, "app", "Stable")
	out.Reset()
	err = DeleteGroupOffsets(testContext(t), &out, DeleteGroupOffsetsOptions{Conn: conn, Group: "app", Topics: []string{"payments"}})
	if !errors.Is(err, kerr.GroupSubscribedToTopic) || !strings.HasPrefix(out.String(), "\nError: Encounter some partition level error") {
		t.Fatalf("delete-offsets of a subscribed topic: %v\n%s", err, out.String())
	}
	m.Leave()
}
