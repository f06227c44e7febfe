package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Failover benchmarks (issue 4, acceptance 5): each iteration starts a 3-controller,
// 3-broker cluster with the harness's timings (heartbeat 200 ms, session 1.5 s,
// election timeout 1 s), kills a process with SIGKILL and measures, from the kill, the
// time to the first successful client operation. The client's own metadata refresh is
// part of the figure, as a user would see it. Run with `make bench-failover`.

// fastClient refreshes metadata and retries quickly, so the figure measures the
// cluster rather than client backoff defaults.
func fastClient(c *Cluster, opts ...kgo.Opt) *kgo.Client {
	return c.Client(append([]kgo.Opt{
		kgo.MetadataMinAge(50 * time.Millisecond),
		kgo.RetryBackoffFn(func(int) time.Duration { return 20 * time.Millisecond }),
		kgo.ProducerLinger(0),
	}, opts...)...)
}

// BenchmarkLeaderFailover: SIGKILL of an RF=3 partition leader's broker → first
// acks=all produce acknowledged by the new leader.
func BenchmarkLeaderFailover(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := StartCluster(b, 3, 3)
		adm := kadm.NewClient(c.Client())
		ctx := context.Background()
		minISR := "2"
		if _, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &minISR}, "bench"); err != nil {
			b.Fatal(err)
		}
		var leader int32
		WaitFor(b, 15*time.Second, "bench-0 in sync", func() bool {
			pd, err := c.Partition(adm, "bench", 0)
			leader = pd.Leader
			return err == nil && len(pd.ISR) == 3
		})
		cl := fastClient(c)
		for j := range 100 {
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "bench", Value: []byte(fmt.Sprint(j))}).FirstErr(); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		killed := time.Now()
		c.Broker(leader).Kill()
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "bench", Value: []byte("after")}).FirstErr(); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(killed)
		b.StopTimer()
		total += elapsed
		c.Stop()
		b.Logf("leader %d killed; first acks=all produce acknowledged after %v", leader, elapsed)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/failover")
}

// BenchmarkControllerFailover: SIGKILL of the active controller → next committed
// metadata write (a CreateTopics through a broker).
func BenchmarkControllerFailover(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := StartCluster(b, 3, 3)
		adm := kadm.NewClient(fastClient(c))
		var leader int32
		WaitFor(b, 15*time.Second, "a quorum leader", func() bool { leader = c.QuorumLeader(); return leader > 0 })
		b.StartTimer()
		killed := time.Now()
		c.Controllers[leader-1].Kill()
		for n := 0; ; n++ {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			resp, err := adm.CreateTopic(ctx, 1, 1, nil, fmt.Sprintf("after-%d", n))
			cancel()
			if err == nil && resp.Err == nil {
				break
			}
			if time.Since(killed) > 30*time.Second {
				b.Fatalf("no metadata write committed 30 s after the controller died: %v %v", err, resp.Err)
			}
		}
		elapsed := time.Since(killed)
		b.StopTimer()
		total += elapsed
		c.Stop()
		b.Logf("controller %d killed; next metadata write committed after %v", leader, elapsed)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/failover")
}
