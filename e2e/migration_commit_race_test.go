package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// commitWindow is how long TestCommitWindowRace holds the commit between its read of
// ZooKeeper and its copy: longer than replica.lag.time.max.ms (3 s in these
// clusters), so an ISR shrink falls inside it.
const commitWindow = 6 * time.Second

// TestCommitWindowRace is issue 13's second acceptance. A test hook holds `migrate
// commit` open between its claim and read of ZooKeeper and its copy, the window in
// which an unfenced broker write would be missing from the copy and then reverted by a
// reconcile. Into that window the test forces producer-id block allocations (a storm
// of InitProducerId on every broker) and ISR shrinks (a broker frozen as the window
// opens, so its leaders' followers drop it after replica.lag.time.max.ms). Both are
// refused while the window is open, and they are retried through the quorum after it.
// Afterwards: no producer id was handed out twice and both ZooKeeper and the log have
// allocated past every id handed out; the log and ZooKeeper agree on every ISR, the
// frozen broker is out of it, and a full reconcile by a new active controller does not
// grow it back; the driver never resumed the commit it was running; no produce call
// failed and every acknowledged record is read back exactly once.
func TestCommitWindowRace(t *testing.T) {
	t.Setenv("KBRIDGE_TEST_COMMIT_WINDOW", commitWindow.String())
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, 6, 3, map[string]*string{"min.insync.replicas": &minISR}, "race"); err != nil || resp.Err != nil {
		t.Fatalf("create race: %v %v", err, resp.Err)
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")

	p := startSteadyProducer(m.Client(kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks())), []string{"race"}, 500)
	storm := startProducerIDStorm(m.Client(), []int32{1, 2, 3})
	WaitFor(t, 20*time.Second, "records acknowledged and producer ids handed out before the commit", func() bool {
		return p.count() >= 500 && storm.handedOut() >= 3000
	})

	active := m.activeController(t)
	committed := startCommit(t, m)
	WaitFor(t, 30*time.Second, "the commit holding its window open", func() bool {
		return strings.Contains(active.Log(), "holding the commit window open")
	})
	opened := time.Now()
	frozen := m.Broker(3)
	frozen.Pause()
	if err := <-committed; err != nil {
		t.Fatalf("migrate commit: %v", err)
	}
	closed := time.Now()
	if refused := storm.refusedBetween(opened, closed); refused == 0 {
		t.Fatal("no producer-id allocation was refused while the commit window was open: the test did not race")
	}
	WaitFor(t, 10*time.Second, "an ISR shrink refused in the window", func() bool {
		for _, id := range []int32{1, 2} {
			for _, line := range strings.Split(m.Broker(id).Log(), "\n") {
				if strings.Contains(line, "ISR change not applied") && strings.Contains(line, "leads the cluster during its migration") {
					return true
				}
			}
		}
		return false
	})

	// The shrinks land through the quorum; ZooKeeper follows the log exactly.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		diff := isrDifference(t, m, m.ControllerAddr(), "race", 3)
		if diff == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker 3 not out of every ISR in the log, mirrored to ZooKeeper, after 30s: %s", diff)
		}
	}
	// A new active controller reconciles all of ZooKeeper with its image: the shrinks
	// are in the log, so nothing grows back.
	killed := m.activeController(t)
	killed.Kill()
	WaitFor(t, 30*time.Second, "a new active controller in dual-write", func() bool {
		st := m.Status()
		return st.DriverState == migrate.DriverDualWrite && st.ControllerID != int32(indexOf(m.Controllers, killed)+3000)
	})
	live := m.Controllers[(indexOf(m.Controllers, killed)+1)%len(m.Controllers)]
	if diff := isrDifference(t, m, live.BrokerAddr, "race", 3); diff != "" {
		t.Fatalf("after the new controller's reconcile: %s", diff)
	}
	killed.Start()

	frozen.Resume()
	m.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	ids, refused := storm.finish()
	checkProducerIDs(t, m, ids)
	acked, failed := p.finish()
	if len(failed) > 0 {
		t.Fatalf("%d produce calls failed, the first: %v", len(failed), failed[0])
	}
	readBackOnce(t, m, []string{"race"}, acked)
	for _, c := range m.Controllers {
		if strings.Contains(c.Log(), "resuming a commit interrupted") {
			t.Errorf("controller %s resumed a commit while the operator's was copying", c.BrokerAddr)
		}
	}
	t.Logf("window open %v; %d producer ids handed out, %d allocations refused (%d in the window); %d records read back once",
		closed.Sub(opened).Round(time.Millisecond), len(ids), refused, storm.refusedBetween(opened, closed), len(acked))
}

