package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

const (
	logSuffix       = ".log"
	indexSuffix     = ".index"
	timeIndexSuffix = ".timeindex"
)

// segment is one %020d.log file and its indexes, Kafka's LogSegment: it appends,
// reads, flushes and recovers itself; the partition log decides when to roll and what
// to delete.
//
// A sealed segment's indexes are loaded lazily on the first read that needs them, so
// opening a partition with many segments costs one stat and one small read per segment.
type segment struct {
	base    int64
	file    *os.File
	size    int64
	offsets offsetIndex
	times   timeIndex
	txns    txnIndex // aborted transactions whose abort marker is in this segment

	// Known for every segment (from the time index's final entry when not loaded).
	maxTimestamp         int64
	offsetOfMaxTimestamp int64

	// Known once loaded.
	next                int64 // offset after the last batch
	firstBatchTimestamp int64 // what segment.ms is measured from, as in Kafka's rollingBasedTimestamp
	created             time.Time
	bytesSinceIndex     int64

	dirty  bool // written since the last fsync; guarded by the partition log's mu
	loaded atomic.Bool
	loadMu sync.Mutex
}

func segmentPath(dir string, base int64, suffix string) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", base, suffix))
}

func newSegment(dir string, base int64, f *os.File) *segment {
	s := &segment{
		base:                 base,
		file:                 f,
		offsets:              newOffsetIndex(segmentPath(dir, base, indexSuffix)),
		times:                newTimeIndex(segmentPath(dir, base, timeIndexSuffix)),
		maxTimestamp:         -1,
		offsetOfMaxTimestamp: -1,
		next:                 base,
		firstBatchTimestamp:  -1,
		created:              time.Now(),
	}
	s.txns.init(segmentPath(dir, base, txnIndexSuffix))
	return s
}

// createSegment starts an empty segment, replacing any leftover files of the same base.
func createSegment(dir string, base int64) (*segment, error) {
	path := segmentPath(dir, base, logSuffix)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create segment %s: %w", path, err)
	}
	s := newSegment(dir, base, f)
	for _, p := range []string{s.offsets.path, s.times.path, s.txns.file.path} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			f.Close()
			return nil, fmt.Errorf("create segment %s: remove stale index: %w", path, err)
		}
	}
	s.loaded.Store(true)
	s.txns.loaded.Store(true)
	return s, nil
}

// openSegment opens an existing segment without reading its indexes.
func openSegment(dir string, base int64) (*segment, error) {
	path := segmentPath(dir, base, logSuffix)
	f, err := os.OpenFile(path, os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open segment %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat segment %s: %w", path, err)
	}
	s := newSegment(dir, base, f)
	s.size = st.Size()
	return s, nil
}

// readSealedMaxTimestamp takes the segment's largest timestamp from the final time
// index entry that sealing wrote; false means the index must be loaded to know it.
func (s *segment) readSealedMaxTimestamp() bool {
	e, err := s.times.lastEntryFromFile()
	if err != nil {
		return false
	}
	s.maxTimestamp = int64(be.Uint64(e))
	s.offsetOfMaxTimestamp = s.base + int64(be.Uint32(e[8:]))
	return true
}

// track does the in-memory bookkeeping for a batch now at pos: index entries every
// interval bytes (placed before the batch, as Kafka does), timestamps and sizes.
func (s *segment) track(pos int64, h *batchHeader, interval int32) {
	if h.maxTimestamp > s.maxTimestamp {
		s.maxTimestamp, s.offsetOfMaxTimestamp = h.maxTimestamp, h.baseOffset
	}
	if s.bytesSinceIndex >= int64(interval) {
		s.offsets.append(uint32(h.baseOffset-s.base), uint32(pos))
		s.times.maybeAppend(s.maxTimestamp, uint32(s.offsetOfMaxTimestamp-s.base))
		s.bytesSinceIndex = 0
	}
	if pos == 0 {
		s.firstBatchTimestamp = h.maxTimestamp
	}
	s.bytesSinceIndex += int64(h.size)
	s.size = pos + int64(h.size)
	s.next = h.lastOffset() + 1
}

// append writes one stamped batch with a single pwrite. A failed write is cut back off
// the file so that a later append cannot land behind garbage.
func (s *segment) append(b []byte, h *batchHeader, interval int32) error {
	pos := s.size
	if _, err := s.file.WriteAt(b, pos); err != nil {
		if terr := s.file.Truncate(pos); terr != nil {
			return fmt.Errorf("append to %s: %w (and truncate back: %v)", s.file.Name(), err, terr)
		}
		return fmt.Errorf("append to %s: %w", s.file.Name(), err)
	}
	s.track(pos, h, interval)
	s.dirty = true
	return nil
}

// seal records the segment's largest timestamp as the time index's final entry, so
// retention and ListOffsets(-3) know it without loading the index (Kafka does the same
// on roll and on close).
func (s *segment) seal() {
	if s.offsetOfMaxTimestamp >= 0 {
		s.times.maybeAppend(s.maxTimestamp, uint32(s.offsetOfMaxTimestamp-s.base))
	}
}

