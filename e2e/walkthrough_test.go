package e2e

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestSeedsWalkthrough is the seeds' first steps with our CLI: format with a random
// uuid, start, create test-topic with 3 partitions, produce 1,000 lines, read them back.
func TestSeedsWalkthrough(t *testing.T) {
	n := StartSingleNode(t)
	out := Run(t, "topics", "create", "--bootstrap-server", n.BrokerAddr, "--topic", "test-topic", "--partitions", "3", "--replication-factor", "1")
	if !strings.Contains(out, "Created topic test-topic.") {
		t.Fatalf("create output: %q", out)
	}
	if list := Run(t, "topics", "list", "--bootstrap-server", n.BrokerAddr); !strings.Contains(list, "test-topic") {
		t.Fatalf("topics list does not show test-topic: %q", list)
	}
	desc := Run(t, "topics", "describe", "--bootstrap-server", n.BrokerAddr, "--topic", "test-topic")
	if !strings.Contains(desc, "PartitionCount: 3") {
		t.Fatalf("describe: %q", desc)
	}

	var input strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&input, "line-%04d\n", i)
	}
	if _, errOut, err := RunWithInput(t, []byte(input.String()), "console-producer", "--bootstrap-server", n.BrokerAddr, "--topic", "test-topic"); err != nil {
		t.Fatalf("console-producer: %v\n%s", err, errOut)
	}

	out, errOut, err := RunWithInput(t, nil, "console-consumer", "--bootstrap-server", n.BrokerAddr, "--topic", "test-topic",
		"--from-beginning", "--max-messages", "1000", "--timeout-ms", "20000",
		"--property", "print.partition=true", "--property", "print.offset=true")
	if err != nil {
		t.Fatalf("console-consumer: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1000 {
		t.Fatalf("consumed %d lines, want 1000; stderr: %s", len(lines), errOut)
	}
	// Within a partition, the producer's order is kept: offsets and line numbers rise together.
	lastLine := map[string]int{}
	lastOffset := map[string]int64{}
	seen := map[int]bool{}
	for _, l := range lines {
		part, off, value := parseConsumerLine(t, l)
		num, err := strconv.Atoi(strings.TrimPrefix(value, "line-"))
		if err != nil {
			t.Fatalf("unexpected value in %q", l)
		}
		if prev, ok := lastLine[part]; ok && (num <= prev || off <= lastOffset[part]) {
			t.Fatalf("partition %s out of order: line %d (offset %d) after line %d (offset %d)", part, num, off, prev, lastOffset[part])
		}
		lastLine[part], lastOffset[part] = num, off
		seen[num] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("got %d distinct lines, want 1000", len(seen))
	}
	parts := make([]string, 0, len(lastLine))
	for p := range lastLine {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	t.Logf("partitions used: %v", parts)
}

// parseConsumerLine reads Kafka's DefaultMessageFormatter output with print.partition
// and print.offset: "Partition:0\tOffset:12\tvalue".
func parseConsumerLine(t *testing.T, line string) (string, int64, string) {
	t.Helper()
	fields := strings.Split(line, "\t")
	if len(fields) != 3 || !strings.HasPrefix(fields[0], "Partition:") || !strings.HasPrefix(fields[1], "Offset:") {
		t.Fatalf("unexpected consumer line %q", line)
	}
	off, err := strconv.ParseInt(strings.TrimPrefix(fields[1], "Offset:"), 10, 64)
	if err != nil {
		t.Fatalf("bad offset in %q", line)
	}
	return strings.TrimPrefix(fields[0], "Partition:"), off, fields[2]
}
