package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestZKLeaderKilledUnderAcksAll is issue 5's third acceptance: RF=3,
// min.insync.replicas=2, an idempotent acks=all producer running while the partition
// leader's broker gets SIGKILL; the ZooKeeper controller elects a new leader from the
// ISR once the dead broker's session ends, and no acknowledged record is lost.
func TestZKLeaderKilledUnderAcksAll(t *testing.T) {
	c := StartZKCluster(t, 3)
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
	t.Logf("leader %d killed; new leader %d; %d acknowledged, %d failed produce calls; failover window %v",
		leader, pd.Leader, p.count(), p.failed, time.Since(killedAt))
	cl := c.Client(kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	checkAcked(t, p.acked, readValues(cl, len(p.acked)))
}
