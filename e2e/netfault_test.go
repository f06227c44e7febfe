package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/internal/checker"
	"github.com/kbridge/kbridge/internal/netfault"
)

// TestNetfaultClientsCutFromSingleNode: a KRaft node in a network namespace serves an
// idempotent acks=all producer in the root namespace; cut from the clients, the
// producer's record fails (and the cut is what dropped its packets); healed, producing
// works again. The checker then finds every acknowledged record in the log exactly
// once, and the stopped node's metadata image holds the topic.
func TestNetfaultClientsCutFromSingleNode(t *testing.T) {
	faultTestParallel(t)
	l := netfault.ForTest(t, netfault.Member{Name: "node1", Roles: netfault.Broker | netfault.Controller})
	n := startSingleNodeIn(t, l, "node1")
	const topic = "netfault-smoke"
	createTopic(t, n.BrokerAddr, topic, 1, nil)

	// A record sent into the cut must fail in seconds. franz-go never fails an
	// idempotent record whose request went unanswered unless allowed to: it cannot
	// tell a lost request from a lost answer. The record failed here is never produced
	// again, so no duplicate can come of it, and the checker judges only acked records.
	producer := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProduceRequestTimeout(2*time.Second),
		kgo.RecordDeliveryTimeout(4*time.Second), kgo.AllowIdempotentProduceCancellation())
	var h checker.History
	seq := 0
	produce := func() error {
		r := &kgo.Record{Value: fmt.Appendf(nil, "p1-%d", seq)}
		seq++
		if err := producer.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			return err
		}
		h.AckRecord("p1", r)
		return nil
	}
	for range 5 {
		if err := produce(); err != nil {
			t.Fatalf("produce before the cut: %v", err)
		}
	}

	if err := l.CutFromClients("node1"); err != nil {
		t.Fatal(err)
	}
	if err := produce(); !errors.Is(err, kgo.ErrRecordTimeout) {
		t.Fatalf("produce across the cut between the clients and the node: %v, want %v", err, kgo.ErrRecordTimeout)
	}
	if dropped, err := l.Dropped(netfault.ClientsName, "node1"); err != nil || dropped == 0 {
		t.Fatalf("the cut dropped %d packets from the clients (%v): the produce failed for another reason", dropped, err)
	}

	if err := l.Heal(netfault.ClientsName, "node1"); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, "a record acknowledged after the heal", func() bool { return produce() == nil })
	for range 5 {
		if err := produce(); err != nil {
			t.Fatalf("produce after the heal: %v", err)
		}
	}

	readAll(t, &h, n.BrokerAddr, topic)
	if vs := checker.CheckAll(h.Ops()); len(vs) > 0 {
		t.Fatal(checker.Report(vs))
	}

	n.Stop()
	image, err := checker.DumpImage(context.Background(), kbridgeBin, filepath.Join(n.DataDir, "__cluster_metadata-0"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(image, []byte(`"`+topic+`"`)) {
		t.Fatalf("the metadata image does not name %s:\n%s", topic, image)
	}
}

// readAll consumes the topic from its start to its end as it is now, recording every
// record as a read of consumer "final", the complete read CheckAcked needs.
func readAll(t testing.TB, h *checker.History, seed, topic string) {
	t.Helper()
	adm := kadm.NewClient(newClient(t, seed))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("end offsets of %s: %v", topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { want[o.Partition] = o.Offset })
	consumer := newClient(t, seed, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	next := map[int32]int64{}
	done := func() bool {
		for p, end := range want {
			if next[p] < end {
				return false
			}
		}
		return true
	}
	for !done() {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s: got to %v of %v", topic, next, want)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			h.ReadRecord("final", r)
			next[r.Partition] = r.Offset + 1
		})
	}
}
