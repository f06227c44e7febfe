package storage

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// cleanShutdownFile marks a partition closed cleanly; its absence at Open means the
// segments after the recovery point must be rescanned. Kafka keeps one marker per log
// dir; one per partition lets each partition open on its own.
const cleanShutdownFile = ".kbridge_cleanshutdown"

// maybeFlushLocked applies flush.messages and flush.ms. Only the active segment's log
// is fsynced here: that is what makes the batches just acknowledged durable; indexes
// are rebuilt by recovery if they are behind.
func (l *PartitionLog) maybeFlushLocked(messages int64, now time.Time) error {
	l.unflushed += messages
	if l.unflushed == 0 {
		return nil
	}
	due := l.unflushed >= l.cfg.FlushIntervalMessages ||
		(l.cfg.FlushIntervalMs != math.MaxInt64 && now.Sub(l.lastFlush).Milliseconds() >= l.cfg.FlushIntervalMs)
	if !due {
		return nil
	}
	if err := l.active().file.Sync(); err != nil {
		return l.errorf("flush: %w", err)
	}
	l.unflushed, l.lastFlush = 0, now
	return nil
}

// flushRolled fsyncs the segments a roll sealed and then advances the recovery point,
// so that after a crash only the active segment needs rescanning.
func (l *PartitionLog) flushRolled() {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return
	}
	var dirty []*segment
	for _, s := range l.segments[:len(l.segments)-1] {
		if s.dirty {
			dirty = append(dirty, s)
		}
	}
	rp := l.active().base
	l.mu.RUnlock()
	for _, s := range dirty {
		if err := s.sync(); err != nil {
			l.log.Error("flush rolled segment", "segment", s.file.Name(), "err", err)
			return
		}
	}
	l.mu.Lock()
	for _, s := range dirty {
		s.dirty = false
	}
	advanced := rp > l.recoveryPoint
	if advanced {
		l.recoveryPoint = rp
	}
	l.mu.Unlock()
	if advanced {
		if err := l.writeRecoveryPoint(rp); err != nil {
			l.log.Error("recovery point checkpoint", "err", err)
		}
	}
}

// Flush makes every appended batch and every index entry durable.
func (l *PartitionLog) Flush() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.errorf("flush: %w", ErrClosed)
	}
	return l.flushAllLocked()
}

func (l *PartitionLog) flushAllLocked() error {
	for _, s := range l.segments {
		if !s.dirty {
			continue
		}
		if err := s.sync(); err != nil {
			return l.errorf("flush: %w", err)
		}
		s.dirty = false
	}
	l.unflushed, l.lastFlush = 0, time.Now()
	if rp := l.active().base; rp != l.recoveryPoint {
		l.recoveryPoint = rp
		return l.writeRecoveryPoint(rp)
	}
	return nil
}

// writeRecoveryPoint persists the recovery point in Kafka's checkpoint format inside
// the partition directory, so each partition recovers independently of the others.
func (l *PartitionLog) writeRecoveryPoint(rp int64) error {
	return l.writeOwnCheckpoint(RecoveryPointCheckpointFile, rp)
}

func (l *PartitionLog) writeOwnCheckpoint(name string, offset int64) error {
	tp := TopicPartition{Topic: l.topic, Partition: l.partition}
	if err := WriteOffsetCheckpoint(filepath.Join(l.dir, name), map[TopicPartition]int64{tp: offset}); err != nil {
		return l.errorf("%w", err)
	}
	return nil
}

// readOwnCheckpoint returns 0 for a partition that never wrote the checkpoint.
func (l *PartitionLog) readOwnCheckpoint(name string) (int64, error) {
	m, err := ReadOffsetCheckpoint(filepath.Join(l.dir, name))
	if err != nil {
		return 0, err
	}
	return m[TopicPartition{Topic: l.topic, Partition: l.partition}], nil
}

// Maintain runs the periodic checks Kafka's log manager does: flush.ms and segment.ms.
// Rolling an idle segment here lets retention delete it later, which appends alone
// never would.
func (l *PartitionLog) Maintain(now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if err := l.maybeFlushLocked(0, now); err != nil {
		return err
	}
	if s := l.active(); !s.isEmpty() && s.rollDue(now.UnixMilli(), now, l.cfg.SegmentMs) {
		return l.rollLocked()
	}
	return nil
}

// Close flushes everything, snapshots the producer state at the LEO and marks the
// partition clean, so the next Open trusts the indexes and skips recovery.
func (l *PartitionLog) Close() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	err := l.shutdownLocked()
	for _, s := range l.segments {
		err = errors.Join(err, s.close())
	}
	if err != nil {
		return l.errorf("close: %w", err)
	}
	return nil
}

func (l *PartitionLog) shutdownLocked() error {
	s := l.active()
	s.seal()
	s.dirty = true
	if err := l.flushAllLocked(); err != nil {
		return err
	}
	leo := l.leo()
	if err := l.producers.writeSnapshot(l.dir, leo, true); err != nil {
		return err
	}
	if err := deleteSnapshots(l.dir, l.segments[0].base, leo); err != nil {
		return err
	}
	if err := l.epochs.write(); err != nil {
		return err
	}
	marker := filepath.Join(l.dir, cleanShutdownFile)
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		return fmt.Errorf("write clean shutdown marker: %w", err)
	}
	return syncDir(l.dir)
}

// Delete closes the log without flushing and removes its directory: the topic is gone.
func (l *PartitionLog) Delete() error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, s := range l.segments {
		s.close()
	}
	if err := os.RemoveAll(l.dir); err != nil {
		return l.errorf("delete: %w", err)
	}
	return nil
}
