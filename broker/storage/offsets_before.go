package storage

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// OffsetsBefore is Kafka's legacyFetchOffsetsBefore, the answer of ListOffsets v0:
// up to maxNum offsets, newest first, taken from the segments' base offsets (each no
// lower than the log start) paired with their files' modification times, plus the log
// end offset stamped now when the active segment holds data. timestamp -1 (latest)
// starts from the last entry, -2 (earliest) from the first, any other from the newest
// entry modified at or before it. Coarse by design: v0 clients only ever needed a
// segment boundary.
func (l *PartitionLog) OffsetsBefore(timestamp int64, maxNum int32, now time.Time) ([]int64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, fmt.Errorf("offsets before %d: %w", timestamp, ErrClosed)
	}
	type entry struct{ offset, modified int64 }
	entries := make([]entry, 0, len(l.segments)+1)
	for _, s := range l.segments {
		fi, err := s.file.Stat()
		if err != nil {
			return nil, l.errorf("offsets before %d: stat segment %d: %w", timestamp, s.base, err)
		}
		entries = append(entries, entry{max(s.base, l.logStartOffset), fi.ModTime().UnixMilli()})
	}
	if l.active().size > 0 {
		entries = append(entries, entry{l.leo(), now.UnixMilli()})
	}
	start := len(entries) - 1
	switch timestamp {
	case -1:
	case -2:
		start = 0
	default:
		for start >= 0 && entries[start].modified > timestamp {
			start--
		}
	}
	n := min(int(max(maxNum, 0)), start+1)
	out := make([]int64, 0, n)
	for i := range n {
		out = append(out, entries[start-i].offset)
	}
	slices.SortFunc(out, func(a, b int64) int { return cmp.Compare(b, a) })
	return out, nil
}
