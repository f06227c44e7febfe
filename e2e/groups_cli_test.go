package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestGroupsCommand drives `kbridge groups` and `console-consumer --group` against the
// broker: committed offsets and lag while a producer runs ahead, then a reset to the
// earliest offset that makes the next run re-read from the start.
func TestGroupsCommand(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "lagging", 1, nil)
	p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("lagging"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	produce := func(from, to int) {
		for i := from; i < to; i++ {
			if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte(fmt.Sprintf("m%02d", i))}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	consume := func(max int) []string {
		out, errOut, err := RunWithInput(t, nil, "console-consumer", "--bootstrap-server", n.BrokerAddr, "--topic", "lagging",
			"--group", "g1", "--from-beginning", "--max-messages", fmt.Sprint(max), "--timeout-ms", "15000")
		if err != nil {
			t.Fatalf("console-consumer: %v\n%s", err, errOut)
		}
		return strings.Fields(out)
	}
	produce(0, 10)
	if got := consume(4); strings.Join(got, ",") != "m00,m01,m02,m03" {
		t.Fatalf("first run read %v", got)
	}
	produce(10, 15)

	if list := Run(t, "groups", "list", "--bootstrap-server", n.BrokerAddr); !strings.Contains(list, "g1") {
		t.Fatalf("groups list: %q", list)
	}
	desc := Run(t, "groups", "describe", "--bootstrap-server", n.BrokerAddr, "--group", "g1")
	row := findRow(desc, "lagging")
	if len(row) < 6 || row[2] != "0" || row[3] != "4" || row[4] != "15" || row[5] != "11" {
		t.Fatalf("describe should show partition 0 at 4 of 15 with lag 11:\n%s", desc)
	}

	reset := Run(t, "groups", "reset-offsets", "--bootstrap-server", n.BrokerAddr, "--group", "g1",
		"--topic", "lagging", "--to-earliest", "--execute")
	if row := findRow(reset, "lagging"); len(row) < 4 || row[3] != "0" {
		t.Fatalf("reset-offsets output:\n%s", reset)
	}
	got := consume(15)
	if len(got) != 15 || got[0] != "m00" || got[14] != "m14" {
		t.Fatalf("after the reset the group read %v, want m00..m14", got)
	}
}

// findRow returns the whitespace-separated fields of the first line whose second
// column is topic (GROUP TOPIC PARTITION ...).
func findRow(table, topic string) []string {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == topic {
			return f
		}
	}
	return nil
}
