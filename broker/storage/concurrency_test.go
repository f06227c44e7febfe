package storage

import (
	"sync"
	"testing"
	"time"
)

// Producers, consumers, maintenance and retention at once, with rolls (and their
// background fsyncs) every few batches; run with -race.
func TestConcurrentAppendReadRetention(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 2000
	cfg.RetentionBytes = 8000
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := range 400 {
			mustAppend(t, l, idem(1, 0, int32(2*i), 2), 0)
		}
	})
	for range 2 {
		wg.Go(func() {
			off := int64(0)
			for {
				select {
				case <-done:
					return
				default:
				}
				off = max(off, l.LogStartOffset())
				b, err := l.Read(off, 500, l.LogEndOffset())
				if err != nil {
					// Retention may have moved the log start past off meanwhile.
					off = l.LogStartOffset()
					continue
				}
				for _, rb := range decodeBatches(t, b) {
					off = rb.FirstOffset + int64(rb.LastOffsetDelta) + 1
				}
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := l.EnforceRetention(time.Now()); err != nil {
				t.Error(err)
			}
			if err := l.Maintain(time.Now()); err != nil {
				t.Error(err)
			}
			l.OffsetForTimestamp(1)
			l.MaxTimestamp()
		}
	})
	wg.Wait()
	if l.LogEndOffset() != 800 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	checkContiguous(t, readAll(t, l), l.LogStartOffset(), 800)
}
