package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// steadyProducer sends keyed records at a fixed rate across topics (the client's
// default partitioner spreads them over every partition), as the background load of
// the migration's fault tests and the replicated latency benchmark, and remembers what
// was acknowledged and how long each acknowledgement took.
type steadyProducer struct {
	mu     sync.Mutex
	acked  map[string]bool
	failed []error
	took   []ackTime
	stop   chan struct{}
	done   chan struct{}
}

// ackTime is when a record was produced and how long its acknowledgement took.
type ackTime struct {
	sent time.Time
	took time.Duration
}

// startSteadyProducer produces rate records per second through cl until finish.
func startSteadyProducer(cl *kgo.Client, topics []string, rate int) *steadyProducer {
	p := &steadyProducer{acked: make(map[string]bool), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		var inflight sync.WaitGroup
		defer inflight.Wait()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		start, sent := time.Now(), 0
		for {
			select {
			case <-p.stop:
				return
			case now := <-tick.C:
				for due := int(now.Sub(start).Seconds() * float64(rate)); sent < due; sent++ {
					key := fmt.Sprintf("s%07d", sent)
					produced := time.Now()
					inflight.Add(1)
					cl.Produce(context.Background(), &kgo.Record{Topic: topics[sent%len(topics)], Key: []byte(key), Value: []byte(key)}, func(r *kgo.Record, err error) {
						took := time.Since(produced)
						defer inflight.Done()
						p.mu.Lock()
						defer p.mu.Unlock()
						if err != nil {
							p.failed = append(p.failed, err)
							return
						}
						p.acked[string(r.Key)] = true
						p.took = append(p.took, ackTime{produced, took})
					})
				}
			}
		}
	}()
	return p
}

// count is how many records were acknowledged so far.
func (p *steadyProducer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.acked)
}

// latenciesFrom lists, sorted, how long the acknowledgements of the records produced
// from t on took; call it after finish.
func (p *steadyProducer) latenciesFrom(t time.Time) []time.Duration {
	var out []time.Duration
	for _, a := range p.took {
		if !a.sent.Before(t) {
			out = append(out, a.took)
		}
	}
	slices.Sort(out)
	return out
}

// finish stops producing, waits for every record in flight, and returns the
// acknowledged keys and the failed produce calls.
func (p *steadyProducer) finish() (map[string]bool, []error) {
	close(p.stop)
	<-p.done
	return p.acked, p.failed
}
