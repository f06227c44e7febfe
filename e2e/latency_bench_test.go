package e2e

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkReplicatedLatency measures acks=all produce latency in a replicated
// cluster as a user's first benchmark would see it (issue 12): three brokers (behind
// three controllers in KRaft mode, one ZooKeeper in ZooKeeper mode), topics with RF=3
// and min.insync.replicas=2, Kafka's default replica.fetch.wait.max.ms (500 ms), and one
// franz-go idempotent acks=all producer (linger 0) sending keyed records at a steady
// 2,000 records/s. Latencies are taken from Produce to the acknowledgement over 20 s
// after a 5 s warm-up; every acknowledged record must then be read back exactly once.
// Each iteration is a fresh cluster; the summary is the median of the iterations with
// the spread.
//
//	make bench-latency   (go test -run '^$' -bench ReplicatedLatency -benchtime 3x ./e2e/)
func BenchmarkReplicatedLatency(b *testing.B) {
	cases := []struct {
		name             string
		zookeeper        bool
		topics, perTopic int
	}{
		{"kraft/1x1", false, 1, 1},
		{"kraft/10x100", false, 10, 100},
		{"zookeeper/1x1", true, 1, 1},
		{"zookeeper/10x100", true, 10, 100},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var runs []latencyRun
			for range b.N {
				var cl latencyCluster
				if tc.zookeeper {
					cl = StartZKCluster(b, 3, kafkaDefaultTimings...)
				} else {
					cl = StartCluster(b, 3, 3, kafkaDefaultTimings...)
				}
				run := measureLatency(b, cl, tc.topics, tc.perTopic)
				cl.Stop()
				b.Logf("%s: %s", tc.name, run)
				runs = append(runs, run)
			}
			summary := summarizeRuns(runs)
			b.Logf("%s over %d runs, median (min-max): %s", tc.name, len(runs), summary)
			b.ReportMetric(medianOf(runs, func(r latencyRun) float64 { return r.p50 }), "p50-ms")
			b.ReportMetric(medianOf(runs, func(r latencyRun) float64 { return r.p99 }), "p99-ms")
			b.ReportMetric(medianOf(runs, func(r latencyRun) float64 { return r.p999 }), "p99.9-ms")
			b.ReportMetric(medianOf(runs, func(r latencyRun) float64 { return r.max }), "max-ms")
		})
	}
}

// kafkaDefaultTimings put back Kafka's defaults over the harness's fast failure
// detection: the benchmark measures the cluster a user would start.
var kafkaDefaultTimings = []string{
	"broker.heartbeat.interval.ms=2000",
	"broker.session.timeout.ms=9000",
	"zookeeper.session.timeout.ms=18000",
	"replica.lag.time.max.ms=30000",
	"replica.fetch.wait.max.ms=500",
	"replica.fetch.backoff.ms=1000",
}

// latencyCluster is what the benchmark needs of a KRaft or a ZooKeeper-mode cluster.
type latencyCluster interface {
	Client(opts ...kgo.Opt) *kgo.Client
	Stop()
}

// latencyRun is one measured run, in milliseconds.
type latencyRun struct {
	records             int
	p50, p99, p999, max float64
}

func (r latencyRun) String() string {
	return fmt.Sprintf("%d records, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms", r.records, r.p50, r.p99, r.p999, r.max)
}

const (
	latencyRate    = 2000 // records per second
	latencyWarmUp  = 5 * time.Second
	latencyMeasure = 20 * time.Second
)

