package storage

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// PartitionLog is one partition's log: an ordered list of segments, the last of which
// (the active segment) takes appends, plus the leader-epoch history and the producer
// state that idempotence and transactions need.
//
// Locking: mu guards everything; Read takes it shared, so consumers never wait on
// each other, only briefly on an append. flushMu serialises fsyncs of rolled segments,
// which run without mu so that producers never wait on a disk flush, against anything
// that deletes or truncates segments (always taken before mu).
type PartitionLog struct {
	dir       string
	topic     string
	partition int32
	log       *slog.Logger

	flushMu sync.Mutex
	mu      sync.RWMutex

	cfg            Config
	segments       []*segment
	logStartOffset int64
	recoveryPoint  int64 // segments wholly below it are known to be on disk
	producers      *producerState
	epochs         *leaderEpochCache
	unflushed      int64 // messages appended since the last fsync
	lastFlush      time.Time
	closed         bool
	tombstonesDue  int64 // unix ms when a tombstone the cleaner kept outlives delete.retention.ms; 0: not yet known
	// cleanMarker is set while the clean-shutdown marker of the last stop is still on
	// disk; the first change removes it (dropCleanMarkerLocked).
	cleanMarker bool
}

// AppendResult is what a produce response reports for the partition.
type AppendResult struct {
	BaseOffset     int64
	LastOffset     int64
	LogAppendTime  int64 // -1: batches keep their CreateTime
	LogStartOffset int64
	Duplicate      bool // an idempotent retry of a batch already in the log; offsets are the original's
}

// Open opens (creating if needed) the partition directory dir and recovers it: a
// partition that was not closed cleanly has its unflushed segments rescanned and cut at
// the first torn batch before any offset is handed out.
func Open(dir string, topic string, partition int32, cfg Config, log *slog.Logger) (*PartitionLog, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("open partition log %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open partition log %s: %w", dir, err)
	}
	l := &PartitionLog{
		dir:       dir,
		topic:     topic,
		partition: partition,
		log:       log.With("topic", topic, "partition", partition),
		cfg:       cfg,
		lastFlush: time.Now(),
	}
	if err := l.load(); err != nil {
		for _, s := range l.segments {
			s.close()
		}
		return nil, fmt.Errorf("open partition log %s: %w", dir, err)
	}
	return l, nil
}

// SetConfig applies a topic config change; it takes effect from the next append or
// maintenance pass. A config check refuses is not applied: the log keeps its
// settings and the error says which key was out of range.
func (l *PartitionLog) SetConfig(cfg Config) error {
	if err := cfg.check(); err != nil {
		return l.errorf("set config: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg = cfg
	return nil
}

// Dir is the log's directory; it never changes while the log is open.
func (l *PartitionLog) Dir() string { return l.dir }

// LogStartOffset is the first offset a consumer may fetch (Kafka's log start offset,
// raised by retention and DeleteRecords).
func (l *PartitionLog) LogStartOffset() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.logStartOffset
}

// LogEndOffset is the offset the next appended record will get.
func (l *PartitionLog) LogEndOffset() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.leo()
}

func (l *PartitionLog) active() *segment { return l.segments[len(l.segments)-1] }

func (l *PartitionLog) leo() int64 { return l.active().next }

// segmentEnd is the offset where segment i ends: the next segment's base, or the LEO.
func (l *PartitionLog) segmentEnd(i int) int64 {
	if i+1 < len(l.segments) {
		return l.segments[i+1].base
	}
	return l.leo()
}

