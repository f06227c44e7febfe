package storage

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// CleanerOffsetCheckpointFile holds the partition's cleaner checkpoint: the offset
// below which the log has been compacted (Kafka's cleaner-offset-checkpoint, kept per
// partition like the other checkpoints here).
const CleanerOffsetCheckpointFile = "cleaner-offset-checkpoint"

// CompactionResult reports one pass of the log cleaner over a partition.
type CompactionResult struct {
	Cleaned           bool    // false: the log was not due (or not compacted at all)
	DirtyRatio        float64 // dirty bytes over the cleanable sealed bytes, before the pass
	FirstDirtyOffset  int64   // the cleaner checkpoint the pass started from
	CleanedUpTo       int64   // the new cleaner checkpoint: every key below it has been deduplicated
	SegmentsReplaced  int     // sealed segments rewritten
	SegmentsWritten   int     // segments that replaced them (fewer when small ones were grouped)
	BytesBefore       int64   // size of the replaced segments
	BytesAfter        int64   // size of their replacements
	RecordsRemoved    int64   // superseded, keyless and aborted records dropped
	TombstonesRemoved int64   // tombstones dropped after delete.retention.ms
}

// Compact runs the log cleaner on the partition if cleanup.policy includes compact and
// the log is due: its dirty share of sealed bytes exceeds min.cleanable.dirty.ratio, a
// dirty record is older than max.compaction.lag.ms, or a tombstone kept by an earlier
// pass (or a transaction marker's delete horizon) has been reached. Only sealed
// segments wholly below the first unstable offset (see LastStableOffset) are
// compacted, and of them only those wholly older than min.compaction.lag.ms. Offsets,
// the log start and the log end never change; a fetch at a removed offset returns the
// next batch.
//
// A record survives if it has a key and no later record in the dirty range has the
// same key; a tombstone also goes once the largest timestamp of the segment holding it
// is more than delete.retention.ms old (Kafka measures from when the segment was last
// cleaned, which needs per-batch state this log does not keep). Records without a key
// are dropped, as Kafka's cleaner drops them. Records of aborted transactions are
// dropped whatever their key; a transaction marker stays while its transaction's data
// may remain before it, then goes after a delete horizon, as in Kafka's LogCleaner
// (filterMarker). The batch holding a producer's last sequence (or, with no data left,
// its last marker) is kept, emptied if need be, so its state survives a rebuild.
func (l *PartitionLog) Compact(now time.Time) (CompactionResult, error) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	return l.compactHoldingFlush(now)
}

func (l *PartitionLog) compactHoldingFlush(now time.Time) (CompactionResult, error) {
	plan, res, err := l.planCompaction(now)
	if err != nil || plan == nil {
		return res, err
	}
	offsets, err := plan.buildOffsetMap()
	if err != nil {
		return res, l.errorf("compact: %w", err)
	}
	res.Cleaned = true
	res.CleanedUpTo = max(plan.firstDirty, plan.ends[plan.uncleanable-1])
	tombstonesDue := int64(math.MaxInt64)
	txns := newCleanerTxns(plan.aborted)
	for _, g := range plan.groups() {
		if txns, err = l.cleanGroup(plan, g, offsets, txns, &res, &tombstonesDue); err != nil {
			return res, l.errorf("compact: %w", err)
		}
	}
	if err := l.writeOwnCheckpoint(CleanerOffsetCheckpointFile, res.CleanedUpTo); err != nil {
		return res, err
	}
	l.mu.Lock()
	l.tombstonesDue = tombstonesDue
	l.mu.Unlock()
	level := slog.LevelInfo
	if res.SegmentsReplaced == 0 {
		level = slog.LevelDebug // a pass that found nothing to remove
	}
	l.log.Log(context.Background(), level, "compacted log", "first_dirty_offset", res.FirstDirtyOffset, "cleaned_up_to", res.CleanedUpTo,
		"dirty_ratio", res.DirtyRatio, "segments_replaced", res.SegmentsReplaced, "segments_written", res.SegmentsWritten,
		"bytes_before", res.BytesBefore, "bytes_after", res.BytesAfter,
		"records_removed", res.RecordsRemoved, "tombstones_removed", res.TombstonesRemoved)
	return res, nil
}

