package storage

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
)

// filterBatch returns what replaces batch b in a cleaned segment: b itself when every
// record stays, a rebuilt batch when some do, nil when none do — or, with keepEmpty,
// an empty batch, which is how Kafka keeps an idempotent producer's last sequence in
// the log after compaction removed its records. retain decides record by record.
//
// A rebuilt batch keeps everything of its header but the record count, the max
// timestamp (recomputed for CreateTime batches) and the CRC: base offset and
// lastOffsetDelta stay, so offsets and producer sequences line up as before, and so
// does the base timestamp, so retained records are copied byte for byte, their deltas
// still right. Compressed batches are recompressed with their own codec, as Kafka does.
// Without build, only whether b would change is computed.
func filterBatch(b []byte, h *batchHeader, retain func(offset int64, r *record) bool, keepEmpty, build bool) (out []byte, changed bool, err error) {
	data, err := batchRecords(b, h)
	if err != nil {
		return nil, false, err
	}
	var kept []byte
	var n int32
	maxTs := int64(-1)
	err = decodeRecords(data, h.recordCount, func(r *record) error {
		if r.offsetDelta > h.lastOffsetDelta {
			return fmt.Errorf("%w: batch at offset %d: offset delta %d past lastOffsetDelta %d",
				ErrCorruptRecord, h.baseOffset, r.offsetDelta, h.lastOffsetDelta)
		}
		if !retain(h.baseOffset+int64(r.offsetDelta), r) {
			return nil
		}
		if build {
			kept = append(kept, r.raw...)
		}
		n++
		maxTs = max(maxTs, h.baseTimestamp+r.timestampDelta)
		return nil
	})
	switch {
	case err != nil:
		return nil, false, err
	case n == h.recordCount:
		return b, false, nil
	case n == 0 && !keepEmpty:
		return nil, true, nil
	case !build:
		return nil, true, nil
	}
	out, err = rebuildBatch(b, h, kept, n, maxTs)
	return out, true, err
}

// rebuildBatch writes a batch with src's header around the n records in records. An
// empty batch is written as Kafka's DefaultRecordBatch.writeEmptyHeader writes one:
// uncompressed, without a base timestamp or delete horizon.
func rebuildBatch(src []byte, h *batchHeader, records []byte, n int32, maxTs int64) ([]byte, error) {
	attributes := h.attributes
	if n == 0 {
		attributes &^= attrCompressionMask | attrDeleteHorizon
	}
	payload, err := compress(int(attributes&attrCompressionMask), records)
	if err != nil {
		return nil, fmt.Errorf("recompress batch at offset %d: %w", h.baseOffset, err)
	}
	out := make([]byte, batchHeaderSize, batchHeaderSize+len(payload))
	copy(out, src[:batchHeaderSize])
	out = append(out, payload...)
	be.PutUint32(out[batchLengthOff:], uint32(len(out)-logOverhead))
	be.PutUint16(out[attributesOff:], uint16(attributes))
	if n > 0 && attributes&attrLogAppendTime == 0 {
		be.PutUint64(out[maxTimestampOff:], uint64(maxTs))
	}
	if n == 0 {
		noTs := int64(noTimestamp)
		be.PutUint64(out[baseTimestampOff:], uint64(noTs))
	}
	be.PutUint32(out[recordCountOff:], uint32(n))
	be.PutUint32(out[crcOff:], crc32.Checksum(out[attributesOff:], castagnoli))
	return out, nil
}

// cleanedWriter writes the replacement of a group of segments to X.log.cleaned,
// building its offset and time indexes as the batches go by; its transaction index
// gets the aborts whose markers it keeps.
type cleanedWriter struct {
	seg      *segment
	w        *bufio.Writer
	interval int32
}

func newCleanedWriter(dir string, base int64, interval int32) (*cleanedWriter, error) {
	path := segmentPath(dir, base, logSuffix) + cleanedSuffix
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create cleaned segment: %w", err)
	}
	s := newSegment(dir, base, f)
	s.offsets.path += cleanedSuffix
	s.times.path += cleanedSuffix
	s.txns.file.path += cleanedSuffix
	s.offsets.reset() // truncate whatever a failed pass left at these paths
	s.times.reset()
	s.txns.reset()
	return &cleanedWriter{seg: s, w: bufio.NewWriterSize(f, 256<<10), interval: interval}, nil
}

func (c *cleanedWriter) write(b []byte) error {
	h := parseHeader(b)
	pos := c.seg.size
	if _, err := c.w.Write(b); err != nil {
		return fmt.Errorf("write cleaned segment %s: %w", c.seg.file.Name(), err)
	}
	c.seg.track(pos, &h, c.interval)
	return nil
}

// finish makes the cleaned log and its indexes durable (step 1 of a swap) and closes
// the log: the segment is reopened under its final name once swapped in.
func (c *cleanedWriter) finish() error {
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("write cleaned segment %s: %w", c.seg.file.Name(), err)
	}
	c.seg.seal()
	if err := c.seg.sync(); err != nil {
		return err
	}
	return c.seg.close()
}

// abort closes and removes the cleaned files.
func (c *cleanedWriter) abort() error {
	c.seg.file.Close()
	var errs []error
	for _, p := range []string{c.seg.file.Name(), c.seg.offsets.path, c.seg.times.path, c.seg.txns.file.path} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove cleaned segment: %w", err))
		}
	}
	return errors.Join(errs...)
}
