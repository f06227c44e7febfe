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

const snapshotSuffix = ".snapshot"

// Snapshot layout (big-endian): version int16 | crc32c uint32 over the rest | count
// int32 | per producer: id int64, epoch int16, [version 2: currentTxnFirstOffset
// int64, coordinatorEpoch int32, lastTimestamp int64,] n int8, n × (firstSeq int32,
// lastSeq int32, baseOffset int64, lastOffset int64). Unlike Kafka's, it keeps all five
// batches so that a retry is recognised as a duplicate after a restart too. Version 2
// adds what transactions need, as Kafka's snapshot has it: the open transaction
// survives a restart and a leader change (the ongoing transactions are rebuilt from
// it), and so do the coordinator epoch that fences zombie coordinators and the
// timestamp DescribeProducers reports. Version 1 files are still read.
const (
	snapshotVersion   = 2
	snapshotHeader    = 2 + 4 + 4
	snapshotBatchSize = 4 + 4 + 8 + 8
	snapshotEntryV1   = 8 + 2 + 1
	snapshotTxnFields = 8 + 4 + 8
)

func (p *producerState) marshal() []byte {
	ids := make([]int64, 0, len(p.producers))
	for id := range p.producers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	per := snapshotEntryV1 + snapshotTxnFields + maxCachedBatches*snapshotBatchSize
	b := make([]byte, snapshotHeader, snapshotHeader+len(ids)*per)
	be.PutUint16(b, snapshotVersion)
	be.PutUint32(b[6:], uint32(len(ids)))
	for _, id := range ids {
		e := p.producers[id]
		b = be.AppendUint64(b, uint64(id))
		b = be.AppendUint16(b, uint16(e.epoch))
		b = be.AppendUint64(b, uint64(e.txnFirstOffset))
		b = be.AppendUint32(b, uint32(e.coordinatorEpoch))
		b = be.AppendUint64(b, uint64(e.lastTimestamp))
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
	if len(b) < snapshotHeader {
		return nil, errors.New("producer snapshot shorter than its header")
	}
	version := be.Uint16(b)
	if version != 1 && version != snapshotVersion {
		return nil, fmt.Errorf("producer snapshot version %d, want 1 or %d", version, snapshotVersion)
	}
	if be.Uint32(b[2:]) != crc32.Checksum(b[6:], castagnoli) {
		return nil, errors.New("crc mismatch")
	}
	p := newProducerState()
	count := int(be.Uint32(b[6:]))
	b = b[snapshotHeader:]
	entrySize := snapshotEntryV1
	if version >= 2 {
		entrySize += snapshotTxnFields
	}
	for range count {
		if len(b) < entrySize {
			return nil, errors.New("truncated producer entry")
		}
		id, e := int64(be.Uint64(b)), newProducerEntry(int16(be.Uint16(b[8:])))
		b = b[10:]
		if version >= 2 {
			e.txnFirstOffset = int64(be.Uint64(b))
			e.coordinatorEpoch = int32(be.Uint32(b[8:]))
			e.lastTimestamp = int64(be.Uint64(b[12:]))
			b = b[snapshotTxnFields:]
		}
		e.n = int(b[0])
		b = b[1:]
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
		if e.hasOpenTxn() {
			p.txns.begin(id, e.txnFirstOffset)
		}
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
