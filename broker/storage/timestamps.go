package storage

// OffsetForTimestamp answers ListOffsets by timestamp: the first record at or after the
// log start whose timestamp is >= ts (within a compressed batch, the batch's first
// offset), found through the time indexes with a short header scan.
func (l *PartitionLog) OffsetForTimestamp(ts int64) (offset int64, timestamp int64, found bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return -1, -1, false
	}
	for i, s := range l.segments {
		if s.maxTimestamp < ts || l.segmentEnd(i) <= l.logStartOffset {
			continue
		}
		off, t, ok, err := l.findTimestampLocked(s, ts)
		if err != nil {
			l.log.Error("offset for timestamp", "timestamp", ts, "err", err)
			return -1, -1, false
		}
		if ok {
			return off, t, true
		}
	}
	return -1, -1, false
}

func (l *PartitionLog) findTimestampLocked(s *segment, ts int64) (int64, int64, bool, error) {
	if err := s.ensureLoaded(l.cfg.IndexIntervalBytes, l.log); err != nil {
		return 0, 0, false, err
	}
	var pos int64
	if rel, ok := s.times.lookupBefore(ts); ok {
		pos = s.positionOf(s.base + int64(rel))
	}
	pos = max(pos, s.positionOf(l.logStartOffset))
	var hdr [batchHeaderSize]byte
	for pos+batchHeaderSize <= s.size {
		if err := s.readHeader(pos, hdr[:]); err != nil {
			return 0, 0, false, err
		}
		h := parseHeader(hdr[:])
		if h.maxTimestamp >= ts && h.lastOffset() >= l.logStartOffset {
			return l.recordInBatchLocked(s, pos, &h, ts)
		}
		pos += int64(h.size)
	}
	return 0, 0, false, nil
}

func (l *PartitionLog) recordInBatchLocked(s *segment, pos int64, h *batchHeader, ts int64) (int64, int64, bool, error) {
	b := make([]byte, h.size)
	if err := s.readHeader(pos, b); err != nil {
		return 0, 0, false, err
	}
	off, t, ok := recordAtOrAfter(b, h, ts, l.logStartOffset)
	return off, t, ok, nil
}

// MaxTimestamp answers ListOffsets MAX_TIMESTAMP (-3, KIP-734): the offset and
// timestamp of the first record carrying the log's largest timestamp; (-1, -1) for an
// empty log.
func (l *PartitionLog) MaxTimestamp() (offset, ts int64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return -1, -1
	}
	var best *segment
	for i, s := range l.segments {
		if l.segmentEnd(i) > l.logStartOffset && (best == nil || s.maxTimestamp > best.maxTimestamp) {
			best = s
		}
	}
	if best == nil || best.maxTimestamp < 0 {
		return -1, -1
	}
	off, t, ok, err := l.exactMaxTimestampLocked(best)
	if err != nil {
		l.log.Error("max timestamp", "err", err)
	}
	if !ok {
		return max(best.offsetOfMaxTimestamp, l.logStartOffset), best.maxTimestamp
	}
	return off, t
}

func (l *PartitionLog) exactMaxTimestampLocked(s *segment) (int64, int64, bool, error) {
	if err := s.ensureLoaded(l.cfg.IndexIntervalBytes, l.log); err != nil {
		return 0, 0, false, err
	}
	pos, _, _, found, err := s.findBatch(s.positionOf(s.offsetOfMaxTimestamp), s.offsetOfMaxTimestamp)
	if err != nil || !found {
		return 0, 0, false, err
	}
	var hdr [batchHeaderSize]byte
	if err := s.readHeader(pos, hdr[:]); err != nil {
		return 0, 0, false, err
	}
	h := parseHeader(hdr[:])
	return l.recordInBatchLocked(s, pos, &h, s.maxTimestamp)
}
