package kclient

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestTopicsLifecycle(t *testing.T) {
	conn := startCluster(t, 1, "seeded")
	ctx := testContext(t)
	var out strings.Builder

	err := CreateTopic(ctx, &out, CreateTopicOptions{Conn: conn, Topic: "orders", Partitions: 3, ReplicationFactor: -1,
		Configs: map[string]string{"retention.ms": "60000", "cleanup.policy": "compact"}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if out.String() != "Created topic orders.\n" {
		t.Fatalf("create printed %q", out.String())
	}

	err = CreateTopic(ctx, &out, CreateTopicOptions{Conn: conn, Topic: "orders", Partitions: 1, ReplicationFactor: -1})
	if !errors.Is(err, kerr.TopicAlreadyExists) || !strings.Contains(err.Error(), "TOPIC_ALREADY_EXISTS") {
		t.Fatalf("second create: want TOPIC_ALREADY_EXISTS, got %v", err)
	}
	if err := CreateTopic(ctx, &out, CreateTopicOptions{Conn: conn, Topic: "orders", Partitions: 1, ReplicationFactor: -1, IfNotExists: true}); err != nil {
		t.Fatalf("create --if-not-exists: %v", err)
	}

	out.Reset()
	if err := ListTopics(ctx, &out, ListTopicsOptions{Conn: conn}); err != nil {
		t.Fatalf("list: %v", err)
	}
	if out.String() != "orders\nseeded\n" {
		t.Fatalf("list printed %q", out.String())
	}

	out.Reset()
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, Topic: "orders"}); err != nil {
		t.Fatalf("describe: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("describe printed %d lines:\n%s", len(lines), out.String())
	}
	head := regexp.MustCompile(`^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (.*)$`)
	m := head.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("describe header %q", lines[0])
	}
	if !strings.Contains(m[1], "cleanup.policy=compact") || !strings.Contains(m[1], "retention.ms=60000") {
		t.Fatalf("describe configs %q", m[1])
	}
	part := regexp.MustCompile(`^\tTopic: orders\tPartition: (\d)\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: (N/A)?\tLastKnownElr: (N/A)?$`)
	for i, l := range lines[1:] {
		pm := part.FindStringSubmatch(l)
		if pm == nil || pm[1] != string(rune('0'+i)) {
			t.Fatalf("describe partition line %q", l)
		}
	}

	if err := AlterTopic(ctx, &out, AlterTopicOptions{Conn: conn, Topic: "orders", Partitions: 5,
		Configs: map[string]string{"retention.ms": "120000"}, DeleteConfigs: []string{"cleanup.policy"}}); err != nil {
		t.Fatalf("alter: %v", err)
	}
	if err := AlterTopic(ctx, &out, AlterTopicOptions{Conn: conn, Topic: "orders", Partitions: 2}); err == nil {
		t.Fatal("alter to fewer partitions: want error")
	}

	out.Reset()
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, Topic: "orders", JSON: true}); err != nil {
		t.Fatalf("describe json: %v", err)
	}
	var descs []TopicDescription
	if err := json.Unmarshal([]byte(out.String()), &descs); err != nil {
		t.Fatalf("describe json: %v\n%s", err, out.String())
	}
	if len(descs) != 1 || descs[0].PartitionCount != 5 || len(descs[0].Partitions) != 5 {
		t.Fatalf("after alter: %+v", descs)
	}
	cfgs := map[string]string{}
	for _, c := range descs[0].Configs {
		cfgs[c.Name] = c.Value
	}
	if cfgs["retention.ms"] != "120000" || cfgs["cleanup.policy"] != "" {
		t.Fatalf("configs after alter: %v", cfgs)
	}

	out.Reset()
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, TopicsWithOverrides: true}); err != nil {
		t.Fatalf("describe --topics-with-overrides: %v", err)
	}
	if !strings.HasPrefix(out.String(), "Topic: orders\t") || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("--topics-with-overrides printed %q", out.String())
	}

	out.Reset()
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, UnderReplicatedPartitions: true}); err != nil {
		t.Fatalf("describe --under-replicated-partitions: %v", err)
	}
	if out.String() != "" {
		t.Fatalf("--under-replicated-partitions printed %q", out.String())
	}

	if err := DeleteTopics(ctx, &out, DeleteTopicsOptions{Conn: conn, Topic: "ord.*"}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	err = DeleteTopics(ctx, &out, DeleteTopicsOptions{Conn: conn, Topic: "orders"})
	if !errors.Is(err, errTopicNotFound) {
		t.Fatalf("delete missing: want not found, got %v", err)
	}
	if err := DeleteTopics(ctx, &out, DeleteTopicsOptions{Conn: conn, Topic: "orders", IfExists: true}); err != nil {
		t.Fatalf("delete --if-exists: %v", err)
	}
	out.Reset()
	if err := ListTopics(ctx, &out, ListTopicsOptions{Conn: conn, JSON: true}); err != nil {
		t.Fatalf("list json: %v", err)
	}
	var names []string
	if err := json.Unmarshal([]byte(out.String()), &names); err != nil || len(names) != 1 || names[0] != "seeded" {
		t.Fatalf("list json after delete: %q (%v)", out.String(), err)
	}
}

func TestCreateTopicReplicaAssignment(t *testing.T) {
	conn := startCluster(t, 1)
	ctx := testContext(t)
	var out strings.Builder
	if err := CreateTopic(ctx, &out, CreateTopicOptions{Conn: conn, Topic: "assigned", Partitions: -1, ReplicationFactor: -1, ReplicaAssignment: "0,0"}); err != nil {
		t.Fatalf("create with assignment: %v", err)
	}
	out.Reset()
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, Topic: "assigned"}); err != nil {
		t.Fatalf("describe: %v", err)
	}
	if !strings.Contains(out.String(), "PartitionCount: 2\tReplicationFactor: 1") {
		t.Fatalf("describe: %q", out.String())
	}
}

func TestParseReplicaAssignment(t *testing.T) {
	got, err := parseReplicaAssignment("1:2, 2:3")
	if err != nil || len(got) != 2 || got[0][0] != 1 || got[0][1] != 2 || got[1][1] != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"1:1", "1:2,3", "a:b"} {
		if _, err := parseReplicaAssignment(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}
