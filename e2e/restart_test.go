package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func strp(s string) *string { return &s }

// TestRestartKeepsTopicsConfigsOffsets stops and restarts a node cleanly: topics, their
// ids and configs, and the records with their offsets are all still there.
func TestRestartKeepsTopicsConfigsOffsets(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "keep", 3, map[string]*string{"retention.ms": strp("123456789"), "cleanup.policy": strp("delete")})
	cl := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("keep"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 30; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Partition: int32(i % 3), Value: []byte(fmt.Sprint(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm := kadm.NewClient(cl)
	before, err := adm.ListTopics(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()

	n.Stop()
	n.Start()

	cl2 := newClient(t, n.BrokerAddr)
	adm2 := kadm.NewClient(cl2)
	after, err := adm2.ListTopics(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	if after["keep"].ID != before["keep"].ID || len(after["keep"].Partitions) != 3 {
		t.Fatalf("topic changed across restart: before %+v after %+v", before["keep"], after["keep"])
	}
	cfgs, err := adm2.DescribeTopicConfigs(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := cfgs.On("keep", nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rc.Configs {
		if c.Key == "retention.ms" {
			found = c.MaybeValue() == "123456789" && c.Source.String() == "DYNAMIC_TOPIC_CONFIG"
		}
	}
	if !found {
		t.Fatalf("retention.ms override lost across restart: %+v", rc.Configs)
	}
	ends, err := adm2.ListEndOffsets(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset != 10 {
			t.Errorf("partition %d end offset %d after restart, want 10", o.Partition, o.Offset)
		}
	})
}

// TestRetentionDeletesWholeSegments writes enough to roll many small segments and
// checks retention.bytes removes whole old segments and raises the log start offset.
func TestRetentionDeletesWholeSegments(t *testing.T) {
	n := StartSingleNode(t, "log.retention.check.interval.ms=500")
	createTopic(t, n.BrokerAddr, "short", 1, map[string]*string{
		"segment.bytes":   strp("4096"),
		"retention.bytes": strp("16384"),
	})
	cl := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("short"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 200; i++ {
		value := make([]byte, 500)
		rand.Read(value) // incompressible, so 200 records really fill 25 segments
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: value}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(n.DataDir, "short-0")
	adm := kadm.NewClient(cl)
	waitFor(t, 20*time.Second, func() bool {
		starts, err := adm.ListStartOffsets(ctx, "short")
		if err != nil {
			return false
		}
		o, _ := starts.Lookup("short", 0)
		return o.Offset > 0
	})
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(segs) > 6 {
		t.Fatalf("retention.bytes=16384 with 4 KiB segments left %d segments", len(segs))
	}
	starts, _ := adm.ListStartOffsets(ctx, "short")
	o, _ := starts.Lookup("short", 0)
	first := filepath.Base(segs[0])
	if want := fmt.Sprintf("%020d.log", o.Offset); first != want {
		t.Fatalf("oldest segment %s, want %s (retention removes whole segments)", first, want)
	}
}

// TestDeleteTopicRemovesLogAndMetadata deletes a topic: it leaves the metadata and its
// directory leaves the disk, and stays gone after a restart.
func TestDeleteTopicRemovesLogAndMetadata(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "doomed", 2, nil)
	cl := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic("doomed"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	resp, err := adm.DeleteTopics(ctx, "doomed")
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	gone := func() bool {
		for _, p := range []string{"doomed-0", "doomed-1"} {
			if _, err := os.Stat(filepath.Join(n.DataDir, p)); err == nil {
				return false
			}
		}
		return true
	}
	waitFor(t, 10*time.Second, gone)
	n.Stop()
	n.Start()
	topics, err := kadm.NewClient(newClient(t, n.BrokerAddr)).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has("doomed") {
		t.Fatal("deleted topic is back after restart")
	}
	if !gone() {
		t.Fatal("deleted topic's log directory is back after restart")
	}
}
