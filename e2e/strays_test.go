package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/broker"
)

// TestStrayLogsKeptAndDeletedByCommand is issue 13's fourth acceptance from outside: a
// topic deleted while a broker was down leaves that broker's log, which it keeps at
// start-up as a stray (renamed, with its data) instead of deleting it;
// `kbridge log-dirs strays list` shows it and `delete` removes it.
func TestStrayLogsKeptAndDeletedByCommand(t *testing.T) {
	c := StartCluster(t, 1, 2)
	ctx := context.Background()
	adm := kadm.NewClient(c.Client())
	if resp, err := adm.CreateTopic(ctx, 1, 2, nil, "old"); err != nil || resp.Err != nil {
		t.Fatalf("create old: %v %v", err, resp.Err)
	}
	produceAcked(t, c.Client(kgo.RequiredAcks(kgo.AllISRAcks())), "old", "v", 20)
	down := c.Broker(102)
	dir := filepath.Join(down.DataDir, "old-0")
	down.Stop()
	if _, err := adm.DeleteTopics(ctx, "old"); err != nil {
		t.Fatalf("delete old: %v", err)
	}
	down.Start()
	WaitFor(t, 30*time.Second, "broker 102 to keep old-0 as a stray", func() bool {
		_, err := os.Stat(dir)
		return os.IsNotExist(err) && strings.Contains(down.Log(), "kept a partition log as a stray")
	})

	var strays []broker.StrayLog
	if err := json.Unmarshal([]byte(Run(t, "log-dirs", "strays", "list", "-c", down.ConfigPath, "--output", "json")), &strays); err != nil {
		t.Fatal(err)
	}
	if len(strays) != 1 || strays[0].Topic != "old" || strays[0].Partition != 0 || strays[0].Bytes == 0 ||
		!strings.HasSuffix(strays[0].Path, "-stray") {
		t.Fatalf("strays list: %+v, want old-0 with its data", strays)
	}
	if out := Run(t, "log-dirs", "strays", "list", "-c", down.ConfigPath); !strings.Contains(out, strays[0].Path) {
		t.Fatalf("strays list (text) does not name %s:\n%s", strays[0].Path, out)
	}
	if _, _, err := RunWithInput(t, nil, "log-dirs", "strays", "delete", "-c", down.ConfigPath, "--path", filepath.Join(down.DataDir, "__consumer_offsets-0")); err == nil {
		t.Fatal("delete accepted a path that is not a stray")
	}
	Run(t, "log-dirs", "strays", "delete", "-c", down.ConfigPath, "--path", strays[0].Path)
	if _, err := os.Stat(strays[0].Path); !os.IsNotExist(err) {
		t.Fatalf("stray still there after delete: %v", err)
	}
	if out := Run(t, "log-dirs", "strays", "list", "-c", down.ConfigPath); !strings.Contains(out, "No stray logs.") {
		t.Fatalf("strays list after delete:\n%s", out)
	}
}
