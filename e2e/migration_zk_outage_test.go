package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
)

// zkOutage is how long ZooKeeper is down in TestDualWriteRidesOutZooKeeperOutage: long
// enough for the driver's retries to back off, shorter than a session timeout.
const zkOutage = 10 * time.Second

// TestDualWriteRidesOutZooKeeperOutage is issue 13's third acceptance for a ZooKeeper
// outage: with 1,000 partitions and an acks=all producer, ZooKeeper is stopped for 10 s
// in dual-write while topics are created through the quorum. `migrate status` answers
// throughout and shows ZK_WRITE_FAILING with a write lag; once ZooKeeper is back the
// lag is written off within 2 s of the controller's session returning (the driver
// wakes on it instead of waiting out its backoff); the topics made meanwhile are in
// ZooKeeper; no produce call fails and every acknowledged record is read back.
func TestDualWriteRidesOutZooKeeperOutage(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("bulk-%02d", i)
	}
	if resp, err := adm.CreateTopics(ctx, 100, 3, nil, names...); err != nil || resp.Error() != nil {
		t.Fatalf("create topics: %v %v", err, resp.Error())
	}
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, "live"); err != nil || resp.Err != nil {
		t.Fatalf("create live: %v %v", err, resp.Err)
	}
	m.CommitToQuorum()

	p := &ackedProducer{cl: m.Client(kgo.ProducerLinger(0)), topic: "live"}
	stopProducing := p.start()
	WaitFor(t, 20*time.Second, "records acknowledged on the quorum", func() bool { return p.count() >= 100 })

	m.ZK.Stop()
	down := time.Now()
	var during []string
	for i := range 3 {
		name := fmt.Sprintf("during-outage-%d", i)
		if resp, err := adm.CreateTopic(ctx, 3, 3, nil, name); err != nil || resp.Err != nil {
			t.Fatalf("create %s through the quorum while ZooKeeper is down: %v %v", name, err, resp.Err)
		}
		during = append(during, name)
	}
	st := m.WaitPhase(zkOutage, migrate.PhaseBrokersOnKRaft, "ZK_WRITE_FAILING")
	if st.ZkWriteLagOffsets <= 0 {
		t.Errorf("status during the outage shows no write lag: %+v", st)
	}
	for time.Since(down) < zkOutage {
		if st := m.Status(); st.Phase == "" {
			t.Fatal("migrate status did not answer while ZooKeeper was down")
		}
		time.Sleep(500 * time.Millisecond)
	}

	leader := m.activeController(t)
	sessions := strings.Count(leader.Log(), "ZooKeeper session established")
	m.ZK.Start()
	WaitFor(t, 30*time.Second, "the active controller's ZooKeeper session back", func() bool {
		return strings.Count(leader.Log(), "ZooKeeper session established") > sessions
	})
	back := time.Now()
	WaitFor(t, 30*time.Second, "the write lag written off", func() bool {
		st := m.Status()
		return st.ZooKeeperError == "" && st.SubState == "SOAKING" && st.ZkWriteLagOffsets == 0
	})
	took := time.Since(back)
	if took > 2*time.Second {
		t.Errorf("the write lag took %v to reach 0 after ZooKeeper's session returned, want at most 2s", took.Round(time.Millisecond))
	}
	t.Logf("ZooKeeper down %v; write lag back to 0 %v after the controller's session returned", zkOutage, took.Round(time.Millisecond))
	conn := m.ZooKeeper()
	for _, name := range during {
		if !zkExists(t, conn, zkmode.TopicPartitionStatePath(name, 2)) {
			t.Errorf("%s, created during the outage, is not in ZooKeeper", name)
		}
	}

	acked := stopProducing()
	if p.failed > 0 {
		t.Errorf("%d produce calls failed", p.failed)
	}
	cl := m.Client(kgo.ConsumeTopics("live"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	checkAcked(t, acked, readValues(cl, len(acked)))
}