// isrDifference says how, for some partition of topic, the active controller's log
// (asked through controller)
// holds broker out in the ISR or ZooKeeper's partition state differs from the log's in
// leader, leader epoch or ISR; "" when none does.
func isrDifference(t *testing.T, m *MigrationCluster, controller, topic string, out int32) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	view, err := plainAdmin.FetchControllerView(ctx, controller)
	if err != nil {
		return err.Error()
	}
	tp := view.Image.Topics[topic]
	if tp == nil {
		return "no topic " + topic + " in the log"
	}
	conn := m.ZooKeeper()
	for id, part := range tp.Partitions {
		if slices.Contains(part.ISR, out) {
			return fmt.Sprintf("%s-%d: the log's ISR %v holds %d", topic, id, part.ISR, out)
		}
		data, _, err := conn.Get(ctx, znode.TopicPartitionStatePath(topic, id))
		if err != nil {
			return err.Error()
		}
		st, err := znode.DecodePartitionState(data)
		if err != nil {
			t.Fatalf("%s-%d's state in ZooKeeper: %v", topic, id, err)
		}
		if st.Leader != part.Leader || st.LeaderEpoch != part.LeaderEpoch || !slices.Equal(sortedIDs(st.ISR), sortedIDs(part.ISR)) {
			return fmt.Sprintf("%s-%d: ZooKeeper has leader %d epoch %d ISR %v, the log leader %d epoch %d ISR %v",
				topic, id, st.Leader, st.LeaderEpoch, st.ISR, part.Leader, part.LeaderEpoch, part.ISR)
		}
	}
	return ""
}

func sortedIDs(ids []int32) []int32 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// checkProducerIDs fails the test if an id was handed out twice, or if ZooKeeper's
// /latest_producer_id_block or the log's next producer id has not allocated past every
// id handed out (a later block would repeat one).
func checkProducerIDs(t *testing.T, m *MigrationCluster, ids []int64) {
	t.Helper()
	seen := make(map[int64]bool, len(ids))
	var highest int64 = -1
	for _, id := range ids {
		if seen[id] {
			t.Errorf("producer id %d handed out twice", id)
		}
		seen[id] = true
		highest = max(highest, id)
	}
	ctx := context.Background()
	view, err := plainAdmin.FetchControllerView(ctx, m.ControllerAddr())
	if err != nil {
		t.Fatal(err)
	}
	if next := view.Image.ProducerIDs.NextProducerID; next <= highest {
		t.Errorf("the log's next producer id is %d, but %d was handed out", next, highest)
	}
	WaitFor(t, 10*time.Second, "ZooKeeper's producer-id block past every id handed out", func() bool {
		data, _, err := m.ZooKeeper().Get(ctx, znode.ProducerIDBlockPath)
		if err != nil {
			return false
		}
		b, err := znode.DecodeProducerIDBlock(data)
		return err == nil && b.BlockEnd >= highest
	})
}

// producerIDStorm sends InitProducerId to each broker in a loop, so blocks of producer
// ids are allocated several times a second, and records every id handed out and when
// each allocation was refused.
type producerIDStorm struct {
	mu      sync.Mutex
	ids     []int64
	refused []time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startProducerIDStorm(cl *kgo.Client, brokers []int32) *producerIDStorm {
	s := &producerIDStorm{stop: make(chan struct{})}
	for _, id := range brokers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-s.stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				req := kmsg.NewPtrInitProducerIDRequest()
				req.TransactionTimeoutMillis = 1000
				resp, err := req.RequestWith(ctx, cl.Broker(int(id)))
				cancel()
				s.mu.Lock()
				switch {
				case err != nil:
				case resp.ErrorCode != 0:
					s.refused = append(s.refused, time.Now())
				default:
					s.ids = append(s.ids, resp.ProducerID)
				}
				s.mu.Unlock()
				if err != nil || resp.ErrorCode != 0 {
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	return s
}

func (s *producerIDStorm) handedOut() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// refusedBetween counts the allocations refused between from and to.
func (s *producerIDStorm) refusedBetween(from, to time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.refused {
		if !at.Before(from) && !at.After(to) {
			n++
		}
	}
	return n
}

// finish stops the storm and returns every id handed out and how many allocations
// were refused.
func (s *producerIDStorm) finish() ([]int64, int) {
	close(s.stop)
	s.wg.Wait()
	return s.ids, len(s.refused)
}
