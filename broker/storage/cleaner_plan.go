package storage

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// cleanPlan is what a pass works from, taken under the read lock. The sealed segments
// it lists stay in place while the pass holds flushMu: only retention, truncation,
// deletion and Close remove segments, and they all take flushMu first.
type cleanPlan struct {
	cfg         Config
	dir         string
	now         int64
	segments    []*segment // sealed segments [0, uncleanable) are cleaned
	ends        []int64    // ends[i]: the offset where segments[i] ends
	sizes       []int64    // segments[i].size and largestTimestamp, read under the lock:
	largest     []int64    // a reader's lazy index load writes those fields
	uncleanable int
	firstDirty  int64
	lastRecords map[int64]lastRecord // producer id → what keeps its state
	// aborted lists the aborted transactions of every segment's transaction index, by
	// first offset; indexed[i] is segments[i]'s own index.
	aborted []abortedTxnEntry
	indexed [][]abortedTxnEntry
}

// planCompaction decides whether the log is due, as Kafka's LogCleanerManager does,
// and returns nil when it is not.
func (l *PartitionLog) planCompaction(now time.Time) (*cleanPlan, CompactionResult, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed || !l.cfg.Compacts() || len(l.segments) < 2 {
		return nil, CompactionResult{}, nil
	}
	checkpoint, err := l.readOwnCheckpoint(CleanerOffsetCheckpointFile)
	if err != nil {
		return nil, CompactionResult{}, l.errorf("compact: %w", err)
	}
	p := &cleanPlan{cfg: l.cfg, dir: l.dir, now: now.UnixMilli(), segments: slices.Clone(l.segments[:len(l.segments)-1])}
	for i, s := range p.segments {
		p.ends = append(p.ends, l.segmentEnd(i))
		p.sizes = append(p.sizes, s.size)
		p.largest = append(p.largest, s.largestTimestamp())
	}
	// A checkpoint outside the log (below a raised log start, or past a truncated end)
	// restarts from the log start, as Kafka's does.
	p.firstDirty = checkpoint
	if p.firstDirty < l.logStartOffset || p.firstDirty > l.leo() {
		p.firstDirty = l.logStartOffset
	}
	p.uncleanable = len(p.segments)
	// Kafka's cleaner never goes past the last stable offset: an undecided
	// transaction's records might yet be aborted. Completed transactions count until
	// LastStableOffset has seen the high watermark pass their marker.
	if fuo, ok := l.producers.txns.firstUnstableOffset(math.MinInt64); ok {
		for i := range p.segments {
			if p.ends[i] > fuo {
				p.uncleanable = i
				break
			}
		}
	}
	if lag := p.cfg.MinCompactionLagMs; lag > 0 {
		for i := range p.segments {
			if p.ends[i] > p.firstDirty && p.largest[i] > p.now-lag {
				p.uncleanable = min(p.uncleanable, i)
				break
			}
		}
	}
	res := CompactionResult{FirstDirtyOffset: p.firstDirty, CleanedUpTo: p.firstDirty}
	var clean, dirty int64
	for i := range p.uncleanable {
		switch {
		case p.ends[i] <= l.logStartOffset:
		case p.ends[i] <= p.firstDirty:
			clean += p.sizes[i]
		default:
			dirty += p.sizes[i]
		}
	}
	if clean+dirty > 0 {
		res.DirtyRatio = float64(dirty) / float64(clean+dirty)
	}
	due := dirty > 0 && (res.DirtyRatio > p.cfg.MinCleanableDirtyRatio || p.maxLagExceeded())
	if !due && (p.uncleanable == 0 || p.now < l.tombstonesDue) {
		return nil, res, nil
	}
	p.lastRecords = make(map[int64]lastRecord, len(l.producers.producers))
	for id, e := range l.producers.producers {
		last := lastRecord{dataOffset: -1, epoch: e.epoch}
		if e.n > 0 {
			last.dataOffset = e.batches[e.n-1].lastOffset
		}
		p.lastRecords[id] = last
	}
	if err := l.planAbortedTxnsLocked(p); err != nil {
		return nil, res, l.errorf("compact: %w", err)
	}
	return p, res, nil
}

// planAbortedTxnsLocked copies the transaction indexes into the plan: the active
// segment's too, since an abort marker there may end a transaction whose data is in
// the segments being cleaned.
func (l *PartitionLog) planAbortedTxnsLocked(p *cleanPlan) error {
	p.indexed = make([][]abortedTxnEntry, len(p.segments))
	for i, s := range l.segments {
		if err := s.txns.ensureLoaded(l.log); err != nil {
			return err
		}
		var entries []abortedTxnEntry
		for j := range s.txns.entries() {
			entries = append(entries, s.txns.at(j))
		}
		if i < len(p.indexed) {
			p.indexed[i] = entries
		}
		p.aborted = append(p.aborted, entries...)
	}
	slices.SortStableFunc(p.aborted, func(a, b abortedTxnEntry) int { return cmp.Compare(a.firstOffset, b.firstOffset) })
	return nil
}

// abortedFrom is the aborted transactions with a marker at or after offset.
func (p *cleanPlan) abortedFrom(offset int64) []abortedTxnEntry {
	return slices.DeleteFunc(slices.Clone(p.aborted), func(e abortedTxnEntry) bool { return e.lastOffset < offset })
}

// maxLagExceeded is max.compaction.lag.ms: the first batch of some dirty sealed
// segment is older than the lag (Kafka's LogCleanerManager.maxCompactionDelay).
func (p *cleanPlan) maxLagExceeded() bool {
	if p.cfg.MaxCompactionLagMs == math.MaxInt64 {
		return false
	}
	for i, s := range p.segments {
		if p.ends[i] <= p.firstDirty || p.sizes[i] < batchHeaderSize {
			continue
		}
		var hdr [maxTimestampOff + 8]byte
		if s.readHeader(0, hdr[:]) != nil {
			continue
		}
		if ts := int64(be.Uint64(hdr[maxTimestampOff:])); ts > 0 && p.now-ts > p.cfg.MaxCompactionLagMs {
			return true
		}
	}
	return false
}

// groups splits the segments to clean into runs that fit one segment together
// (segment.bytes, and offsets relative to the first in 32 bits), as Kafka's
// groupSegmentsBySize does, so that compaction does not leave a trail of tiny files.
func (p *cleanPlan) groups() [][2]int {
	var out [][2]int
	for i := 0; i < p.uncleanable; {
		j, size := i+1, p.sizes[i]
		for j < p.uncleanable && size+p.sizes[j] <= p.cfg.SegmentBytes &&
			fitsRelative(p.segments[i].base, p.ends[j]-1) {
			size += p.sizes[j]
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}
