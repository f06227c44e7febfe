package storage

import "fmt"

const timeIndexEntrySize = 12

// timeIndex is Kafka's .timeindex file: big-endian (timestamp int64, relative offset
// uint32) entries with strictly increasing timestamps. An entry (t, o) means the
// largest timestamp in the segment up to the batch at offset o is t, and it was first
// reached in that batch; the final entry, written when the segment is sealed, carries
// the segment's largest timestamp, which retention reads without loading the index.
type timeIndex struct {
	indexFile
}

func newTimeIndex(path string) timeIndex {
	return timeIndex{indexFile{path: path, entrySize: timeIndexEntrySize}}
}

func (x *timeIndex) at(i int) (ts int64, rel uint32) {
	e := x.entry(i)
	return int64(be.Uint64(e)), be.Uint32(e[8:])
}

func (x *timeIndex) lastTimestamp() int64 {
	if x.entries() == 0 {
		return -1
	}
	ts, _ := x.at(x.entries() - 1)
	return ts
}

// maybeAppend adds an entry only when ts raises the indexed maximum, as Kafka does.
func (x *timeIndex) maybeAppend(ts int64, rel uint32) {
	if ts < 0 || ts <= x.lastTimestamp() {
		return
	}
	x.buf = be.AppendUint32(be.AppendUint64(x.buf, uint64(ts)), rel)
}

// lookupBefore returns the offset of the last entry whose timestamp is < ts: every
// batch before that offset has a smaller timestamp, so a scan for ts starts there.
func (x *timeIndex) lookupBefore(ts int64) (rel uint32, ok bool) {
	lo, hi := 0, x.entries()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t, _ := x.at(m); t < ts {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0, false
	}
	_, rel = x.at(lo - 1)
	return rel, true
}

func (x *timeIndex) check(maxRel int64) error {
	var prevTs, prevRel int64 = -1, -1
	for i := range x.entries() {
		t, r := x.at(i)
		if t <= prevTs || int64(r) < prevRel || int64(r) > maxRel {
			return fmt.Errorf("time index %s: entry %d (%d, %d) out of order or past the log", x.path, i, t, r)
		}
		prevTs, prevRel = t, int64(r)
	}
	return nil
}
