package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
)

// groupReader consumes a topic in a consumer group, committing as it goes, and keeps
// every value in the order read.
type groupReader struct {
	cl   *kgo.Client
	mu   sync.Mutex
	seen []string
}

func (g *groupReader) run(ctx context.Context) {
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		fs := g.cl.PollFetches(pctx)
		cancel()
		g.mu.Lock()
		fs.EachRecord(func(r *kgo.Record) { g.seen = append(g.seen, string(r.Value)) })
		g.mu.Unlock()
	}
}

func (g *groupReader) values() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.seen...)
}

// TestMigrationUnderLoad is issue 6's second acceptance: an idempotent acks=all
// producer and a group consumer run through dry-run, commit, the brokers' switch and
// finalize. Every acknowledged record is consumed exactly once, and the longest stall
// of the producer — the switch gap — is measured and reported.
func TestMigrationUnderLoad(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, "live"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")

	p := &ackedProducer{cl: m.Client(kgo.ProducerLinger(0)), topic: "live"}
	g := &groupReader{cl: m.Client(kgo.ConsumeTopics("live"), kgo.ConsumerGroup("live-readers"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))}
	produceCtx, stopProducing := context.WithCancel(ctx)
	consumeCtx, stopConsuming := context.WithCancel(ctx)
	produced, consumed := make(chan struct{}), make(chan struct{})
	go func() { defer close(produced); p.run(produceCtx) }()
	go func() { defer close(consumed); g.run(consumeCtx) }()
	WaitFor(t, 20*time.Second, "200 acknowledged records before the migration", func() bool { return p.count() >= 200 })

	if _, code := dryRunReport(t, "--zookeeper", m.Connect(), "--controller", m.ControllerAddr()); code != 0 {
		t.Fatalf("dry-run exit %d", code)
	}
	p.mu.Lock()
	p.maxGap = 0
	p.mu.Unlock()
	committedAt := time.Now()
	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	m.WaitPhase(30*time.Second, migrate.PhaseBrokersOnKRaft, "")
	onQuorum := time.Since(committedAt)
	before := p.count()
	WaitFor(t, 20*time.Second, "200 more acknowledged records on the quorum", func() bool { return p.count() >= before+200 })
	WaitFor(t, 15*time.Second, "finalize accepted once every broker has soaked 1s on the quorum", func() bool {
		_, _, err := RunWithInput(t, nil, "migrate", "finalize", "--controller", m.ControllerAddr(), "--min-soak", "1s", "--yes")
		return err == nil
	})
	m.WaitPhase(10*time.Second, migrate.PhaseFinalized, "")
	before = p.count()
	WaitFor(t, 20*time.Second, "200 more acknowledged records after finalize", func() bool { return p.count() >= before+200 })
	p.mu.Lock()
	gap := p.maxGap
	p.mu.Unlock()

	stopProducing()
	<-produced
	acked := p.acked
	WaitFor(t, 30*time.Second, "the group to read every acknowledged record", func() bool { return len(g.values()) >= len(acked) })
	stopConsuming()
	<-consumed
	checkAckedOnce(t, acked, g.values())
	t.Logf("migration under load: commit to brokers on the quorum %v; %d records acknowledged, %d failed produce calls; longest produce stall (switch gap) %v",
		onQuorum.Round(time.Millisecond), len(acked), p.failed, gap.Round(time.Millisecond))
	// What the README claims of the switch: no failed produce, a gap far below a
	// client's timeouts (bounded loosely: the machine is shared).
	if p.failed != 0 {
		t.Errorf("%d produce calls failed during the migration", p.failed)
	}
	if gap > 5*time.Second {
		t.Errorf("the switch stalled the producer %v", gap)
	}
}

// checkAckedOnce requires every acknowledged value to be read exactly once. Values of
// the three partitions interleave, so only presence and uniqueness are checked.
func checkAckedOnce(t *testing.T, acked, got []string) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for _, v := range got {
		seen[v]++
		if seen[v] > 1 {
			t.Fatalf("record %s consumed twice", v)
		}
	}
	for _, v := range acked {
		if seen[v] != 1 {
			t.Fatalf("acknowledged record %s was not consumed (%d acknowledged, %d consumed)", v, len(acked), len(got))
		}
	}
}