func (s *segment) isEmpty() bool { return s.size == 0 }

// rollDue is Kafka's time-based roll: measured between record timestamps (ref is the
// new batch's max timestamp, or the wall clock in maintenance) and the first batch's,
// falling back to the segment's age when batches carry no timestamps.
func (s *segment) rollDue(ref int64, now time.Time, segmentMs int64) bool {
	if segmentMs == math.MaxInt64 {
		return false
	}
	if s.firstBatchTimestamp >= 0 {
		return ref-s.firstBatchTimestamp >= segmentMs
	}
	return now.Sub(s.created).Milliseconds() >= segmentMs
}

// readHeader preads the first len(dst) bytes of the batch at pos.
func (s *segment) readHeader(pos int64, dst []byte) error {
	if _, err := s.file.ReadAt(dst, pos); err != nil {
		return fmt.Errorf("read batch header at %d of %s: %w", pos, s.file.Name(), err)
	}
	return nil
}

// scanWindow is how much of a segment findBatch reads at once: a default index interval
// (4 KiB) of small batches and the header after it in one read, instead of one read per
// header (issue 12: a fetch's scans were most of a leader's time with 1,000 partitions).
const scanWindow = 8 << 10

var scanWindows = sync.Pool{New: func() any { b := make([]byte, scanWindow); return &b }}

// findBatch scans batch headers from pos for the first batch whose last offset is >=
// target. It is the short scan after an index lookup, at most IndexIntervalBytes long.
func (s *segment) findBatch(pos, target int64) (at int64, base int64, size int64, found bool, err error) {
	wp := scanWindows.Get().(*[]byte)
	defer scanWindows.Put(wp)
	var win []byte // the segment's bytes from winAt on
	winAt := int64(0)
	for pos+batchHeaderSize <= s.size {
		if pos < winAt || pos+batchHeaderSize > winAt+int64(len(win)) {
			winAt = pos
			win = (*wp)[:min(int64(scanWindow), s.size-pos)]
			if err := s.readHeader(pos, win); err != nil {
				return 0, 0, 0, false, err
			}
		}
		hdr := win[pos-winAt:]
		base = int64(be.Uint64(hdr))
		size = logOverhead + int64(int32(be.Uint32(hdr[batchLengthOff:])))
		if base+int64(int32(be.Uint32(hdr[lastOffsetDeltaOff:]))) >= target {
			return pos, base, size, true, nil
		}
		pos += size
	}
	return 0, 0, 0, false, nil
}

// positionOf returns where to start scanning for offset.
func (s *segment) positionOf(offset int64) int64 {
	if offset <= s.base {
		return 0
	}
	return int64(s.offsets.lookup(uint32(min(offset-s.base, maxInt32))))
}

// read returns whole batches from the one holding offset, stopping before the first
// batch reaching upTo and, past the first batch, within maxBytes (KIP-74). segEnd is
// the offset where the next segment starts (the LEO for the active one). nil means
// this segment holds nothing at or after offset. buf is used if it is large enough.
func (s *segment) read(buf []byte, offset int64, maxBytes int32, upTo, segEnd int64) ([]byte, error) {
	start, base, first, found, err := s.findBatch(s.positionOf(offset), offset)
	if err != nil || !found || base >= upTo {
		return nil, err
	}
	end := s.size
	if upTo < segEnd {
		stop, _, _, found, err := s.findBatch(max(s.positionOf(upTo), start), upTo)
		if err != nil {
			return nil, err
		}
		if found {
			end = stop
		}
	}
	if end <= start {
		return nil, nil
	}
	n := end - start
	if n > int64(maxBytes) {
		n = max(first, int64(maxBytes))
	}
	if int64(cap(buf)) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := s.file.ReadAt(buf, start); err != nil {
		return nil, fmt.Errorf("read %d bytes at %d of %s: %w", n, start, s.file.Name(), err)
	}
	if n < end-start {
		buf = buf[:wholeBatchesPrefix(buf)]
	}
	return buf, nil
}

// sync makes the log and its indexes durable.
func (s *segment) sync() error {
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("sync segment %s: %w", s.file.Name(), err)
	}
	if err := s.offsets.persist(true); err != nil {
		return err
	}
	if err := s.times.persist(true); err != nil {
		return err
	}
	return s.txns.persist(true)
}

func (s *segment) close() error {
	if err := s.file.Close(); err != nil {
		return fmt.Errorf("close segment %s: %w", s.file.Name(), err)
	}
	return nil
}

// remove closes the segment and deletes its files.
func (s *segment) remove() error {
	name := s.file.Name()
	s.file.Close()
	for _, p := range []string{name, s.offsets.path, s.times.path, s.txns.file.path} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete segment %s: %w", p, err)
		}
	}
	return nil
}
