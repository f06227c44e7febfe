package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// oldClient is a Kafka client as a release of Kafka's own client spoke: franz-go
// pinned to that release's API versions, so it sends exactly the request versions
// (and, before 0.11, the message formats) that release's clients sent.
type oldClient struct {
	release  string
	versions *kversion.Versions
	codecs   []kgo.CompressionCodec
}

var legacyCodecs = []kgo.CompressionCodec{kgo.NoCompression(), kgo.GzipCompression(), kgo.SnappyCompression(), kgo.Lz4Compression()}

// oldClients span what a cluster being migrated still has connected: 0.9 (message
// format v0, no ApiVersions, ListOffsets v0, as Burrow's sarama speaks by default),
// 0.10 (format v1 with timestamps), 0.11 (format v2), and the 1.x-3.x clients.
//
// 0.9's consumer reads no LZ4 here: Kafka writes message format v0's LZ4 frames with
// the header checksum 0.9 clients computed wrongly (KAFKA-3160), which franz-go's
// decoder rejects; oldProducerLZ4 covers 0.9's LZ4 produce instead.
var oldClients = []oldClient{
	{"0.9.0", kversion.V0_9_0(), legacyCodecs[:3]},
	{"0.10.0", kversion.V0_10_0(), legacyCodecs},
	{"0.10.2", kversion.V0_10_2(), legacyCodecs},
	{"0.11.0", kversion.V0_11_0(), legacyCodecs},
	{"1.0.0", kversion.V1_0_0(), legacyCodecs},
	{"2.4.0", kversion.V2_4_0(), append(legacyCodecs, kgo.ZstdCompression())},
	{"3.0.0", kversion.V3_0_0(), []kgo.CompressionCodec{kgo.ZstdCompression()}},
}

// TestOldClients is issue 14's first acceptance: clients of old Kafka releases produce
// with every codec their release had, consume those records back in a consumer group
// that commits its offsets, and list the end offsets, through Kafka 3.9's lowest
// versions of each API (Produce v1 with message format v0, Fetch v1, ListOffsets v0,
// JoinGroup v0, OffsetCommit v2 ...). Every record comes back once, in order per
// partition, with the key it was produced with, and with its timestamp from 0.10 on.
func TestOldClients(t *testing.T) {
	n := StartSingleNode(t)
	t.Run("0.9.0 LZ4 producer", func(t *testing.T) { oldProducerLZ4(t, n) })
	for _, oc := range oldClients {
		t.Run(oc.release, func(t *testing.T) {
			topic := "old-" + strings.ReplaceAll(oc.release, ".", "-")
			createTopic(t, n.BrokerAddr, topic, 3, nil)
			pinned := []kgo.Opt{kgo.MaxVersions(oc.versions)}
			var produced []string
			start := time.Now().Add(-time.Second)
			for _, codec := range oc.codecs {
				p := newClient(t, n.BrokerAddr, append(pinned, kgo.DefaultProduceTopic(topic), kgo.ProducerBatchCompression(codec),
					kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(50*time.Millisecond))...)
				var recs []*kgo.Record
				for i := range 40 {
					v := fmt.Sprintf("%s-%v-%02d", oc.release, codec, i)
					recs = append(recs, &kgo.Record{Key: []byte(v), Value: []byte(v)})
					produced = append(produced, v)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				err := p.ProduceSync(ctx, recs...).FirstErr()
				cancel()
				if err != nil {
					t.Fatalf("produce with %v: %v", codec, err)
				}
			}

			group := "g-" + topic
			c := newClient(t, n.BrokerAddr, append(pinned, kgo.ConsumeTopics(topic), kgo.ConsumerGroup(group),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())...)
			var got []*kgo.Record
			deadline := time.Now().Add(30 * time.Second)
			for len(got) < len(produced) && time.Now().Before(deadline) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				fs := c.PollFetches(ctx)
				cancel()
				for _, e := range fs.Errors() {
					if e.Err != context.DeadlineExceeded {
						t.Fatalf("fetch %s-%d: %v", e.Topic, e.Partition, e.Err)
					}
				}
				got = append(got, fs.Records()...)
			}
			checkOldRecords(t, oc, produced, got, start)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := c.CommitUncommittedOffsets(ctx); err != nil {
				t.Fatalf("commit: %v", err)
			}
			// kadm reads neither ListOffsets v0's OldStyleOffsets nor an OffsetFetch
			// below v2 (which must name its topics), so both go out raw, at the
			// release's versions.
			admin := newClient(t, n.BrokerAddr, pinned...)
			ends := oldEndOffsets(ctx, t, admin, topic, 3)
			committed := oldCommitted(ctx, t, admin, group, topic, 3)
			var total int64
			for p, end := range ends {
				total += end
				if committed[p] != end {
					t.Errorf("%s-%d: committed %d, end offset %d", topic, p, committed[p], end)
				}
			}
			if total != int64(len(produced)) {
				t.Errorf("end offsets %v add up to %d, produced %d", ends, total, len(produced))
			}
		})
	}
}

