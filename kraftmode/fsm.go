package kraftmode

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/metadata"
)

// fsm is the Raft state machine: the committed metadata.Image. Every log entry is one
// Kafka v2 record batch of metadata records, so the FSM is a thin loop over
// Image.Apply; snapshots are the image written back as records (snapshot.go), the same
// decode path as the log, so a restore cannot drift from a replay.
type fsm struct {
	clusterID string
	log       *slog.Logger
	current   atomic.Pointer[metadata.Image]
	// onApply, when set, is told of every batch of records decoded from the log, for
	// the Raft metrics (raftMetrics.applied). It is set before Raft starts.
	onApply func(l *raft.Log, records int)

	subMu sync.Mutex
	subs  []func(*metadata.Image)
}

var _ raft.FSM = (*fsm)(nil)

func newFSM(clusterID string, log *slog.Logger) *fsm {
	f := &fsm{clusterID: clusterID, log: log}
	f.current.Store(f.emptyImage())
	return f
}

func (f *fsm) emptyImage() *metadata.Image {
	img := metadata.NewImage()
	img.ClusterID = f.clusterID
	return img
}

// image is the newest published image; it is never mutated.
func (f *fsm) image() *metadata.Image { return f.current.Load() }

// subscribe adds fn to the functions called with each published image.
func (f *fsm) subscribe(fn func(*metadata.Image)) {
	f.subMu.Lock()
	defer f.subMu.Unlock()
	f.subs = append(f.subs, fn)
}

// publish makes img current and tells subscribers, in order, on the FSM goroutine.
func (f *fsm) publish(img *metadata.Image) {
	f.current.Store(img)
	f.subMu.Lock()
	subs := f.subs
	f.subMu.Unlock()
	for _, fn := range subs {
		fn(img)
	}
}

// Apply applies one committed batch. The batch is atomic: records are applied to a
// clone and the clone is published only if every record applied, so a bad record never
// leaves a half-applied image. The error (or nil) is the future's Response, which is
// how the writing controller learns that its batch was rejected.
func (f *fsm) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand {
		return nil
	}
	_, recs, err := metadata.DecodeBatch(l.Data)
	if err != nil {
		err = fmt.Errorf("decode metadata batch at raft index %d: %w", l.Index, err)
		f.log.Error("metadata batch rejected", "index", l.Index, "err", err)
		return err
	}
	if f.onApply != nil {
		f.onApply(l, len(recs))
	}
	next := f.image().Clone()
	if err := ApplyRecords(next, recs); err != nil {
		err = fmt.Errorf("apply metadata batch at raft index %d: %w", l.Index, err)
		f.log.Error("metadata batch rejected", "index", l.Index, "err", err)
		return err
	}
	next.SetPosition(int64(l.Index), int32(l.Term))
	f.publish(next)
	return nil
}

// ApplyRecords applies one batch's records to img in order, stopping at the first that
// does not apply. It is the FSM's step, exported for kraftbroker: a broker's follower
// of the metadata log applies the batches it fetches with this same code, so a broker
// and the voters hold the same image at the same offset.
func ApplyRecords(img *metadata.Image, recs []metadata.Record) error {
	for i, r := range recs {
		if err := img.Apply(r); err != nil {
			return fmt.Errorf("record %d (%T): %w", i, r, err)
		}
	}
	return nil
}
