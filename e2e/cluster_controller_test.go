package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// liveBrokers lists the brokers broker 101's Metadata response names, as `kcat -L`
// prints them: KRaft brokers leave out fenced ones, so this is how a client sees
// fencing.
func liveBrokers(t *testing.T, c *Cluster) []int32 {
	out, err := exec.Command(requireTool(t, "kcat"), "-L", "-b", c.Broker(101).BrokerAddr, "-m", "3").Output()
	if err != nil {
		return nil
	}
	var ids []int32
	for _, line := range strings.Split(string(out), "\n") {
		var id int32
		if _, err := fmt.Sscanf(strings.TrimSpace(line), "broker %d at", &id); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestClusterActiveControllerKilled is issue 4's second acceptance: the active
// controller dies, a new one is elected, topic creation and broker fencing keep
// working, and a broker killed and restarted rejoins the ISR.
func TestClusterActiveControllerKilled(t *testing.T) {
	c := StartCluster(t, 3, 3)
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()

	var old int32
	WaitFor(t, 15*time.Second, "a quorum leader", func() bool { old = c.QuorumLeader(); return old > 0 })
	c.Controllers[old-1].Kill()
	var leader int32
	WaitFor(t, 15*time.Second, "a new quorum leader", func() bool {
		leader = c.QuorumLeader()
		return leader > 0 && leader != old
	})
	t.Logf("controller %d killed, controller %d leads", old, leader)

	resp, err := adm.CreateTopic(ctx, 3, 3, nil, "after-failover")
	if err != nil || resp.Err != nil {
		t.Fatalf("create topic after controller failover: %v %v", err, resp.Err)
	}
	WaitFor(t, 15*time.Second, "after-failover partitions with full ISRs", func() bool {
		for p := range int32(3) {
			pd, err := c.Partition(adm, "after-failover", p)
			if err != nil || len(pd.ISR) != 3 {
				return false
			}
		}
		return true
	})

	victim := c.Brokers[1]
	victim.Kill()
	WaitFor(t, 10*time.Second, "broker 102 fenced (gone from Metadata)", func() bool {
		return slices.Equal(liveBrokers(t, c), []int32{101, 103})
	})
	WaitFor(t, 15*time.Second, "broker 102 out of every ISR", func() bool {
		for p := range int32(3) {
			pd, err := c.Partition(adm, "after-failover", p)
			if err != nil || slices.Contains(pd.ISR, 102) || pd.Leader == 102 {
				return false
			}
		}
		return true
	})

	victim.Start()
	WaitFor(t, 10*time.Second, "broker 102 unfenced", func() bool {
		return slices.Equal(liveBrokers(t, c), []int32{101, 102, 103})
	})
	WaitFor(t, 20*time.Second, "broker 102 back in every ISR", func() bool {
		for p := range int32(3) {
			pd, err := c.Partition(adm, "after-failover", p)
			if err != nil || !slices.Contains(pd.ISR, 102) {
				return false
			}
		}
		return true
	})

	out := Run(t, "leader-election", "--bootstrap-server", c.Broker(101).BrokerAddr, "--election-type", "PREFERRED", "--all-topic-partitions")
	t.Logf("leader-election: %s", strings.TrimSpace(out))
	WaitFor(t, 10*time.Second, "every partition led by its preferred replica", func() bool {
		for p := range int32(3) {
			pd, err := c.Partition(adm, "after-failover", p)
			if err != nil || pd.Leader != pd.Replicas[0] {
				return false
			}
		}
		return true
	})
}