// oldProducerLZ4: a 0.9 producer's LZ4 message sets (format v0) are taken and read
// back by a current client.
func oldProducerLZ4(t *testing.T, n *Node) {
	createTopic(t, n.BrokerAddr, "old-lz4", 1, nil)
	p := newClient(t, n.BrokerAddr, kgo.MaxVersions(kversion.V0_9_0()), kgo.DefaultProduceTopic("old-lz4"),
		kgo.ProducerBatchCompression(kgo.Lz4Compression()), kgo.DisableIdempotentWrite())
	var produced []string
	var recs []*kgo.Record
	for i := range 30 {
		v := fmt.Sprintf("lz4-%02d", i)
		produced = append(produced, v)
		recs = append(recs, &kgo.Record{Key: []byte(v), Value: []byte(v)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := p.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	c := newClient(t, n.BrokerAddr, kgo.ConsumeTopics("old-lz4"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	checkAcked(t, produced, readValues(c, len(produced)))
}

// checkOldRecords: every produced record read once, in produced order within each
// partition, its key intact, and a timestamp from the client's clock for releases
// whose message format has one (0.10+); 0.9's records have none (-1, which the client
// reports as the zero time).
func checkOldRecords(t *testing.T, oc oldClient, produced []string, got []*kgo.Record, start time.Time) {
	t.Helper()
	order := make(map[string]int, len(produced))
	for i, v := range produced {
		order[v] = i
	}
	seen := map[string]bool{}
	last := map[int32]int{}
	for _, r := range got {
		v := string(r.Value)
		i, ok := order[v]
		switch {
		case !ok:
			t.Fatalf("read a record nobody produced: %q", v)
		case seen[v]:
			t.Fatalf("read %q twice", v)
		case string(r.Key) != v:
			t.Fatalf("record %q came back with key %q", v, r.Key)
		}
		if prev, ok := last[r.Partition]; ok && i < prev {
			t.Fatalf("partition %d: %q read after a record produced later", r.Partition, v)
		}
		seen[v], last[r.Partition] = true, i
		hasTimestamps := oc.release != "0.9.0"
		if hasTimestamps && r.Timestamp.Before(start) {
			t.Fatalf("record %q has timestamp %v, produced after %v", v, r.Timestamp, start)
		}
		if !hasTimestamps && r.Timestamp.UnixMilli() > 0 {
			t.Fatalf("record %q of message format v0 has timestamp %v", v, r.Timestamp)
		}
	}
	if len(seen) != len(produced) {
		var missing []string
		for _, v := range produced {
			if !seen[v] {
				missing = append(missing, v)
			}
		}
		slices.Sort(missing)
		t.Fatalf("read %d of %d records; missing %v", len(seen), len(produced), missing)
	}
}

// oldEndOffsets lists partitions 0..n-1's end offsets through ListOffsets at the
// client's version: v0 answers in OldStyleOffsets, later versions in Offset.
func oldEndOffsets(ctx context.Context, t *testing.T, cl *kgo.Client, topic string, n int32) []int64 {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for p := range n {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp, rp.MaxNumOffsets = p, -1, 1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != int(n) {
		t.Fatalf("ListOffsets: %v %+v", err, resp)
	}
	ends := make([]int64, n)
	for _, p := range resp.Topics[0].Partitions {
		off := p.Offset
		if resp.Version == 0 {
			if len(p.OldStyleOffsets) != 1 {
				t.Fatalf("ListOffsets v0 for %s-%d: %+v", topic, p.Partition, p)
			}
			off = p.OldStyleOffsets[0]
		}
		if p.ErrorCode != 0 {
			t.Fatalf("ListOffsets v%d for %s-%d: error %d", resp.Version, topic, p.Partition, p.ErrorCode)
		}
		ends[p.Partition] = off
	}
	return ends
}

// oldCommitted fetches group's committed offsets of partitions 0..n-1, naming them
// as OffsetFetch below v2 must.
func oldCommitted(ctx context.Context, t *testing.T, cl *kgo.Client, group, topic string, n int32) []int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	for p := range n {
		rt.Partitions = append(rt.Partitions, p)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("OffsetFetch: %v", err)
	}
	committed := make([]int64, n)
	for i := range committed {
		committed[i] = -1
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			committed[p.Partition] = p.Offset
		}
	}
	return committed
}
