package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// scanBatches reads the batches in [start, limit) sequentially, checking framing and
// CRC, and hands each to visit (b is reused between calls). It stops at the first torn
// or invalid batch, or when visit returns false, and returns the end of the last batch
// accepted: everything after it is what recovery cuts off.
func scanBatches(r io.ReaderAt, start, limit int64, visit func(pos int64, b []byte) bool) (int64, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, start, limit-start), 256<<10)
	var buf []byte
	pos := start
	for pos+batchHeaderSize <= limit {
		var prefix [logOverhead]byte
		if _, err := io.ReadFull(br, prefix[:]); err != nil {
			return pos, fmt.Errorf("scan batches at %d: %w", pos, err)
		}
		n := logOverhead + int64(int32(be.Uint32(prefix[batchLengthOff:])))
		if n < batchHeaderSize || pos+n > limit {
			break
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		copy(buf, prefix[:])
		if _, err := io.ReadFull(br, buf[logOverhead:]); err != nil {
			return pos, fmt.Errorf("scan batches at %d: %w", pos, err)
		}
		if checkBatch(buf) != nil || !visit(pos, buf) {
			break
		}
		pos += n
	}
	return pos, nil
}

// load brings the segment's in-memory state up to date with its log. Unless rebuild is
// set it trusts the index files as far as their sanity check and the batch at their last
// entry confirm, then scans only the tail after that entry; with rebuild (after an
// unclean shutdown) it rescans the whole segment. Whatever follows the last valid batch
// is truncated away. It returns whether anything on disk changed.
func (s *segment) load(interval int32, rebuild, sealed bool, log *slog.Logger) (changed bool, err error) {
	fileSize := s.size
	if !rebuild {
		if err := s.loadIndexes(fileSize); err != nil {
			log.Warn("rebuilding segment index", "segment", s.file.Name(), "err", err)
			rebuild = true
		}
	}
	for {
		if rebuild {
			s.offsets.reset()
			s.times.reset()
		}
		start := int64(0)
		s.next, s.maxTimestamp, s.offsetOfMaxTimestamp = s.base, -1, -1
		if n := s.offsets.entries(); n > 0 {
			rel, pos := s.offsets.at(n - 1)
			start, s.next = int64(pos), s.base+int64(rel)
		}
		if n := s.times.entries(); n > 0 {
			ts, rel := s.times.at(n - 1)
			s.maxTimestamp, s.offsetOfMaxTimestamp = ts, s.base+int64(rel)
		}
		s.size, s.bytesSinceIndex = start, 0
		exact := start > 0
		end, err := scanBatches(s.file, start, fileSize, func(pos int64, b []byte) bool {
			h := parseHeader(b)
			if h.baseOffset < s.next || (exact && h.baseOffset != s.next) || !fitsRelative(s.base, h.lastOffset()) {
				return false
			}
			exact = false
			s.track(pos, &h, interval)
			return true
		})
		if err != nil {
			return false, fmt.Errorf("recover segment %s: %w", s.file.Name(), err)
		}
		if end < fileSize && !rebuild {
			// The indexes may describe bytes that are about to be cut: start over from
			// the log alone.
			log.Warn("rebuilding segment index: log has an invalid tail", "segment", s.file.Name(), "valid_bytes", end)
			rebuild = true
			continue
		}
		if end < fileSize {
			log.Warn("truncating segment after last valid batch", "segment", s.file.Name(),
				"valid_bytes", end, "truncated_bytes", fileSize-end)
			if err := s.file.Truncate(end); err != nil {
				return false, fmt.Errorf("truncate segment %s to %d: %w", s.file.Name(), end, err)
			}
			changed = true
		}
		break
	}
	if s.size > 0 {
		var hdr [maxTimestampOff + 8]byte
		if err := s.readHeader(0, hdr[:]); err != nil {
			return false, err
		}
		s.firstBatchTimestamp = int64(be.Uint64(hdr[maxTimestampOff:]))
	}
	if sealed {
		s.seal()
	}
	changed = changed || rebuild || s.offsets.written != len(s.offsets.buf) || s.times.written != len(s.times.buf)
	if changed {
		if err := s.offsets.persist(false); err != nil {
			return false, err
		}
		if err := s.times.persist(false); err != nil {
			return false, err
		}
	}
	s.loaded.Store(true)
	return changed, nil
}