// scanSegment hands every batch of a sealed segment to visit. Unlike recovery, which
// cuts a log at its first bad batch, the cleaner refuses to rewrite a segment it
// cannot read to the end.
func scanSegment(s *segment, size int64, visit func(b []byte, h *batchHeader) error) error {
	var verr error
	end, err := scanBatches(s.file, 0, size, func(_ int64, b []byte) bool {
		h := parseHeader(b)
		verr = visit(b, &h)
		return verr == nil
	})
	switch {
	case verr != nil:
		return fmt.Errorf("segment %s: %w", s.file.Name(), verr)
	case err != nil:
		return err
	case end != size:
		return fmt.Errorf("segment %s: %w: unreadable batch at byte %d", s.file.Name(), ErrCorruptRecord, end)
	}
	return nil
}

// cleanGroup writes the compacted copy of segments[g[0]:g[1]] and swaps it in, and
// returns the transaction state after the group. A lone segment that would come out
// unchanged, its transaction index included, is left alone.
func (l *PartitionLog) cleanGroup(p *cleanPlan, g [2]int, offsets *offsetMap, txns *cleanerTxns, res *CompactionResult, tombstonesDue *int64) (*cleanerTxns, error) {
	group := p.segments[g[0]:g[1]]
	txns.indexed = nil
	if len(group) == 1 {
		trial := txns.clone()
		changed, err := p.filterSegment(g[0], offsets, nil, trial, &CompactionResult{}, tombstonesDue)
		if err != nil {
			return nil, err
		}
		if !changed && slices.Equal(trial.indexed, p.indexed[g[0]]) {
			return trial, nil
		}
	}
	w, err := newCleanedWriter(p.dir, group[0].base, p.cfg.IndexIntervalBytes)
	if err != nil {
		return nil, err
	}
	var stats CompactionResult
	for i := g[0]; i < g[1]; i++ {
		if _, err := p.filterSegment(i, offsets, w, txns, &stats, tombstonesDue); err != nil {
			return nil, joinAbort(err, w)
		}
	}
	for _, e := range txns.indexed {
		w.seg.txns.add(e)
	}
	if err := w.finish(); err != nil {
		return nil, joinAbort(err, w)
	}
	if err := l.swapIn(group, w.seg.size); err != nil {
		return nil, err
	}
	res.SegmentsReplaced += len(group)
	res.SegmentsWritten++
	for i := g[0]; i < g[1]; i++ {
		res.BytesBefore += p.sizes[i]
	}
	res.BytesAfter += w.seg.size
	res.RecordsRemoved += stats.RecordsRemoved
	res.TombstonesRemoved += stats.TombstonesRemoved
	return txns, nil
}

func joinAbort(err error, w *cleanedWriter) error {
	if aerr := w.abort(); aerr != nil {
		return fmt.Errorf("%w (and %v)", err, aerr)
	}
	return err
}

// filterSegment runs the retention rules over segments[i], writing what survives to w
// (nil: only report whether anything would be removed). txns carries the transaction
// state from the segments before: an aborted transaction's records go, a marker goes
// once its transaction's data has and its delete horizon has passed (filterMarker).
// tombstonesDue is lowered to when the earliest tombstone or marker kept will be old
// enough to remove.
func (p *cleanPlan) filterSegment(i int, offsets *offsetMap, w *cleanedWriter, txns *cleanerTxns, stats *CompactionResult, tombstonesDue *int64) (bool, error) {
	segTs := p.largest[i]
	expired := segTs < p.now-p.cfg.DeleteRetentionMs
	retain := func(offset int64, r *record) bool {
		if r.key == nil {
			stats.RecordsRemoved++
			return false
		}
		if latest, ok := offsets.m[offsets.hash(r.key)]; ok && offset < latest {
			stats.RecordsRemoved++
			return false
		}
		if r.nullValue && expired {
			stats.TombstonesRemoved++
			return false
		}
		if r.nullValue {
			*tombstonesDue = min(*tombstonesDue, addSaturating(segTs, p.cfg.DeleteRetentionMs)+1)
		}
		return true
	}
	changed := false
	build := w != nil
	err := scanSegment(p.segments[i], p.sizes[i], func(b []byte, h *batchHeader) error {
		keepState := p.keepsProducerState(h)
		var out []byte
		var c bool
		var err error
		switch {
		case h.isControl():
			out, c, err = p.filterMarker(b, h, txns.onControl(b, h), keepState, build, tombstonesDue)
		case txns.onData(h):
			stats.RecordsRemoved += int64(h.recordCount)
			out, c, err = filterAborted(b, h, keepState, build)
		default:
			out, c, err = filterBatch(b, h, retain, keepState, build)
		}
		if err != nil {
			return err
		}
		changed = changed || c
		if !build || out == nil {
			return nil
		}
		return w.write(out)
	})
	return changed, err
}

func addSaturating(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
