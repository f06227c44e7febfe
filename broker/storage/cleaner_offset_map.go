package storage

import "hash/maphash"

// maxOffsetMapKeys bounds the cleaner's key map (about 40 bytes a key), as
// log.cleaner.dedupe.buffer.size bounds Kafka's: a dirty range with more keys is
// compacted over several passes, each ending at a segment boundary.
const maxOffsetMapKeys = 4 << 20

// offsetMap is the cleaner's key → latest offset map over the dirty range. Keys are
// held as 128-bit hashes (two seeded maphash sums), as Kafka holds MD5s, so memory does
// not grow with key size; two keys collide only by agreeing on 128 random bits.
type offsetMap struct {
	seed1, seed2 maphash.Seed
	m            map[[2]uint64]int64
}

func newOffsetMap() *offsetMap {
	return &offsetMap{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(), m: make(map[[2]uint64]int64)}
}

func (o *offsetMap) hash(key []byte) [2]uint64 {
	return [2]uint64{maphash.Bytes(o.seed1, key), maphash.Bytes(o.seed2, key)}
}

// buildOffsetMap records the latest offset of every key in the dirty range [firstDirty,
// start of segments[uncleanable]). Records of aborted transactions are left out, as
// Kafka's buildOffsetMapForSegment does: they are removed whatever their key, and must
// not make an older committed value look superseded. When the map fills it stops at
// the end of a segment, lowering uncleanable, and the next pass carries on from there.
func (p *cleanPlan) buildOffsetMap() (*offsetMap, error) {
	m := newOffsetMap()
	txns := newCleanerTxns(p.abortedFrom(p.firstDirty))
	for i, s := range p.segments[:p.uncleanable] {
		if p.ends[i] <= p.firstDirty {
			continue
		}
		err := scanSegment(s, p.sizes[i], func(b []byte, h *batchHeader) error {
			if h.isControl() {
				txns.onControl(b, h)
				return nil
			}
			if txns.onData(h) || h.lastOffset() < p.firstDirty {
				return nil
			}
			data, err := batchRecords(b, h)
			if err != nil {
				return err
			}
			return decodeRecords(data, h.recordCount, func(r *record) error {
				if off := h.baseOffset + int64(r.offsetDelta); off >= p.firstDirty && r.key != nil {
					m.m[m.hash(r.key)] = off
				}
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
		if len(m.m) >= maxOffsetMapKeys && i+1 < p.uncleanable {
			p.uncleanable = i + 1
			break
		}
	}
	return m, nil
}
