package kraftmode

import (
	"bytes"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

func logEntry(index uint64, recs ...metadata.Record) *raft.Log {
	return &raft.Log{Type: raft.LogCommand, Index: index, Term: 1, Data: metadata.EncodeBatch(int64(index), 1, 0, recs)}
}

func TestFSMApplyIsAtomic(t *testing.T) {
	f := newFSM("cluster", slog.New(slog.NewTextHandler(io.Discard, nil)))
	var seen []int64
	f.subscribe(func(img *metadata.Image) { seen = append(seen, img.Offset) })

	id := metadata.RandomUuid()
	if resp := f.Apply(logEntry(1, &metadata.TopicRecord{Name: "a", TopicID: id})); resp != nil {
		t.Fatalf("apply: %v", resp)
	}
	before := f.image()
	// The second record names a topic that does not exist: the whole batch is rejected.
	resp := f.Apply(logEntry(2,
		&metadata.TopicRecord{Name: "b", TopicID: metadata.RandomUuid()},
		metadata.NewTopicPartitionRecord(metadata.RandomUuid(), 0, []int32{1}, metadata.MetadataVersionLatest)))
	if err, ok := resp.(error); !ok || err == nil {
		t.Fatalf("bad batch response = %v, want an error", resp)
	}
	if f.image() != before || f.image().Topics["b"] != nil {
		t.Fatalf("a rejected batch changed the image")
	}
	if resp := f.Apply(&raft.Log{Type: raft.LogCommand, Index: 3, Data: []byte{1, 2, 3}}); resp == nil {
		t.Fatalf("garbage batch accepted")
	}
	if !reflect.DeepEqual(seen, []int64{1}) || before.Offset != 1 || before.ClusterID != "cluster" {
		t.Fatalf("published offsets %v, image offset %d cluster %q", seen, before.Offset, before.ClusterID)
	}
}

// memSink is a raft.SnapshotSink in memory.
type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

func TestFSMSnapshotRoundTrip(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := newFSM("cluster", logger)
	id := metadata.RandomUuid()
	reg := metadata.NewRegisterBrokerRecord()
	reg.BrokerID, reg.BrokerEpoch, reg.Fenced = 1, 2, false
	recs := []metadata.Record{
		&metadata.FeatureLevelRecord{Name: metadata.FeatureMetadataVersion, FeatureLevel: metadata.MetadataVersionLatest},
		reg,
		&metadata.TopicRecord{Name: "t", TopicID: id},
		metadata.NewTopicPartitionRecord(id, 0, []int32{1}, metadata.MetadataVersionLatest),
		&metadata.ConfigRecord{ResourceType: metadata.ConfigResourceTopic, ResourceName: "t", Name: "retention.ms", Value: strp("5")},
		&metadata.ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 2, NextProducerID: 3000},
	}
	if resp := f.Apply(logEntry(7, recs...)); resp != nil {
		t.Fatalf("apply: %v", resp)
	}
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatalf("persist: %v", err)
	}
	batches, err := metadata.DecodeBatches(sink.Bytes())
	if err != nil || len(batches) < 3 || !batches[0].Control || !batches[len(batches)-1].Control {
		t.Fatalf("snapshot is not header, records, footer: %d batches, %v", len(batches), err)
	}

	g := newFSM("cluster", logger)
	var restored *metadata.Image
	g.subscribe(func(img *metadata.Image) { restored = img })
	if err := g.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if restored == nil || restored != g.image() {
		t.Fatalf("restore did not publish")
	}
	if got, want := durable(g.image()), durable(f.image()); !reflect.DeepEqual(got, want) {
		t.Fatalf("restored image differs:\n got %+v\nwant %+v", got, want)
	}
	if g.image().Offset != 7 || g.image().Epoch != 1 {
		t.Errorf("restored position %d/%d, want 7/1", g.image().Offset, g.image().Epoch)
	}

	// No snapshot may cut through an open metadata transaction.
	name := "txn"
	if resp := f.Apply(logEntry(8, &metadata.BeginTransactionRecord{Name: &name})); resp != nil {
		t.Fatalf("begin: %v", resp)
	}
	if _, err := f.Snapshot(); err == nil {
		t.Fatalf("snapshot inside a transaction succeeded")
	}
}
