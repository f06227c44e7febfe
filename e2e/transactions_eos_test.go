package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// eosWorker is one running worker process.
type eosWorker struct {
	cmd    *exec.Cmd
	stderr *strings.Builder
	done   chan struct{}
}

func startEOSWorker(t *testing.T, c *Cluster, id string) *eosWorker {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := &eosWorker{cmd: exec.Command(self), stderr: &strings.Builder{}, done: make(chan struct{})}
	w.cmd.Env = append(os.Environ(), eosWorkerEnv+"="+id, eosBrokersEnv+"="+strings.Join(c.BrokerAddrs(), ","))
	w.cmd.Stderr = w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w.cmd.Wait()
		close(w.done)
	}()
	t.Cleanup(func() {
		w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.done:
		case <-time.After(10 * time.Second):
			w.cmd.Process.Kill()
			<-w.done
		}
		if t.Failed() {
			t.Logf("eos worker %s stderr:\n%s", id, w.stderr.String())
		}
	})
	return w
}

func (w *eosWorker) kill() {
	w.cmd.Process.Kill()
	<-w.done
}

// stop ends the worker as an operator would (SIGTERM: it closes its session).
func (w *eosWorker) stop() {
	w.cmd.Process.Signal(syscall.SIGTERM)
	<-w.done
}

// TestTransactionsExactlyOnce: two consume-transform-produce workers (franz-go's
// GroupTransactSession, each a process of its own) copy an input topic written at a
// steady rate to an output topic in the 3+3 cluster. One worker is killed with kill -9
// mid-stream and started again, and the leader of an output partition is killed and
// restarted. The output, read with read_committed, holds every input record exactly
// once.
func TestTransactionsExactlyOnce(t *testing.T) {
	c := StartCluster(t, 3, 3, "transaction.abort.timed.out.transaction.cleanup.interval.ms=500")
	const partitions, total, rate = 6, 2000, 250
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	adm := kadm.NewClient(c.Client())
	for _, topic := range []string{eosInput, eosOutput} {
		if resp, err := adm.CreateTopics(ctx, partitions, 3, nil, topic); err != nil || resp.Error() != nil {
			t.Fatalf("create %s: %v %v", topic, err, resp.Error())
		}
	}
	workers := []*eosWorker{startEOSWorker(t, c, "1"), startEOSWorker(t, c, "2")}

	input := c.Client(kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(eosInput))
	var produceErrs []error
	var mu sync.Mutex
	var inflight sync.WaitGroup
	go func() {
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for i := range total {
			<-tick.C
			inflight.Add(1)
			input.Produce(ctx, &kgo.Record{Partition: int32(i % partitions), Value: fmt.Appendf(nil, "in-%05d", i)}, func(_ *kgo.Record, err error) {
				defer inflight.Done()
				if err != nil {
					mu.Lock()
					produceErrs = append(produceErrs, err)
					mu.Unlock()
				}
			})
		}
	}()

	output := newIsolatedConsumer(c.Client(isolatedConsumerOpts(eosOutput, kgo.ReadCommitted())...))
	read := func() int {
		n := 0
		for _, vs := range output.got {
			n += len(vs)
		}
		return n
	}
	output.pollUntil(t, "a first share of the output", func() bool { return read() >= total/6 })
	workers[0].kill()
	workers[0] = startEOSWorker(t, c, "1")

	output.pollUntil(t, "half of the output", func() bool { return read() >= total/2 })
	d, err := c.Partition(adm, eosOutput, 0)
	if err != nil {
		t.Fatal(err)
	}
	leader := c.Broker(d.Leader)
	leader.Kill()
	output.pollUntil(t, "output past the leader's death", func() bool { return read() >= 2*total/3 })
	leader.Start()

	output.pollUntil(t, "every input record in the output", func() bool { return read() >= total })
	inflight.Wait()
	mu.Lock()
	if len(produceErrs) > 0 {
		t.Fatalf("%d input records failed, the first: %v", len(produceErrs), produceErrs[0])
	}
	mu.Unlock()
	// With the workers stopped and no transaction open (the last stable offsets have
	// reached the high watermarks), kcat reads the whole output to its end.
	for _, w := range workers {
		w.stop()
	}
	WaitFor(t, time.Minute, "no transaction open on the output", func() bool {
		stable, err1 := adm.ListCommittedOffsets(ctx, eosOutput)
		end, err2 := adm.ListEndOffsets(ctx, eosOutput)
		if err1 != nil || err2 != nil || stable.Error() != nil || end.Error() != nil {
			return false
		}
		for p := range int32(partitions) {
			s, _ := stable.Lookup(eosOutput, p)
			e, _ := end.Lookup(eosOutput, p)
			if s.Offset != e.Offset {
				return false
			}
		}
		return true
	})
	got := kcatRead(ctx, t, requireTool(t, "kcat"), c.BrokerAddrs()[0], eosOutput, "read_committed")
	seen := map[string]int{}
	n := 0
	for _, vs := range got {
		for _, v := range vs {
			seen[v]++
			n++
		}
	}
	var dups, missing []string
	for i := range total {
		v := fmt.Sprintf("out-in-%05d", i)
		switch seen[v] {
		case 1:
		case 0:
			missing = append(missing, v)
		default:
			dups = append(dups, fmt.Sprintf("%s×%d", v, seen[v]))
		}
	}
	if len(dups) > 0 || len(missing) > 0 || n != total {
		t.Fatalf("the output holds %d records for %d inputs: %d duplicated %v, %d missing %v",
			n, total, len(dups), firstN(dups, 10), len(missing), firstN(missing, 10))
	}
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }
