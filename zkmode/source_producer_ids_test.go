package zkmode

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSourceAllocateProducerIDs: blocks follow one another from 0, in Kafka's znode
// format, and two brokers racing for blocks never get the same one.
func TestSourceAllocateProducerIDs(t *testing.T) {
	srv := zktest.Start(t)
	a := startSource(t, dial(t, srv.Addr()), "")
	b := startSource(t, dial(t, srv.Addr()), "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first, n, err := a.AllocateProducerIDs(ctx, 1, 0)
	if err != nil || first != 0 || n != 1000 {
		t.Fatalf("first block: %d+%d, %v", first, n, err)
	}
	raw, _, err := a.conn.Get(ctx, znode.ProducerIDBlockPath)
	if err != nil || string(raw) != `{"version":1,"broker":1,"block_start":"0","block_end":"999"}` {
		t.Fatalf("block znode = %s (%v)", raw, err)
	}
	var mu sync.Mutex
	starts := map[int64]bool{0: true}
	var wg sync.WaitGroup
	for _, s := range []*Source{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				start, _, err := s.AllocateProducerIDs(ctx, s.opts.BrokerID, 0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if starts[start] {
					t.Errorf("block %d handed out twice", start)
				}
				starts[start] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(starts) != 21 {
		t.Fatalf("%d distinct blocks, want 21", len(starts))
	}
}