func (s *segment) loadIndexes(logSize int64) error {
	if err := s.offsets.load(); err != nil {
		return err
	}
	if err := s.times.load(); err != nil {
		return err
	}
	if err := s.offsets.check(logSize, maxInt32); err != nil {
		return err
	}
	return s.times.check(maxInt32)
}

// ensureLoaded loads a sealed segment's indexes on first use. Readers share the
// partition's read lock, hence the segment's own mutex.
func (s *segment) ensureLoaded(interval int32, log *slog.Logger) error {
	if s.loaded.Load() {
		return nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.loaded.Load() {
		return nil
	}
	_, err := s.load(interval, false, true, log)
	return err
}

// load opens the segments in l.dir and brings the log to a consistent state: the
// recovery Kafka's LogLoader does, starting with the log cleaner's swap files.
func (l *PartitionLog) load() error {
	marker := filepath.Join(l.dir, cleanShutdownFile)
	_, statErr := os.Stat(marker)
	clean := statErr == nil
	if err := recoverSwap(l.dir, l.log); err != nil {
		return err
	}
	bases, err := l.listSegmentFiles()
	if err != nil {
		return err
	}
	rp, err := l.readOwnCheckpoint(RecoveryPointCheckpointFile)
	if err != nil {
		return err
	}
	persistedStart, err := l.readOwnCheckpoint(LogStartOffsetCheckpointFile)
	if err != nil {
		return err
	}
	for _, b := range bases {
		s, err := openSegment(l.dir, b)
		if err != nil {
			return err
		}
		l.segments = append(l.segments, s)
	}
	if len(l.segments) == 0 {
		s, err := createSegment(l.dir, max(persistedStart, 0))
		if err != nil {
			return err
		}
		l.segments = append(l.segments, s)
	}
	if !clean && len(bases) > 0 {
		l.log.Info("recovering partition log after unclean shutdown", "recovery_point", rp)
	}
	rescannedFrom, err := l.loadSegments(clean, rp)
	if err != nil {
		return err
	}
	leo := l.leo()
	l.logStartOffset = min(max(persistedStart, l.segments[0].base), leo)
	l.recoveryPoint = min(rp, leo)
	if clean {
		l.recoveryPoint = l.active().base
	}

	if l.epochs, err = loadLeaderEpochCache(filepath.Join(l.dir, LeaderEpochCheckpointFile)); err != nil {
		return err
	}
	// Epochs past the log's end or below its start are dropped in memory only, as
	// Kafka's loader truncates with an asynchronous flush: the checkpoint on disk is
	// rewritten by the next epoch change or the close, and a crash before then drops
	// the same entries again at the next load. Writing it here would cost every log an
	// fsync at every start.
	l.epochs.truncateFromEnd(leo)
	l.epochs.truncateFromStart(l.logStartOffset)
	if err := l.rebuildProducerState(rescannedFrom); err != nil {
		return err
	}
	if clean {
		// The marker stays until the first change: removing it (durably) here would
		// cost every log a directory fsync at every start, most of them for logs that
		// are only read before the next clean stop writes it again.
		l.cleanMarker = true
		return nil
	}
	return syncDir(l.dir)
}

// dropCleanMarkerLocked removes the clean-shutdown marker, durably, before the first
// change to the log after a clean start: a crash after that change must not find the
// marker, or the next start would skip the recovery the change needs.
func (l *PartitionLog) dropCleanMarkerLocked() error {
	if !l.cleanMarker {
		return nil
	}
	if err := os.Remove(filepath.Join(l.dir, cleanShutdownFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return l.errorf("remove clean shutdown marker: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return l.errorf("remove clean shutdown marker: %w", err)
	}
	l.cleanMarker = false
	return nil
}

// listSegmentFiles returns the base offsets of the .log files, removing leftovers
// that no segment owns: temp files of an interrupted checkpoint write and indexes
// whose log is gone.
func (l *PartitionLog) listSegmentFiles() ([]int64, error) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", l.dir, err)
	}
	logs := make(map[int64]bool)
	var bases []int64
	for _, e := range ents {
		if b, ok := parseOffsetFileName(e.Name(), logSuffix); ok {
			logs[b] = true
			bases = append(bases, b)
		}
	}
	for _, e := range ents {
		name := e.Name()
		orphan := false
		for _, suffix := range []string{indexSuffix, timeIndexSuffix, txnIndexSuffix} {
			if b, ok := parseOffsetFileName(name, suffix); ok && !logs[b] {
				orphan = true
			}
		}
		if orphan || strings.HasSuffix(name, ".tmp") {
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil {
				return nil, fmt.Errorf("remove leftover %s: %w", name, err)
			}
		}
	}
	slices.Sort(bases)
	return bases, nil
}

// loadSegments loads or recovers each segment. After an unclean shutdown every segment
// from the recovery point on is rescanned; a segment cut short takes every later
// segment with it, since their offsets would no longer follow on. It returns the base
// of the first rescanned segment (-1: none), whose transaction indexes need
// rebuilding too.
func (l *PartitionLog) loadSegments(clean bool, rp int64) (int64, error) {
	rescannedFrom := int64(-1)
	for i := 0; i < len(l.segments); i++ {
		s := l.segments[i]
		last := i == len(l.segments)-1
		rebuild := !clean && (last || l.segments[i+1].base > rp)
		if rebuild && rescannedFrom < 0 {
			rescannedFrom = s.base
		}
		if !rebuild && !last && s.readSealedMaxTimestamp() {
			continue
		}
		sizeBefore := s.size
		changed, err := s.load(l.cfg.IndexIntervalBytes, rebuild, !last, l.log)
		if err != nil {
			return 0, err
		}
		s.dirty = changed
		if s.size < sizeBefore && !last {
			for _, later := range l.segments[i+1:] {
				l.log.Warn("deleting segment after a truncated one", "segment", later.file.Name())
				if err := later.remove(); err != nil {
					return 0, err
				}
			}
			l.segments = l.segments[:i+1]
		}
	}
	return rescannedFrom, nil
}

// rebuildProducerState loads the newest usable snapshot and replays the batches after
// it, so idempotent producers see the same duplicates and sequences as before the
// restart or truncation, and transactions are open or complete as the log says.
// Segments from rebuildTxnsFrom on (-1: none), which recovery rescanned, get their
// transaction index rebuilt from their abort markers on the way, as Kafka's
// LogSegment.recover does, so the replay starts from a snapshot no later than the
// first of them. Pending verifications outlive the rebuild, as in Kafka.
func (l *PartitionLog) rebuildProducerState(rebuildTxnsFrom int64) error {
	upTo := l.leo()
	if rebuildTxnsFrom >= 0 {
		upTo = min(upTo, rebuildTxnsFrom)
	}
	p, snapOffset, err := loadLatestSnapshot(l.dir, upTo)
	if err != nil {
		return err
	}
	if l.producers != nil {
		p.verifying = l.producers.verifying
	}
	l.producers = p
	rebuilt := func(s *segment) bool { return rebuildTxnsFrom >= 0 && s.base >= rebuildTxnsFrom }
	for _, s := range l.segments {
		if rebuilt(s) {
			s.txns.reset()
		}
	}
	from := max(snapOffset, l.segments[0].base)
	for i := l.segmentFor(from); i < len(l.segments); i++ {
		s := l.segments[i]
		if err := s.ensureLoaded(l.cfg.IndexIntervalBytes, l.log); err != nil {
			return err
		}
		var index *segment
		if rebuilt(s) {
			index = s
		}
		var applyErr error
		_, err := scanBatches(s.file, s.positionOf(from), s.size, func(_ int64, b []byte) bool {
			if h := parseHeader(b); h.lastOffset() >= from && h.producerID >= 0 {
				applyErr = l.applyProducerBatchLocked(b, &h, index)
			}
			return applyErr == nil
		})
		if err = errors.Join(err, applyErr); err != nil {
			return fmt.Errorf("replay producer state from %s: %w", s.file.Name(), err)
		}
	}
	for _, s := range l.segments {
		if rebuilt(s) {
			if err := s.txns.persist(false); err != nil {
				return err
			}
		}
	}
	return nil
}
