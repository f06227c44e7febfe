package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestClusterOldLeaderTruncates is issue 4's third acceptance: a leader that took
// writes its followers never fetched (acks=1 while they were paused) is killed; after
// a new leader takes more writes, the old leader restarts, truncates its divergent
// tail by OffsetForLeaderEpoch and ends with a log byte-identical to the others.
func TestClusterOldLeaderTruncates(t *testing.T) {
	c := StartCluster(t, 3, 3)
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()
	one := "1"
	resp, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &one}, "diverge")
	if err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	var pd kadm.PartitionDetail
	WaitFor(t, 15*time.Second, "diverge-0 fully in sync", func() bool {
		pd, err = c.Partition(adm, "diverge", 0)
		return err == nil && len(pd.ISR) == 3
	})
	oldLeader := pd.Leader
	produce := func(cl *kgo.Client, prefix string, n int) {
		t.Helper()
		for i := range n {
			pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := cl.ProduceSync(pctx, &kgo.Record{Topic: "diverge", Value: []byte(fmt.Sprintf("%s-%03d", prefix, i))}).FirstErr()
			cancel()
			if err != nil {
				t.Fatalf("produce %s-%03d: %v", prefix, i, err)
			}
		}
	}
	produce(c.Client(kgo.ProducerLinger(0)), "replicated", 50)
	WaitFor(t, 10*time.Second, "followers caught up", func() bool {
		pd, err = c.Partition(adm, "diverge", 0)
		return err == nil && len(pd.ISR) == 3
	})

	var followers []*Node
	for _, id := range pd.Replicas {
		if id != oldLeader {
			followers = append(followers, c.Broker(id))
		}
	}
	for _, f := range followers {
		f.Pause()
	}
	// A fetch already waiting on the leader (replica.fetch.wait.max.ms=200) would still
	// deliver into the paused follower's socket; let those return empty first.
	time.Sleep(500 * time.Millisecond)
	leaderOnly := c.Client(kgo.SeedBrokers(c.Broker(oldLeader).BrokerAddr), kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(), kgo.ProducerLinger(0))
	produce(leaderOnly, "unreplicated", 20)
	c.Broker(oldLeader).Kill()
	for _, f := range followers {
		f.Resume()
	}

	WaitFor(t, 20*time.Second, "a new leader", func() bool {
		pd, err = c.Partition(adm, "diverge", 0)
		return err == nil && pd.Leader >= 0 && pd.Leader != oldLeader
	})
	produce(c.Client(kgo.ProducerLinger(0)), "after", 30)

	c.Broker(oldLeader).Start()
	WaitFor(t, 30*time.Second, "the old leader back in the ISR", func() bool {
		pd, err = c.Partition(adm, "diverge", 0)
		return err == nil && len(pd.ISR) == 3
	})

	got := c.consumeValues(t, "diverge", 80)
	for _, v := range got {
		if strings.HasPrefix(v, "unreplicated") {
			t.Fatalf("a record only the old leader had is readable: %s", v)
		}
	}
	if len(got) != 80 {
		t.Fatalf("read %d records, want 50 replicated + 30 after", len(got))
	}

	readLogs := func() [][]byte {
		var logs [][]byte
		for _, id := range pd.Replicas {
			data, err := os.ReadFile(filepath.Join(c.Broker(id).DataDir, "diverge-0", "00000000000000000000.log"))
			if err != nil {
				t.Fatalf("read broker %d's log: %v", id, err)
			}
			logs = append(logs, data)
		}
		return logs
	}
	identical := func(logs [][]byte) bool {
		for i := 1; i < len(logs); i++ {
			if !bytes.Equal(logs[0], logs[i]) {
				return false
			}
		}
		return true
	}
	// The followers fetch what the consumer read in their next round; their logs match
	// the leader's once it lands, and must still match after a clean stop.
	WaitFor(t, 10*time.Second, "every replica's log identical", func() bool { return identical(readLogs()) })
	for _, b := range c.Brokers {
		b.Stop()
	}
	if logs := readLogs(); !identical(logs) {
		for i := 1; i < len(logs); i++ {
			t.Errorf("broker %d has %d bytes of diverge-0, broker %d has %d", pd.Replicas[0], len(logs[0]), pd.Replicas[i], len(logs[i]))
		}
		t.FailNow()
	}
	if !slices.Contains(pd.Replicas, oldLeader) {
		t.Fatalf("old leader %d is not a replica any more: %v", oldLeader, pd.Replicas)
	}
}
