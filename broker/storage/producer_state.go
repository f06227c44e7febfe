package storage

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxCachedBatches is how many in-flight batches an idempotent producer may have
// (max.in.flight.requests.per.connection <= 5), so any retry is one of these.
const maxCachedBatches = 5

const snapshotSuffix = ".snapshot"

type batchMetadata struct {
	firstSeq, lastSeq      int32
	baseOffset, lastOffset int64
}

type producerEntry struct {
	epoch   int16
	batches [maxCachedBatches]batchMetadata
	n       int
}

func (e *producerEntry) push(m batchMetadata) {
	if e.n == maxCachedBatches {
		copy(e.batches[:], e.batches[1:])
		e.n--
	}
	e.batches[e.n] = m
	e.n++
}

// producerState is Kafka's ProducerStateManager reduced to idempotence: per producer
// id, its epoch and its last five batches, enough to tell a retry from a gap.
type producerState struct {
	producers map[int64]*producerEntry
}

func newProducerState() *producerState {
	return &producerState{producers: make(map[int64]*producerEntry)}
}

// check validates an idempotent batch before it is written and returns the metadata of
// the batch it duplicates, if any. A producer the log does not know is accepted at any
// sequence: since KIP-360 (Kafka 2.5) that is what happens after retention or
// DeleteRecords removed its state, and refusing would wedge the producer for good.
func (p *producerState) check(h *batchHeader) (*batchMetadata, error) {
	e := p.producers[h.producerID]
	if e == nil {
		return nil, nil
	}
	switch {
	case h.producerEpoch < e.epoch:
		return nil, fmt.Errorf("%w: producer %d epoch %d, current %d", ErrInvalidProducerEpoch, h.producerID, h.producerEpoch, e.epoch)
	case h.producerEpoch > e.epoch:
		if h.baseSequence != 0 {
			return nil, fmt.Errorf("%w: producer %d new epoch %d must start at sequence 0, got %d", ErrOutOfOrderSequence, h.producerID, h.producerEpoch, h.baseSequence)
		}
		return nil, nil
	}
	last := h.lastSequence()
	for i := range e.n {
		if b := &e.batches[i]; b.firstSeq == h.baseSequence && b.lastSeq == last {
			return b, nil
		}
	}
	if e.n == 0 {
		return nil, nil
	}
	if want := nextSequence(e.batches[e.n-1].lastSeq, 1); h.baseSequence != want {
		return nil, fmt.Errorf("%w: producer %d epoch %d expected sequence %d, got %d", ErrOutOfOrderSequence, h.producerID, h.producerEpoch, want, h.baseSequence)
	}
	return nil, nil
}

// update records a batch written at baseOffset. Control batches (transaction markers)
// only move the epoch forward; they carry no sequence.
func (p *producerState) update(h *batchHeader, baseOffset int64) {
	if h.producerID < 0 {
		return
	}
	e := p.producers[h.producerID]
	if e == nil {
		e = &producerEntry{epoch: h.producerEpoch}
		p.producers[h.producerID] = e
	}
	if h.producerEpoch > e.epoch {
		e.epoch, e.n = h.producerEpoch, 0
	}
	if h.isControl() || h.producerEpoch < e.epoch {
		return
	}
	e.push(batchMetadata{
		firstSeq:   h.baseSequence,
		lastSeq:    h.lastSequence(),
		baseOffset: baseOffset,
		lastOffset: baseOffset + int64(h.lastOffsetDelta),
	})
}

// Snapshot layout (big-endian): version int16 = 1 | crc32c uint32 over the rest |
// count int32 | per producer: id int64, epoch int16, n int8, n × (firstSeq int32,
// lastSeq int32, baseOffset int64, lastOffset int64). Unlike Kafka's, it keeps all five
// batches so that a retry is recognised as a duplicate after a restart too.
const (
	snapshotVersion   = 1
	snapshotHeader    = 2 + 4 + 4
	snapshotBatchSize = 4 + 4 + 8 + 8
)

func (p *producerState) marshal() []byte {
	ids := make([]int64, 0, len(p.producers))
	for id := range p.producers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := make([]byte, snapshotHeader, snapshotHeader+len(ids)*(11+maxCachedBatches*snapshotBatchSize))
	be.PutUint16(b, snapshotVersion)
	be.PutUint32(b[6:], uint32(len(ids)))
	for _, id := range ids {
		e := p.producers[id]
		b = be.AppendUint64(b, uint64(id))
		b = be.AppendUint16(b, uint16(e.epoch))
		b = append(b, byte(e.n))
		for _, m := range e.batches[:e.n] {
			b = be.AppendUint32(b, uint32(m.firstSeq))
			b = be.AppendUint32(b, uint32(m.lastSeq))
			b = be.AppendUint64(b, uint64(m.baseOffset))
			b = be.AppendUint64(b, uint64(m.lastOffset))
		}
	}
	be.PutUint32(b[2:], crc32.Checksum(b[6:], castagnoli))
	return b
}

