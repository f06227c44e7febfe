package storage

import (
	"fmt"
	"strconv"
)

// LeaderEpochCheckpointFile is Kafka's name for the per-partition epoch history.
const LeaderEpochCheckpointFile = "leader-epoch-checkpoint"

type epochEntry struct {
	epoch       int32
	startOffset int64
}

// leaderEpochCache is Kafka's LeaderEpochFileCache: the first offset written under each
// leader epoch, which OffsetForLeaderEpoch answers from so that a follower truncates to
// exactly where its log diverged (KIP-101) instead of to its high watermark.
type leaderEpochCache struct {
	path    string
	entries []epochEntry
}

func loadLeaderEpochCache(path string) (*leaderEpochCache, error) {
	lines, err := readCheckpoint(path, 2)
	if err != nil {
		return nil, err
	}
	c := &leaderEpochCache{path: path}
	for _, f := range lines {
		e, err1 := strconv.ParseInt(f[0], 10, 32)
		o, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("read leader epochs %s: bad line %q", path, f)
		}
		c.entries = append(c.entries, epochEntry{epoch: int32(e), startOffset: o})
	}
	return c, nil
}

func (c *leaderEpochCache) write() error {
	lines := make([]string, len(c.entries))
	for i, e := range c.entries {
		lines[i] = strconv.FormatInt(int64(e.epoch), 10) + " " + strconv.FormatInt(e.startOffset, 10)
	}
	if err := writeCheckpoint(c.path, lines); err != nil {
		return fmt.Errorf("write leader epochs: %w", err)
	}
	return nil
}

func (c *leaderEpochCache) latest() (epochEntry, bool) {
	if len(c.entries) == 0 {
		return epochEntry{}, false
	}
	return c.entries[len(c.entries)-1], true
}

// assign records that epoch starts at offset if it is newer than every known epoch;
// older epochs are ignored (the caller fences stale leaders before appending).
func (c *leaderEpochCache) assign(epoch int32, offset int64) bool {
	if epoch < 0 {
		return false
	}
	if l, ok := c.latest(); ok && epoch <= l.epoch {
		return false
	}
	n := len(c.entries)
	for n > 0 && c.entries[n-1].startOffset >= offset {
		n--
	}
	c.entries = append(c.entries[:n], epochEntry{epoch: epoch, startOffset: offset})
	return true
}

// truncateFromEnd forgets epochs starting at or after end, after the log was cut there.
func (c *leaderEpochCache) truncateFromEnd(end int64) bool {
	n := len(c.entries)
	for n > 0 && c.entries[n-1].startOffset >= end {
		n--
	}
	changed := n != len(c.entries)
	c.entries = c.entries[:n]
	return changed
}

// truncateFromStart drops epochs wholly below the new log start and moves the start of
// the epoch that spans it up to it, as Kafka's truncateFromStart does.
func (c *leaderEpochCache) truncateFromStart(start int64) bool {
	i := 0
	for i < len(c.entries) && c.entries[i].startOffset <= start {
		i++
	}
	if i == 0 {
		return false
	}
	keep := c.entries[i-1]
	if i == 1 && keep.startOffset == start {
		return false
	}
	keep.startOffset = start
	c.entries = append([]epochEntry{keep}, c.entries[i:]...)
	return true
}

// endOffsetFor is Kafka's LeaderEpochFileCache.endOffsetFor.
func (c *leaderEpochCache) endOffsetFor(epoch int32, logEnd int64) (int32, int64) {
	const undefinedEpoch, undefinedOffset = -1, -1
	l, ok := c.latest()
	switch {
	case epoch == undefinedEpoch || !ok:
		return undefinedEpoch, undefinedOffset
	case epoch == l.epoch:
		return epoch, logEnd
	}
	hi := 0
	for hi < len(c.entries) && c.entries[hi].epoch <= epoch {
		hi++
	}
	if hi == len(c.entries) {
		return undefinedEpoch, undefinedOffset
	}
	if hi == 0 {
		// Older than anything known (the log start removed it): the best answer is
		// where the next known epoch began.
		return epoch, c.entries[0].startOffset
	}
	return c.entries[hi-1].epoch, c.entries[hi].startOffset
}
