package kraftmode

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// snapshotBatchRecords caps the records per batch in a snapshot, as Kafka's snapshot
// writer caps batch size, so no single batch of a large image is huge.
const snapshotBatchRecords = 1000

// errTransactionOpen makes Raft retry a snapshot later: an image holds an open
// transaction's records aside until its End, and a snapshot (the image as plain records)
// cannot express them, so one taken inside a transaction would lose its first half.
var errTransactionOpen = errors.New("metadata transaction open")

// Snapshot captures the current image. Images are immutable, so the capture is a
// pointer and Persist can run concurrently with Apply.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	if f.image().InTransaction() {
		return nil, fmt.Errorf("snapshot metadata: %w", errTransactionOpen)
	}
	return &imageSnapshot{img: f.image()}, nil
}

// Restore replaces the image with the one in a snapshot written by Persist and
// publishes it, so subscribers see the restored state like any other update.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read metadata snapshot: %w", err)
	}
	img := f.emptyImage()
	offset, epoch, err := ApplySnapshot(img, b)
	if err != nil {
		return fmt.Errorf("restore metadata snapshot: %w", err)
	}
	img.SetPosition(offset, epoch)
	f.publish(img)
	f.log.Info("restored metadata snapshot", "offset", offset, "epoch", epoch, "topics", len(img.Topics))
	return nil
}

// imageSnapshot is one image being written as a snapshot.
type imageSnapshot struct {
	img *metadata.Image
}

// Persist writes the image in Kafka's snapshot format (see writeSnapshot). Every batch
// carries the image's offset as its base offset and its epoch as partition leader
// epoch, which is how Restore learns the position the snapshot reflects.
func (s *imageSnapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriter(sink)
	err := writeSnapshot(w, s.img.Offset, s.img.Epoch, s.img.Records())
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist metadata snapshot at offset %d: %w", s.img.Offset, err)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("close metadata snapshot at offset %d: %w", s.img.Offset, err)
	}
	return nil
}

// Release is a no-op: the captured image is garbage-collected like any other.
func (s *imageSnapshot) Release() {}

// writeSnapshot writes recs as Kafka writes a snapshot: a control batch with the
// SnapshotHeader, the records in batches, and a control batch with the SnapshotFooter.
func writeSnapshot(w io.Writer, offset int64, epoch int32, recs []metadata.Record) error {
	now := time.Now().UnixMilli()
	write := func(batch []metadata.Record) error {
		if _, err := w.Write(metadata.EncodeBatch(offset, epoch, now, batch)); err != nil {
			return fmt.Errorf("write record batch: %w", err)
		}
		return nil
	}
	if err := write([]metadata.Record{metadata.NewSnapshotHeader(now)}); err != nil {
		return err
	}
	for start := 0; start < len(recs); start += snapshotBatchRecords {
		if err := write(recs[start:min(start+snapshotBatchRecords, len(recs))]); err != nil {
			return err
		}
	}
	return write([]metadata.Record{metadata.NewSnapshotFooter()})
}

// ApplySnapshot applies the records of a snapshot-format file to img and returns the
// base offset and leader epoch of its last batch (-1, -1 when it has none). Control
// batches (header, footer) carry no metadata. It is how a voter restores a snapshot,
// exported for kraftbroker: a broker's follower loads the snapshot it fetched from the
// leader (FetchSnapshot) with this same code, so its image cannot drift from a voter's.
func ApplySnapshot(img *metadata.Image, b []byte) (int64, int32, error) {
	batches, err := metadata.DecodeBatches(b)
	if err != nil {
		return 0, 0, fmt.Errorf("decode record batches: %w", err)
	}
	offset, epoch := int64(-1), int32(-1)
	for _, batch := range batches {
		offset, epoch = batch.BaseOffset, batch.LeaderEpoch
		if batch.Control {
			continue
		}
		if err := ApplyRecords(img, batch.Records); err != nil {
			return 0, 0, fmt.Errorf("batch at offset %d: %w", batch.BaseOffset, err)
		}
	}
	return offset, epoch, nil
}
