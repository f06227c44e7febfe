package storage

import (
	"errors"
	"math"
	"os"
	"time"
)

// EnforceRetention applies cleanup.policy, as Kafka's log manager and log cleaner do
// every log.retention.check.interval.ms. With delete (the default) it deletes whole
// sealed segments that retention.ms or retention.bytes have made obsolete, oldest
// first; segments wholly below the log start offset (DeleteRecords) go under either
// policy; the log start offset is raised to the first remaining segment. With compact
// it then runs the log cleaner (Compact) on what is left, so that compaction never
// rewrites data about to be deleted. It returns the number of segments deleted. The
// active segment is never deleted (Maintain's segment.ms roll is what lets an idle
// partition's data expire). A deletion failure does not stop compaction.
func (l *PartitionLog) EnforceRetention(now time.Time) (int, error) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	n, err := l.deleteSegmentsHoldingFlush(now)
	_, compactErr := l.compactHoldingFlush(now)
	return n, errors.Join(err, compactErr)
}

func (l *PartitionLog) deleteSegmentsHoldingFlush(now time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, nil
	}
	sealed := len(l.segments) - 1
	n := 0
	for n < sealed && l.segmentEnd(n) <= l.logStartOffset {
		n++
	}
	if l.cfg.Deletes() && l.cfg.RetentionMs >= 0 && l.cfg.RetentionMs != math.MaxInt64 {
		limit := now.UnixMilli() - l.cfg.RetentionMs
		i := 0
		for i < sealed && l.segments[i].largestTimestamp() < limit {
			i++
		}
		n = max(n, i)
	}
	if l.cfg.Deletes() && l.cfg.RetentionBytes >= 0 {
		var total int64
		for _, s := range l.segments {
			total += s.size
		}
		diff := total - l.cfg.RetentionBytes
		i := 0
		for i < sealed && diff-l.segments[i].size >= 0 {
			diff -= l.segments[i].size
			i++
		}
		n = max(n, i)
	}
	if n == 0 {
		return 0, nil
	}
	return n, l.deleteOldestLocked(n, "retention")
}

// largestTimestamp is what retention.ms compares against: the newest record timestamp,
// or the file's modification time for a segment whose batches carry none (as Kafka).
func (s *segment) largestTimestamp() int64 {
	if s.maxTimestamp >= 0 {
		return s.maxTimestamp
	}
	if st, err := os.Stat(s.file.Name()); err == nil {
		return st.ModTime().UnixMilli()
	}
	return math.MaxInt64
}

// DeleteRecordsBefore raises the log start offset to offset (the DeleteRecords API),
// persists it, and deletes the sealed segments wholly below it. It returns the new log
// start offset (the partition's low watermark).
func (l *PartitionLog) DeleteRecordsBefore(offset int64) (int64, error) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, l.errorf("delete records: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return 0, err
	}
	if leo := l.leo(); offset > leo || offset < 0 {
		return l.logStartOffset, l.errorf("delete records before %d: %w: log ends at %d", offset, ErrOffsetOutOfRange, leo)
	}
	if offset <= l.logStartOffset {
		return l.logStartOffset, nil
	}
	if err := l.writeOwnCheckpoint(LogStartOffsetCheckpointFile, offset); err != nil {
		return l.logStartOffset, err
	}
	l.logStartOffset = offset
	n := 0
	for n < len(l.segments)-1 && l.segmentEnd(n) <= offset {
		n++
	}
	if err := l.deleteOldestLocked(n, "delete records"); err != nil {
		return l.logStartOffset, err
	}
	return l.logStartOffset, nil
}

// deleteOldestLocked removes the first n segments and everything that referred to
// them: their indexes, epochs before the new start, producer snapshots below it.
func (l *PartitionLog) deleteOldestLocked(n int, reason string) error {
	for _, s := range l.segments[:n] {
		l.log.Info("deleting segment", "reason", reason, "base_offset", s.base, "bytes", s.size)
		if err := s.remove(); err != nil {
			l.segments = l.segments[1:]
			return l.errorf("%s: %w", reason, err)
		}
		l.segments = l.segments[1:]
	}
	l.logStartOffset = max(l.logStartOffset, l.segments[0].base)
	// Completed transactions below the log start no longer hold the LSO back (Kafka's
	// onLogStartOffsetIncremented); open ones stay open, the LSO being clamped to the
	// log start, and producers keep their state until they expire.
	l.producers.txns.forgetBelow(l.logStartOffset)
	if l.epochs.truncateFromStart(l.logStartOffset) {
		if err := l.epochs.write(); err != nil {
			return l.errorf("%s: %w", reason, err)
		}
	}
	if err := deleteSnapshots(l.dir, l.segments[0].base, math.MaxInt64); err != nil {
		return l.errorf("%s: %w", reason, err)
	}
	return nil
}
