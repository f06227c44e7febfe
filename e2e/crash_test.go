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

// TestKill9KeepsAcknowledgedWrites kills the node with SIGKILL in the middle of an
// acks=all produce loop, restarts it, and checks every acknowledged record is there,
// once, with offsets that continue without a gap or a repeat.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	n := StartSingleNode(t)
	const topic = "crash-topic"
	createTopic(t, n.BrokerAddr, topic, 1, nil)

	prod := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordDeliveryTimeout(2*time.Second), kgo.ProduceRequestTimeout(time.Second))
	var mu sync.Mutex
	acked := map[string]int64{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			v := fmt.Sprintf("r-%06d", i)
			prod.Produce(ctx, &kgo.Record{Value: []byte(v)}, func(r *kgo.Record, err error) {
				if err == nil {
					mu.Lock()
					acked[string(r.Value)] = r.Offset
					mu.Unlock()
				}
			})
			if i%100 == 99 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	waitFor(t, 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 5000 })
	n.Kill()
	cancel()
	wg.Wait()
	prod.Close()
	mu.Lock()
	ackedCount := len(acked)
	mu.Unlock()
	t.Logf("%d records acknowledged before kill -9", ackedCount)

	n.Start()
	cl := newClient(t, n.BrokerAddr)
	end := listEnd(t, cl, topic)
	if end < int64(ackedCount) {
		t.Fatalf("log end offset %d after restart, but %d records were acknowledged", end, ackedCount)
	}
	recs := consumeAll(t, n.BrokerAddr, topic, int(end))
	seen := map[string]bool{}
	for i, r := range recs {
		if r.Offset != int64(i) {
			t.Fatalf("offset gap or repeat: record %d has offset %d", i, r.Offset)
		}
		if seen[string(r.Value)] {
			t.Fatalf("record %s stored twice", r.Value)
		}
		seen[string(r.Value)] = true
	}
	for v, off := range acked {
		if !seen[v] {
			t.Fatalf("acknowledged record %s (offset %d) lost", v, off)
		}
		if recs[off].Offset != off || string(recs[off].Value) != v {
			t.Fatalf("acknowledged record %s at offset %d, found %q there", v, off, recs[off].Value)
		}
	}

	// Offsets continue after the recovered tail.
	prod2 := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic(topic))
	res := prod2.ProduceSync(context.Background(), &kgo.Record{Value: []byte("after-restart")})
	if err := res.FirstErr(); err != nil {
		t.Fatal(err)
	}
	if got := res[0].Record.Offset; got != end {
		t.Fatalf("first offset after restart %d, want %d", got, end)
	}
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listEnd returns partition 0's high watermark.
func listEnd(t *testing.T, cl *kgo.Client, topic string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offsets, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := offsets.Lookup(topic, 0)
	if !ok || o.Err != nil {
		t.Fatalf("list end offset of %s: %v", topic, o.Err)
	}
	return o.Offset
}
