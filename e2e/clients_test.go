package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func newClient(t testing.TB, addr string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func createTopic(t *testing.T, addr, topic string, partitions int32, configs map[string]*string) {
	t.Helper()
	adm := kadm.NewClient(newClient(t, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := adm.CreateTopics(ctx, partitions, 1, configs, topic)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// TestKcat drives the broker with librdkafka through kcat: metadata, keyed produce and
// a byte-for-byte read back.
func TestKcat(t *testing.T) {
	kcat := requireTool(t, "kcat")
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "kcat-topic", 2, nil)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	meta, err := exec.CommandContext(ctx, kcat, "-b", n.BrokerAddr, "-L").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -L: %v\n%s", err, meta)
	}
	for _, want := range []string{"1 brokers:", "broker 1 at 127.0.0.1", `topic "kcat-topic" with 2 partitions`} {
		if !strings.Contains(string(meta), want) {
			t.Fatalf("kcat -L output lacks %q:\n%s", want, meta)
		}
	}

	var input bytes.Buffer
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&input, "key-%d:value %d with spaces\tand tab\n", i%7, i)
	}
	prod := exec.CommandContext(ctx, kcat, "-b", n.BrokerAddr, "-P", "-t", "kcat-topic", "-K:", "-X", "acks=all")
	prod.Stdin = bytes.NewReader(input.Bytes())
	if out, err := prod.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
	cons := exec.CommandContext(ctx, kcat, "-b", n.BrokerAddr, "-C", "-t", "kcat-topic", "-e", "-o", "beginning", "-f", "%k:%s\n")
	out, err := cons.Output()
	if err != nil {
		t.Fatalf("kcat -C: %v\n%s", err, out)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := strings.Split(strings.TrimSpace(input.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("kcat read %d records, want %d", len(got), len(want))
	}
	counts := map[string]int{}
	for _, l := range want {
		counts[l]++
	}
	for _, l := range got {
		counts[l]--
	}
	for l, c := range counts {
		if c != 0 {
			t.Fatalf("record %q: count differs by %d", l, c)
		}
	}
}

// TestFranzGoCompression produces with franz-go's default (idempotent, acks=all)
// producer in every codec and reads each batch back intact.
func TestFranzGoCompression(t *testing.T) {
	n := StartSingleNode(t)
	codecs := map[string]kgo.CompressionCodec{
		"none":   kgo.NoCompression(),
		"gzip":   kgo.GzipCompression(),
		"snappy": kgo.SnappyCompression(),
		"lz4":    kgo.Lz4Compression(),
		"zstd":   kgo.ZstdCompression(),
	}
	for name, codec := range codecs {
		t.Run(name, func(t *testing.T) {
			topic := "codec-" + name
			createTopic(t, n.BrokerAddr, topic, 1, nil)
			prod := newClient(t, n.BrokerAddr, kgo.ProducerBatchCompression(codec), kgo.DefaultProduceTopic(topic))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var sent []string
			for i := 0; i < 500; i++ {
				v := fmt.Sprintf("%s-record-%d-%s", name, i, strings.Repeat("x", i%50))
				sent = append(sent, v)
				prod.Produce(ctx, &kgo.Record{Key: []byte(fmt.Sprint(i)), Value: []byte(v)}, nil)
			}
			if err := prod.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			recs := consumeAll(t, n.BrokerAddr, topic, len(sent))
			for i, r := range recs {
				if string(r.Value) != sent[i] || string(r.Key) != fmt.Sprint(i) || r.Offset != int64(i) {
					t.Fatalf("record %d: got key %q value %q offset %d", i, r.Key, r.Value, r.Offset)
				}
			}
		})
	}
}

// consumeAll reads want records from the start of a topic.
func consumeAll(t *testing.T, addr, topic string, want int) []*kgo.Record {
	t.Helper()
	cl := newClient(t, addr, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records before timeout", len(out), want)
		}
		fs.EachError(func(topic string, p int32, err error) {
			t.Fatalf("fetch %s/%d: %v", topic, p, err)
		})
		out = append(out, fs.Records()...)
	}
	return out
}
