package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestCompactedTopic writes many values per key and some tombstones to a compacted
// topic: after the cleaner runs, only the latest value of each key is left, the
// tombstones are gone after delete.retention.ms, and offsets are unchanged.
func TestCompactedTopic(t *testing.T) {
	n := StartSingleNode(t, "log.retention.check.interval.ms=500")
	createTopic(t, n.BrokerAddr, "compacted", 1, map[string]*string{
		"cleanup.policy":            strp("compact"),
		"segment.bytes":             strp("4096"),
		"min.cleanable.dirty.ratio": strp("0.01"),
		"delete.retention.ms":       strp("1000"),
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("compacted"), kgo.ProducerBatchCompression(kgo.ZstdCompression()))

	if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("no key")}).FirstErr(); !errors.Is(err, kerr.InvalidRecord) {
		t.Fatalf("a keyless record on a compacted topic: want INVALID_RECORD, got %v", err)
	}

	filler := func(i int) []byte {
		b := make([]byte, 300)
		rand.Read(b)
		return []byte(fmt.Sprintf("%d-%x", i, b))
	}
	latest := map[string]string{}
	for round := 0; round < 30; round++ {
		for k := 0; k < 8; k++ {
			key, value := fmt.Sprintf("k%d", k), fmt.Sprintf("k%d-round-%d-%s", k, round, filler(round))
			latest[key] = value
			if err := p.ProduceSync(ctx, &kgo.Record{Key: []byte(key), Value: []byte(value)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, key := range []string{"k0", "k1"} {
		delete(latest, key)
		if err := p.ProduceSync(ctx, &kgo.Record{Key: []byte(key)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// Unique keys push the tombstones out of the active segment.
	for i := 0; i < 30; i++ {
		key := fmt.Sprintf("filler-%d", i)
		value := string(filler(i))
		latest[key] = value
		if err := p.ProduceSync(ctx, &kgo.Record{Key: []byte(key), Value: []byte(value)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	end := listEnd(t, newClient(t, n.BrokerAddr), "compacted")

	var recs []*kgo.Record
	waitFor(t, 40*time.Second, func() bool {
		recs = readCompacted(t, n.BrokerAddr, end)
		return len(recs) <= len(latest)
	})
	seen := map[string]bool{}
	var last int64 = -1
	for _, r := range recs {
		if r.Offset <= last {
			t.Fatalf("offsets not increasing: %d after %d", r.Offset, last)
		}
		last = r.Offset
		if seen[string(r.Key)] {
			t.Fatalf("key %s appears twice after compaction", r.Key)
		}
		seen[string(r.Key)] = true
		if want, ok := latest[string(r.Key)]; !ok || string(r.Value) != want {
			t.Fatalf("key %s: got %.20q, want the latest value %.20q (present %v)", r.Key, r.Value, want, ok)
		}
	}
	if len(seen) != len(latest) {
		t.Fatalf("%d keys after compaction, want %d", len(seen), len(latest))
	}
}

// readCompacted reads every record below end, whatever offsets compaction removed.
func readCompacted(t *testing.T, addr string, end int64) []*kgo.Record {
	t.Helper()
	cl := newClient(t, addr, kgo.ConsumeTopics("compacted"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var out []*kgo.Record
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read the compacted topic: %v", ctx.Err())
		}
		for _, r := range fs.Records() {
			out = append(out, r)
			if r.Offset == end-1 {
				return out
			}
		}
	}
}
