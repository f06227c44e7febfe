package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// snapshotCount counts a controller's metadata snapshots on disk.
func snapshotCount(n *Node) int {
	entries, _ := os.ReadDir(filepath.Join(n.DataDir, "__cluster_metadata-0", "snapshots"))
	return len(entries)
}

// TestClusterControllerRestoresFromSnapshot is issue 4's fourth acceptance: a
// controller killed and restarted rebuilds its image from a snapshot plus the log
// after it, and reaches exactly the image its peers hold (compared with
// `kbridge metadata dump --image` on the stopped controllers).
func TestClusterControllerRestoresFromSnapshot(t *testing.T) {
	c := StartCluster(t, 3, 1,
		"metadata.log.max.snapshot.interval.ms=500",
		"metadata.log.max.record.bytes.between.snapshots=1024")
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()
	create := func(prefix string, n int) {
		t.Helper()
		for i := range n {
			name := fmt.Sprintf("%s-%02d", prefix, i)
			resp, err := adm.CreateTopic(ctx, 2, 1, nil, name)
			if err != nil || resp.Err != nil {
				t.Fatalf("create %s: %v %v", name, err, resp.Err)
			}
		}
	}
	create("before", 20)
	WaitFor(t, 20*time.Second, "a snapshot on every controller", func() bool {
		for _, n := range c.Controllers {
			if snapshotCount(n) == 0 {
				return false
			}
		}
		return true
	})

	leader := c.QuorumLeader()
	var victim *Node
	for i, n := range c.Controllers {
		if int32(i+1) != leader {
			victim = n
			break
		}
	}
	victim.Kill()
	create("during", 10)
	retention := "3600000"
	if _, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: &retention}}, "before-00"); err != nil {
		t.Fatalf("alter config: %v", err)
	}
	victim.Start()
	WaitFor(t, 20*time.Second, "the restarted controller to restore its snapshot", func() bool {
		return strings.Count(victim.Log(), "restored metadata snapshot") >= 1
	})
	create("after", 5)
	c.WaitVotersCaughtUp(t, 20*time.Second)

	for _, b := range c.Brokers {
		b.Stop() // a controlled shutdown: the controller fences the broker before it exits
	}
	c.WaitVotersCaughtUp(t, 20*time.Second)
	for _, n := range c.Controllers {
		n.Stop()
	}
	var images []string
	for _, n := range c.Controllers {
		images = append(images, Run(t, "metadata", "dump", "--dir", filepath.Join(n.DataDir, "__cluster_metadata-0"), "--image"))
	}
	for i := 1; i < len(images); i++ {
		if images[i] != images[0] {
			t.Fatalf("controller %d's image differs from controller 1's:\n--- 1:\n%s\n--- %d:\n%s", i+1, images[0], i+1, images[i])
		}
	}
	for _, topic := range []string{"before-19", "during-09", "after-04"} {
		if !strings.Contains(images[0], topic) {
			t.Fatalf("image has no topic %s", topic)
		}
	}
}