// measureLatency creates the topics, waits until every partition has its three
// replicas in sync, produces at latencyRate and reads everything back.
func measureLatency(b *testing.B, c latencyCluster, topics, perTopic int) latencyRun {
	ctx := context.Background()
	adm := kadm.NewClient(c.Client())
	names := make([]string, topics)
	minISR := "2"
	for i := range names {
		names[i] = fmt.Sprintf("latency-%02d", i)
	}
	resp, err := adm.CreateTopics(ctx, int32(perTopic), 3, map[string]*string{"min.insync.replicas": &minISR}, names...)
	if err != nil || resp.Error() != nil {
		b.Fatalf("create topics: %v %v", err, resp.Error())
	}
	WaitFor(b, 2*time.Minute, "every partition led with 3 replicas in sync", func() bool {
		td, err := adm.ListTopics(ctx, names...)
		if err != nil {
			return false
		}
		n := 0
		for _, t := range td {
			for _, p := range t.Partitions {
				if p.Err == nil && p.Leader >= 0 && len(p.ISR) == 3 {
					n++
				}
			}
		}
		return n == topics*perTopic
	})
	primeEveryPartition(b, c, names, perTopic)

	p := startSteadyProducer(c.Client(kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks())), names, latencyRate)
	measureFrom := time.Now().Add(latencyWarmUp)
	time.Sleep(latencyWarmUp + latencyMeasure)
	acked, failed := p.finish()
	if len(failed) > 0 {
		b.Fatalf("%d of %d produces failed, the first: %v", len(failed), len(acked)+len(failed), failed[0])
	}
	readBackOnce(b, c, names, acked)
	latencies := p.latenciesFrom(measureFrom)
	return latencyRun{
		records: len(latencies),
		p50:     nearestRank(latencies, 0.50),
		p99:     nearestRank(latencies, 0.99),
		p999:    nearestRank(latencies, 0.999),
		max:     nearestRank(latencies, 1),
	}
}

// primeEveryPartition writes one acks=all record to every partition and waits for
// them all: a partition counts as ready once its leader and both followers have taken
// their roles, which its ISR in the metadata says before they have.
func primeEveryPartition(b *testing.B, c latencyCluster, topics []string, perTopic int) {
	cl := c.Client(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequiredAcks(kgo.AllISRAcks()))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var records []*kgo.Record
	for _, t := range topics {
		for p := range perTopic {
			records = append(records, &kgo.Record{Topic: t, Partition: int32(p), Key: []byte("prime"), Value: []byte("prime")})
		}
	}
	if err := cl.ProduceSync(ctx, records...).FirstErr(); err != nil {
		b.Fatalf("prime every partition: %v", err)
	}
}

// readBackOnce consumes the topics from the start until every acknowledged key has
// been read, and fails on a key read twice.
func readBackOnce(b testing.TB, c latencyCluster, topics []string, acked map[string]bool) {
	consumer := c.Client(kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seen := make(map[string]int, len(acked))
	missing := len(acked)
	for missing > 0 {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			b.Fatalf("read back: %d of %d acknowledged records never read", missing, len(acked))
		}
		fetches.EachError(func(t string, p int32, err error) { b.Fatalf("read back %s/%d: %v", t, p, err) })
		fetches.EachRecord(func(r *kgo.Record) {
			k := string(r.Key)
			if k == "prime" {
				return
			}
			seen[k]++
			if seen[k] > 1 {
				b.Fatalf("record %s read %d times", k, seen[k])
			}
			if acked[k] {
				missing--
			}
		})
	}
}

// nearestRank is the nearest-rank percentile (q in 0..1) of sorted, in milliseconds.
func nearestRank(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := min(max(int(math.Ceil(q*float64(len(sorted)))), 1), len(sorted))
	return float64(sorted[rank-1]) / float64(time.Millisecond)
}

// medianOf is the median of one figure over the runs.
func medianOf(runs []latencyRun, figure func(latencyRun) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = figure(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// summarizeRuns prints each figure as median (min-max) over the runs.
func summarizeRuns(runs []latencyRun) string {
	figures := []struct {
		name string
		get  func(latencyRun) float64
	}{
		{"p50", func(r latencyRun) float64 { return r.p50 }},
		{"p99", func(r latencyRun) float64 { return r.p99 }},
		{"p99.9", func(r latencyRun) float64 { return r.p999 }},
		{"max", func(r latencyRun) float64 { return r.max }},
	}
	var parts []string
	for _, f := range figures {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range runs {
			lo, hi = min(lo, f.get(r)), max(hi, f.get(r))
		}
		parts = append(parts, fmt.Sprintf("%s %.2f ms (%.2f-%.2f)", f.name, medianOf(runs, f.get), lo, hi))
	}
	return strings.Join(parts, ", ")
}
