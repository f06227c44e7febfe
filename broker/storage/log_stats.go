package storage

// LogStats are a partition log's kafka.log:type=Log gauges.
type LogStats struct {
	Size           int64 // bytes of every segment
	Segments       int
	LogStartOffset int64
	LogEndOffset   int64
}

// Stats reads the log's size and bounds for the metrics endpoint, under the read lock
// consumers take, so a scrape never waits on a flush.
func (l *PartitionLog) Stats() LogStats {
	l.mu.RLock()
	defer l.mu.RUnlock()
	s := LogStats{Segments: len(l.segments), LogStartOffset: l.logStartOffset, LogEndOffset: l.leo()}
	for _, seg := range l.segments {
		s.Size += seg.size
	}
	return s
}
