package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// BenchmarkMetadataScale measures the metadata-scale target (docs/architecture.md, "Performance targets") on one combined
// node holding 10,000 partitions (100 topics of 100, RF=1): the time from starting the
// process to serving Metadata with a leader for every partition, its resident memory
// once idle, and the latency of a Metadata request for every topic.
//
//	go test -run '^$' -bench MetadataScale -benchtime 3x ./e2e/
func BenchmarkMetadataScale(b *testing.B) {
	const topics, perTopic = 100, 100
	n := StartSingleNode(b)
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.BrokerAddr))
	if err != nil {
		b.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	names := make([]string, topics)
	for i := range names {
		names[i] = fmt.Sprintf("scale-%03d", i)
	}
	start := time.Now()
	for chunk := range slices.Chunk(names, 10) {
		resp, err := adm.CreateTopics(ctx, perTopic, 1, nil, chunk...)
		if err != nil || resp.Error() != nil {
			b.Fatalf("create topics: %v %v", err, resp.Error())
		}
	}
	cl.Close()
	waitAllLed(b, n.BrokerAddr, topics*perTopic, time.Minute)
	b.Logf("created %d partitions in %v", topics*perTopic, time.Since(start).Round(time.Millisecond))

	var startup, metadata time.Duration
	var rss int64
	b.ResetTimer()
	for range b.N {
		n.Stop()
		t0 := time.Now()
		n.Start()
		waitAllLed(b, n.BrokerAddr, topics*perTopic, time.Minute)
		startup += time.Since(t0)
		time.Sleep(2 * time.Second)
		rss = max(rss, residentKiB(b, n.Pid()))
		const requests = 20
		t1 := time.Now()
		for range requests {
			if got := ledPartitions(n.BrokerAddr); got != topics*perTopic {
				b.Fatalf("Metadata shows %d led partitions, want %d", got, topics*perTopic)
			}
		}
		metadata += time.Since(t1) / requests
	}
	b.ReportMetric(startup.Seconds()/float64(b.N), "start-s")
	b.ReportMetric(float64(rss)/1024, "rss-MiB")
	b.ReportMetric(float64(metadata.Microseconds())/1000/float64(b.N), "metadata-ms")
}

// waitAllLed waits until one Metadata request shows want partitions with a leader.
func waitAllLed(b *testing.B, addr string, want int, timeout time.Duration) {
	b.Helper()
	WaitFor(b, timeout, fmt.Sprintf("%d partitions with a leader", want), func() bool { return ledPartitions(addr) == want })
}

// ledPartitions sends one Metadata request for every topic, without any client-side
// cache, and counts the partitions that have a leader; -1 when it fails.
func ledPartitions(addr string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := kwire.Dial(ctx, addr, "bench")
	if err != nil {
		return -1
	}
	defer conn.Close()
	resp, err := conn.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil {
		return -1
	}
	led := 0
	for _, t := range resp.(*kmsg.MetadataResponse).Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode == 0 && p.Leader >= 0 {
				led++
			}
		}
	}
	return led
}

// residentKiB reads a process's VmRSS from /proc.
func residentKiB(b *testing.B, pid int) int64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kib
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}
