package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ackedProducer produces "v%06d" values one at a time with acks=all and idempotence
// (franz-go's defaults), remembering which were acknowledged.
type ackedProducer struct {
	cl    *kgo.Client
	topic string

	mu     sync.Mutex
	acked  []string
	failed int
	lastOK time.Time
	// maxGap is the longest time between two acknowledgements: how long producing
	// stalled at worst.
	maxGap time.Duration
}

func (p *ackedProducer) run(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		v := fmt.Sprintf("v%06d", i)
		pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := p.cl.ProduceSync(pctx, &kgo.Record{Topic: p.topic, Value: []byte(v)}).FirstErr()
		cancel()
		p.mu.Lock()
		if err == nil {
			p.acked = append(p.acked, v)
			if !p.lastOK.IsZero() {
				p.maxGap = max(p.maxGap, time.Since(p.lastOK))
			}
			p.lastOK = time.Now()
		} else if ctx.Err() == nil {
			p.failed++
		}
		p.mu.Unlock()
	}
}

// start runs the producer in the background until stop, which waits for it to end and
// returns the acknowledged values.
func (p *ackedProducer) start() (stop func() []string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.run(ctx) }()
	return func() []string {
		cancel()
		<-done
		return p.acked
	}
}

func (p *ackedProducer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.acked)
}

// consumeValues reads a one-partition topic from the start until it has want records or
// nothing new arrives for a few seconds.
func (c *Cluster) consumeValues(t *testing.T, topic string, want int) []string {
	t.Helper()
	return readValues(c.Client(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), want)
}

// readValues polls a consuming client until it has want records or nothing new
// arrives for a few seconds, and returns the values in the order read.
func readValues(cl *kgo.Client, want int) []string {
	var got []string
	idle := time.Now()
	for len(got) < want && time.Since(idle) < 10*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			got = append(got, string(r.Value))
			idle = time.Now()
		})
	}
	return got
}

// checkAcked requires every acknowledged value exactly once, in produce order.
func checkAcked(t *testing.T, acked, got []string) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for i, v := range got {
		if j, dup := seen[v]; dup {
			t.Fatalf("record %s read twice (offsets %d and %d)", v, j, i)
		}
		seen[v] = i
	}
	last := -1
	for _, v := range acked {
		i, ok := seen[v]
		if !ok {
			t.Fatalf("acknowledged record %s is missing (%d acknowledged, %d read)", v, len(acked), len(got))
		}
		if i <= last {
			t.Fatalf("acknowledged record %s is out of order", v)
		}
		last = i
	}
}

// brokerCluster is what the failover scenario needs of a cluster, whichever mode
// coordinates it.
type brokerCluster interface {
	Client(opts ...kgo.Opt) *kgo.Client
	Broker(id int32) *Node
}

// TestClusterLeaderKilledUnderAcksAll is issue 4's first acceptance: RF=3,
// min.insync.replicas=2, an idempotent acks=all producer running while the partition
// leader's broker is killed with SIGKILL.
func TestClusterLeaderKilledUnderAcksAll(t *testing.T) {
	leaderKilledUnderAcksAll(t, StartCluster(t, 3, 3))
}

// leaderKilledUnderAcksAll kills an RF=3, min.insync.replicas=2 partition's leader
// with SIGKILL while an idempotent acks=all producer runs, and requires the producer to
// go on with a new leader and every acknowledged record to be read back once, in order.
func leaderKilledUnderAcksAll(t *testing.T, c brokerCluster) {
	adm := kadm.NewClient(c.Client())
	ctx := context.Background()
	minISR := "2"
	resp, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &minISR}, "orders")
	if err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	var leader int32
	WaitFor(t, 15*time.Second, "orders-0 with 3 in-sync replicas", func() bool {
		pd, err := describePartition(adm, "orders", 0)
		leader = pd.Leader
		return err == nil && len(pd.ISR) == 3
	})

	p := &ackedProducer{cl: c.Client(kgo.ProducerLinger(0)), topic: "orders"}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { p.run(pctx); close(done) }()
	WaitFor(t, 20*time.Second, "300 acknowledged records", func() bool { return p.count() >= 300 })

	killedAt := time.Now()
	c.Broker(leader).Kill()
	before := p.count()
	WaitFor(t, 40*time.Second, "the producer to continue on a new leader", func() bool { return p.count() >= before+300 })
	stop()
	<-done

	pd, err := describePartition(adm, "orders", 0)
	if err != nil {
		t.Fatalf("describe orders-0 after failover: %v", err)
	}
	if pd.Leader == leader || pd.Leader < 0 {
		t.Fatalf("leader after killing broker %d is %d", leader, pd.Leader)
	}
	p.mu.Lock()
	failed, gap := p.failed, p.maxGap
	p.mu.Unlock()
	t.Logf("leader %d killed; new leader %d; %d acknowledged, %d failed produce calls; longest produce stall %v; %v from the kill to 300 more records",
		leader, pd.Leader, p.count(), failed, gap, time.Since(killedAt))
	// The producer's retries carry it over the failover: no record fails, and the
	// stall is bounded loosely (fencing after broker.session.timeout.ms, a new leader,
	// the client's metadata refresh), far below its 20 s delivery timeout.
	if failed != 0 {
		t.Errorf("%d produce calls failed across the failover", failed)
	}
	if gap > 15*time.Second {
		t.Errorf("the producer stalled %v across the failover", gap)
	}
	cl := c.Client(kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	checkAcked(t, p.acked, readValues(cl, len(p.acked)))
}
