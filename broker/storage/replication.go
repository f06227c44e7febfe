package storage

import (
	"fmt"
	"time"
)

// AppendAsFollower appends batches fetched from the leader, keeping their offsets and
// leader epochs. The first batch must not start below the LEO (a follower truncates
// first; gaps are allowed, compaction makes them). A trailing partial batch, which a
// fetch response cut at its byte limit may carry, is ignored.
func (l *PartitionLog) AppendAsFollower(batches []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.errorf("append as follower: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return err
	}
	now := time.Now()
	var messages int64
	for p := 0; p+logOverhead <= len(batches); {
		n := logOverhead + int(int32(be.Uint32(batches[p+batchLengthOff:])))
		if n < batchHeaderSize {
			return l.errorf("append as follower at byte %d: %w: batch length %d", p, ErrCorruptRecord, n)
		}
		if p+n > len(batches) {
			break
		}
		b := batches[p : p+n]
		if err := checkBatch(b); err != nil {
			return l.errorf("append as follower at byte %d: %w", p, err)
		}
		h := parseHeader(b)
		if leo := l.leo(); h.baseOffset < leo {
			return l.errorf("append as follower: %w: batch at %d, log end %d", ErrOffsetsOutOfOrder, h.baseOffset, leo)
		}
		if int64(n) > l.cfg.SegmentBytes {
			return l.errorf("append as follower: %w: %d bytes, segment.bytes %d", ErrRecordTooLarge, n, l.cfg.SegmentBytes)
		}
		if err := l.appendLocked(b, &h, now); err != nil {
			return err
		}
		l.assignEpochLocked(int32(be.Uint32(b[leaderEpochOff:])), h.baseOffset)
		messages += int64(h.recordCount)
		p += n
	}
	return l.maybeFlushLocked(messages, now)
}

// TruncateTo removes every batch holding an offset >= offset, so that a follower's log
// matches the leader's after a leader change (KIP-101). A batch that straddles offset
// is removed whole, leaving the LEO at its base. Truncating below the log start
// empties the log and restarts it at offset. Epochs that start at or after the new log
// end are forgotten, even when no batch is removed (as Kafka's UnifiedLog.truncateTo).
// Aborted transactions whose marker is cut leave the transaction index, and the
// producer state is rebuilt, so a transaction whose marker is cut is open again.
func (l *PartitionLog) TruncateTo(offset int64) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.errorf("truncate: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return err
	}
	if offset < 0 {
		return l.errorf("truncate to %d: negative offset", offset)
	}
	if offset >= l.leo() {
		// Nothing to cut, but an epoch that starts at the log end was assigned by a
		// leader that wrote nothing in it before it lost leadership; it must go, or the
		// follower would keep asking its new leader about an epoch with no records.
		if l.epochs.truncateFromEnd(l.leo()) {
			return l.epochs.write()
		}
		return nil
	}
	l.log.Info("truncating log", "offset", offset, "log_end_offset", l.leo())
	if err := l.truncateLocked(offset); err != nil {
		return l.errorf("truncate to %d: %w", offset, err)
	}
	leo := l.leo()
	l.recoveryPoint = min(l.recoveryPoint, l.active().base)
	if err := l.writeRecoveryPoint(l.recoveryPoint); err != nil {
		return err
	}
	if l.epochs.truncateFromEnd(leo) {
		if err := l.epochs.write(); err != nil {
			return err
		}
	}
	return l.rebuildProducerState(-1)
}

func (l *PartitionLog) truncateLocked(offset int64) error {
	if offset < l.logStartOffset || offset <= l.segments[0].base {
		return l.restartLocked(offset)
	}
	keep := l.segmentFor(offset)
	if l.segments[keep].base == offset {
		keep--
	}
	for _, s := range l.segments[keep+1:] {
		if err := s.remove(); err != nil {
			return err
		}
	}
	l.segments = l.segments[:keep+1]
	s := l.active()
	if err := s.ensureLoaded(l.cfg.IndexIntervalBytes, l.log); err != nil {
		return err
	}
	if pos, _, _, found, err := s.findBatch(s.positionOf(offset), offset); err != nil {
		return err
	} else if found {
		if err := s.file.Truncate(pos); err != nil {
			return fmt.Errorf("truncate %s: %w", s.file.Name(), err)
		}
		s.size = pos
	}
	if _, err := s.load(l.cfg.IndexIntervalBytes, true, false, l.log); err != nil {
		return err
	}
	s.dirty = true
	if err := s.txns.ensureLoaded(l.log); err != nil {
		return err
	}
	return s.txns.truncateTo(s.next)
}

// EndOffsetForEpoch answers OffsetForLeaderEpoch: the largest epoch <= epoch that this
// log knows, and the offset where the epoch after it starts (the LEO for the current
// epoch); (-1, -1) when the epoch is unknown or newer than any.
func (l *PartitionLog) EndOffsetForEpoch(epoch int32) (int32, int64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.epochs.endOffsetFor(epoch, l.leo())
}

// restartLocked removes every segment and starts an empty log at offset.
func (l *PartitionLog) restartLocked(offset int64) error {
	for _, s := range l.segments {
		if err := s.remove(); err != nil {
			return err
		}
	}
	l.segments = nil
	s, err := createSegment(l.dir, offset)
	if err != nil {
		return err
	}
	l.segments = []*segment{s}
	l.logStartOffset = offset
	return l.writeOwnCheckpoint(LogStartOffsetCheckpointFile, offset)
}

// TruncateFullyAndStartAt empties the log and restarts it at offset, which may lie
// beyond the LEO: a follower whose whole log is below the leader's log start offset
// (retention or DeleteRecords removed what it still needs) starts over there, as
// Kafka's truncateFullyAndStartAt does. The epoch history and producer state go too;
// the batches fetched next bring them back.
func (l *PartitionLog) TruncateFullyAndStartAt(offset int64) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.errorf("truncate fully: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return err
	}
	if offset < 0 {
		return l.errorf("truncate fully and start at %d: negative offset", offset)
	}
	l.log.Info("truncating log fully", "new_start_offset", offset, "log_end_offset", l.leo())
	if err := l.restartLocked(offset); err != nil {
		return l.errorf("truncate fully and start at %d: %w", offset, err)
	}
	l.recoveryPoint, l.unflushed = offset, 0
	if err := l.writeRecoveryPoint(offset); err != nil {
		return err
	}
	l.epochs.entries = nil
	if err := l.epochs.write(); err != nil {
		return l.errorf("truncate fully: %w", err)
	}
	if err := deleteAllSnapshots(l.dir); err != nil {
		return l.errorf("truncate fully: %w", err)
	}
	verifying := l.producers.verifying
	l.producers = newProducerState()
	l.producers.verifying = verifying
	return nil
}

// LatestEpoch is the newest leader epoch in the epoch history: what a follower asks its
// leader about (OffsetForLeaderEpoch) to learn where their logs diverge. false means the
// log has no epoch history (it is empty, or was written without epochs).
func (l *PartitionLog) LatestEpoch() (int32, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.epochs.latest()
	return e.epoch, ok
}

// AssignEpochStartOffset records that leader epoch starts at the LEO, and returns that
// offset. A new leader does this before it appends anything, as Kafka's makeLeader does:
// a follower that saw a later epoch of an earlier leader must find this epoch in the
// history to learn where to truncate, even while the new leader has written nothing.
func (l *PartitionLog) AssignEpochStartOffset(epoch int32) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, l.errorf("assign leader epoch %d: %w", epoch, ErrClosed)
	}
	leo := l.leo()
	l.assignEpochLocked(epoch, leo)
	return leo, nil
}
