package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// metadataWriter creates a topic and changes a config of another through the brokers
// every interval, as an operator's automation would during a rollback, and remembers
// what was acknowledged.
type metadataWriter struct {
	adm      *kadm.Client
	topic    string // whose retention.ms is changed
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	created  []string
	attempts int
	// retention is the last acknowledged retention.ms, and lastAcked whether the last
	// attempt was acknowledged.
	retention string
	lastAcked bool
}

func startMetadataWriter(adm *kadm.Client, topic string, interval time.Duration) *metadataWriter {
	w := &metadataWriter{adm: adm, topic: topic, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			w.once(i)
		}
	}()
	return w
}

func (w *metadataWriter) once(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name := fmt.Sprintf("churn-%03d", i)
	resp, err := w.adm.CreateTopic(ctx, 1, 3, nil, name)
	created := err == nil && resp.Err == nil
	retention := fmt.Sprint(3600000 + i)
	alter, err := w.adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: &retention}}, w.topic)
	altered := err == nil && len(alter) == 1 && alter[0].Err == nil
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts++
	if created {
		w.created = append(w.created, name)
	}
	if altered {
		w.retention = retention
	}
	w.lastAcked = created && altered
}

// acked is how many topic creations were acknowledged so far.
func (w *metadataWriter) acked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.created)
}

// finish stops the writer once an attempt made after the call was acknowledged in
// full, and returns what was acknowledged.
func (w *metadataWriter) finish(t *testing.T) ([]string, string) {
	t.Helper()
	w.mu.Lock()
	from := w.attempts
	w.mu.Unlock()
	WaitFor(t, 30*time.Second, "a topic creation and a config change acknowledged in full", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.attempts > from && w.lastAcked
	})
	close(w.stop)
	<-w.done
	return w.created, w.retention
}

// TestRollbackUnderMetadataWrites is issue 13's first acceptance: while `migrate
// rollback` runs, a topic is created and a config changed through the brokers every
// 100 ms, an acks=all producer writes, and the leader of the produced partition has
// just been killed (kill -9; it comes back once the others are on ZooKeeper). Every
// creation and change that was acknowledged is in ZooKeeper afterwards, every broker
// has every acknowledged topic's log (none was deleted), the quorum holds no topic that
// ZooKeeper lacks (it took no write after its freeze that ZooKeeper's controller would
// not know of), no produce call failed and every acknowledged record is read back.
func TestRollbackUnderMetadataWrites(t *testing.T) {
	m := StartMigrationCluster(t, 3, 3)
	ctx := context.Background()
	adm := kadm.NewClient(m.Client())
	if resp, err := adm.CreateTopic(ctx, 1, 3, nil, "before"); err != nil || resp.Err != nil {
		t.Fatalf("create before: %v %v", err, resp.Err)
	}
	m.CommitToQuorum()

	p := &ackedProducer{cl: m.Client(kgo.ProducerLinger(0)), topic: "before"}
	stopProducing := p.start()
	writer := startMetadataWriter(adm, "before", 100*time.Millisecond)
	WaitFor(t, 30*time.Second, "topics created through the quorum", func() bool { return writer.acked() >= 3 })
	td, err := adm.ListTopics(ctx, "before")
	if err != nil || td["before"].Partitions[0].Leader < 1 {
		t.Fatalf("leader of before-0: %v %+v", err, td)
	}
	killed := m.Broker(td["before"].Partitions[0].Leader)
	killed.Kill()

	out := Run(t, "migrate", "rollback", "--controller", m.ControllerAddr())
	match := regexp.MustCompile(`Rolled back\. The quorum took no metadata writes after offset (\d+)\.`).FindStringSubmatch(out)
	if match == nil {
		t.Fatalf("rollback:\n%s", out)
	}
	for _, n := range m.Brokers {
		if n == killed {
			continue
		}
		WaitFor(t, 20*time.Second, "every live broker back on ZooKeeper", func() bool {
			return strings.Contains(n.Log(), "moved back to ZooKeeper in place")
		})
	}
	killed.Start()
	created, retention := writer.finish(t)
	acked := stopProducing()
	if p.failed > 0 {
		t.Errorf("%d produce calls failed during the rollback", p.failed)
	}
	t.Logf("rollback froze the quorum at offset %s; %d topics and retention.ms=%s acknowledged; %d records", match[1], len(created), retention, len(acked))

	conn := m.ZooKeeper()
	for _, name := range created {
		WaitFor(t, 20*time.Second, "acknowledged topic "+name+" in ZooKeeper with its partition state", func() bool {
			return zkExists(t, conn, znode.TopicPartitionStatePath(name, 0))
		})
		for _, n := range m.Brokers {
			WaitFor(t, 20*time.Second, "a log of "+name+" on every broker", func() bool {
				_, err := os.Stat(filepath.Join(n.DataDir, name+"-0"))
				return err == nil
			})
		}
	}
	if got := zkConfig(t, conn, "before")["retention.ms"]; got != retention {
		t.Errorf("ZooKeeper's retention.ms of before = %q; the last acknowledged change set %q", got, retention)
	}
	for _, n := range m.Brokers {
		if strings.Contains(n.Log(), `msg="deleting partition log"`) {
			t.Errorf("broker %s deleted a partition log during the rollback", n.BrokerAddr)
		}
	}
	view, err := plainAdmin.FetchControllerView(ctx, m.ControllerAddr())
	if err != nil {
		t.Fatal(err)
	}
	for name := range view.Image.Topics {
		if !zkExists(t, conn, znode.TopicPath(name)) {
			t.Errorf("the quorum holds topic %s, which ZooKeeper does not: a write the quorum took was lost", name)
		}
	}
	cl := m.Client(kgo.ConsumeTopics("before"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	checkAcked(t, acked, readValues(cl, len(acked)))
}