func unmarshalProducerState(b []byte) (*producerState, error) {
	if len(b) < snapshotHeader || be.Uint16(b) != snapshotVersion {
		return nil, errors.New("not a version 1 producer snapshot")
	}
	if be.Uint32(b[2:]) != crc32.Checksum(b[6:], castagnoli) {
		return nil, errors.New("crc mismatch")
	}
	p := newProducerState()
	count := int(be.Uint32(b[6:]))
	b = b[snapshotHeader:]
	for range count {
		if len(b) < 11 {
			return nil, errors.New("truncated producer entry")
		}
		id, e := int64(be.Uint64(b)), &producerEntry{epoch: int16(be.Uint16(b[8:])), n: int(b[10])}
		b = b[11:]
		if e.n > maxCachedBatches || len(b) < e.n*snapshotBatchSize {
			return nil, errors.New("truncated producer batches")
		}
		for i := range e.n {
			e.batches[i] = batchMetadata{
				firstSeq:   int32(be.Uint32(b)),
				lastSeq:    int32(be.Uint32(b[4:])),
				baseOffset: int64(be.Uint64(b[8:])),
				lastOffset: int64(be.Uint64(b[16:])),
			}
			b = b[snapshotBatchSize:]
		}
		p.producers[id] = e
	}
	return p, nil
}

// writeSnapshot stores the state as of offset. Without sync it relies on the CRC: a
// snapshot torn by a power loss is skipped and an older one (or the log) used instead.
func (p *producerState) writeSnapshot(dir string, offset int64, sync bool) error {
	path := segmentPath(dir, offset, snapshotSuffix)
	if sync {
		return writeFileAtomic(path, p.marshal())
	}
	if err := os.WriteFile(path, p.marshal(), 0o644); err != nil {
		return fmt.Errorf("write producer snapshot: %w", err)
	}
	return nil
}

// snapshotOffsets lists the offsets of the snapshot files in dir, ascending.
func snapshotOffsets(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var offs []int64
	for _, e := range ents {
		if o, ok := parseOffsetFileName(e.Name(), snapshotSuffix); ok {
			offs = append(offs, o)
		}
	}
	slices.Sort(offs)
	return offs, nil
}

// loadLatestSnapshot returns the newest readable snapshot at or below maxOffset and its
// offset (-1 with empty state if there is none), deleting snapshots above maxOffset,
// which describe a log that was since truncated.
func loadLatestSnapshot(dir string, maxOffset int64) (*producerState, int64, error) {
	offs, err := snapshotOffsets(dir)
	if err != nil {
		return nil, 0, err
	}
	for i := len(offs) - 1; i >= 0; i-- {
		path := segmentPath(dir, offs[i], snapshotSuffix)
		if offs[i] > maxOffset {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, 0, fmt.Errorf("delete producer snapshot: %w", err)
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, 0, fmt.Errorf("read producer snapshot: %w", err)
		}
		if p, err := unmarshalProducerState(b); err == nil {
			return p, offs[i], nil
		}
	}
	return newProducerState(), -1, nil
}

// deleteSnapshots removes snapshots with offsets outside [from, to].
func deleteSnapshots(dir string, from, to int64) error {
	offs, err := snapshotOffsets(dir)
	if err != nil {
		return err
	}
	for _, o := range offs {
		if o >= from && o <= to {
			continue
		}
		if err := os.Remove(segmentPath(dir, o, snapshotSuffix)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete producer snapshot: %w", err)
		}
	}
	return nil
}

// deleteAllSnapshots removes every producer snapshot in dir (an empty range keeps none).
func deleteAllSnapshots(dir string) error { return deleteSnapshots(dir, 0, -1) }

// parseOffsetFileName accepts Kafka's %020d<suffix> names.
func parseOffsetFileName(name, suffix string) (int64, bool) {
	digits, ok := strings.CutSuffix(filepath.Base(name), suffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	o, err := strconv.ParseInt(digits, 10, 64)
	return o, err == nil && o >= 0
}
