package storage

import (
	"fmt"
	"math"
)

const offsetIndexEntrySize = 8

// offsetIndex is Kafka's .index file: big-endian (relative offset uint32, file position
// uint32) entries, one per IndexIntervalBytes of log. Each entry names the base offset
// of the batch at that position, so a lookup lands on the batch holding the offset or
// one shortly before it.
type offsetIndex struct {
	indexFile
}

func newOffsetIndex(path string) offsetIndex {
	return offsetIndex{indexFile{path: path, entrySize: offsetIndexEntrySize}}
}

func (x *offsetIndex) at(i int) (rel uint32, pos uint32) {
	e := x.entry(i)
	return be.Uint32(e), be.Uint32(e[4:])
}

func (x *offsetIndex) append(rel, pos uint32) {
	x.buf = be.AppendUint32(be.AppendUint32(x.buf, rel), pos)
}

// lookup returns the position of the last indexed batch whose base offset is <= rel,
// or 0 (the segment start) when there is none.
func (x *offsetIndex) lookup(rel uint32) uint32 {
	lo, hi := 0, x.entries()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r, _ := x.at(m); r <= rel {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	_, pos := x.at(lo - 1)
	return pos
}

// check is Kafka's index sanity check: strictly increasing offsets and positions, all
// inside the segment. A failure after a crash means the index is rebuilt from the log.
func (x *offsetIndex) check(logSize int64, maxRel int64) error {
	var prevRel, prevPos int64 = -1, -1
	for i := range x.entries() {
		r, p := x.at(i)
		if int64(r) <= prevRel || int64(p) <= prevPos || int64(p) >= logSize || int64(r) > maxRel {
			return fmt.Errorf("offset index %s: entry %d (%d, %d) out of order or past the log", x.path, i, r, p)
		}
		prevRel, prevPos = int64(r), int64(p)
	}
	return nil
}

// fitsRelative reports whether an offset can be stored relative to base in 32 bits;
// a segment rolls before it would not.
func fitsRelative(base, offset int64) bool {
	return offset-base >= 0 && offset-base <= math.MaxInt32
}