// segmentFor returns the index of the segment whose range holds offset.
func (l *PartitionLog) segmentFor(offset int64) int {
	lo, hi := 0, len(l.segments)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.segments[m].base <= offset {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

func (l *PartitionLog) errorf(format string, args ...any) error {
	return fmt.Errorf("%s-%d: "+format, append([]any{l.topic, l.partition}, args...)...)
}

// Append is AppendWith for a client's batch without transaction verification.
func (l *PartitionLog) Append(batch []byte, leaderEpoch int32) (AppendResult, error) {
	return l.AppendWith(batch, leaderEpoch, AppendOptions{})
}

// AppendWith writes one batch as a leader at the log end offset, after the producer
// checks opts.Origin calls for. It stamps the batch's baseOffset and
// partitionLeaderEpoch in place (both lie outside the CRC, so the bytes stay valid);
// the caller must not reuse batch for anything that expects the original bytes.
// Control batches are refused: the log writes transaction markers itself
// (AppendTxnMarker), and Kafka refuses them from clients.
func (l *PartitionLog) AppendWith(batch []byte, leaderEpoch int32, opts AppendOptions) (AppendResult, error) {
	h, err := checkProducedBatch(batch)
	if err != nil {
		return AppendResult{}, l.errorf("append: %w", err)
	}
	if h.isControl() {
		return AppendResult{}, l.errorf("append: %w: control batch; transaction markers are written with AppendTxnMarker", ErrInvalidRecord)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return AppendResult{}, l.errorf("append: %w", ErrClosed)
	}
	if err := l.dropCleanMarkerLocked(); err != nil {
		return AppendResult{}, err
	}
	if len(batch) > int(l.cfg.MaxMessageBytes) || int64(len(batch)) > l.cfg.SegmentBytes {
		return AppendResult{}, l.errorf("append: %w: %d bytes, max.message.bytes %d, segment.bytes %d",
			ErrRecordTooLarge, len(batch), l.cfg.MaxMessageBytes, l.cfg.SegmentBytes)
	}
	if h.producerID >= 0 {
		dup, err := l.producers.checkData(&h, opts)
		if err != nil {
			return AppendResult{}, l.errorf("append: %w", err)
		}
		if dup != nil {
			return AppendResult{
				BaseOffset: dup.baseOffset, LastOffset: dup.lastOffset,
				LogAppendTime: -1, LogStartOffset: l.logStartOffset, Duplicate: true,
			}, nil
		}
	}
	base := l.leo()
	be.PutUint64(batch, uint64(base))
	be.PutUint32(batch[leaderEpochOff:], uint32(leaderEpoch))
	h.baseOffset = base
	now := time.Now()
	if err := l.appendLocked(batch, &h, now); err != nil {
		return AppendResult{}, err
	}
	l.assignEpochLocked(leaderEpoch, base)
	if err := l.maybeFlushLocked(int64(h.recordCount), now); err != nil {
		return AppendResult{}, err
	}
	return AppendResult{
		BaseOffset: base, LastOffset: h.lastOffset(),
		LogAppendTime: -1, LogStartOffset: l.logStartOffset,
	}, nil
}

// appendLocked rolls if the batch is due a new segment, then writes it and records it
// in the producer state.
func (l *PartitionLog) appendLocked(b []byte, h *batchHeader, now time.Time) error {
	s := l.active()
	if !s.isEmpty() && (s.size+int64(len(b)) > l.cfg.SegmentBytes ||
		!fitsRelative(s.base, h.lastOffset()) ||
		s.rollDue(h.maxTimestamp, now, l.cfg.SegmentMs)) {
		if err := l.rollLocked(); err != nil {
			return err
		}
		s = l.active()
	}
	if err := s.append(b, h, l.cfg.IndexIntervalBytes); err != nil {
		return l.errorf("%w", err)
	}
	if h.producerID >= 0 {
		return l.applyProducerBatchLocked(b, h, s)
	}
	return nil
}

// rollLocked seals the active segment and starts a new one at the LEO. The sealed
// segment is fsynced in the background, as Kafka's flush-on-roll is, so producers do
// not wait for the disk; the recovery point moves once that fsync is done.
func (l *PartitionLog) rollLocked() error {
	old := l.active()
	s, err := createSegment(l.dir, old.next)
	if err != nil {
		return l.errorf("roll: %w", err)
	}
	old.seal()
	l.segments = append(l.segments, s)
	if err := l.producers.writeSnapshot(l.dir, s.base, false); err != nil {
		l.log.Warn("producer snapshot on roll", "offset", s.base, "err", err)
	}
	l.log.Debug("rolled segment", "base_offset", s.base)
	go l.flushRolled()
	return nil
}

func (l *PartitionLog) assignEpochLocked(epoch int32, offset int64) {
	if !l.epochs.assign(epoch, offset) {
		return
	}
	if err := l.epochs.write(); err != nil {
		// The in-memory history is right and is written again on the next change or
		// close; a crash before then recovers epochs from the log's batches' view.
		l.log.Error("leader epoch checkpoint", "epoch", epoch, "err", err)
	}
}

// Read returns whole batches starting with the one holding offset, all below upTo
// (the high watermark or LEO) and within maxBytes, except that the first batch is
// returned whole even if larger (KIP-74), so a consumer can always make progress.
// Reads never cross a segment. An empty result means nothing is available yet.
func (l *PartitionLog) Read(offset int64, maxBytes int32, upTo int64) ([]byte, error) {
	return l.ReadInto(nil, offset, maxBytes, upTo)
}

// ReadInto is Read into buf's storage when it is large enough, so a fetch path that
// pools its buffers allocates nothing: a fresh buffer per fetch costs more in page
// faults than the pread itself.
func (l *PartitionLog) ReadInto(buf []byte, offset int64, maxBytes int32, upTo int64) ([]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	b, _, err := l.readLocked(buf, offset, maxBytes, upTo)
	return b, err
}

// readLocked is ReadInto, also returning the index of the segment read from.
func (l *PartitionLog) readLocked(buf []byte, offset int64, maxBytes int32, upTo int64) ([]byte, int, error) {
	if l.closed {
		return nil, 0, l.errorf("read: %w", ErrClosed)
	}
	leo := l.leo()
	if offset < l.logStartOffset || offset > leo {
		return nil, 0, l.errorf("read offset %d: %w: log is [%d, %d)", offset, ErrOffsetOutOfRange, l.logStartOffset, leo)
	}
	upTo = min(upTo, leo)
	for i := l.segmentFor(offset); i < len(l.segments) && offset < upTo; i++ {
		s := l.segments[i]
		if err := s.ensureLoaded(l.cfg.IndexIntervalBytes, l.log); err != nil {
			return nil, 0, l.errorf("read: %w", err)
		}
		b, err := s.read(buf, offset, maxBytes, upTo, l.segmentEnd(i))
		if err != nil {
			return nil, 0, l.errorf("read: %w", err)
		}
		if b != nil {
			return b, i, nil
		}
		offset = max(offset, l.segmentEnd(i))
	}
	return nil, 0, nil
}
