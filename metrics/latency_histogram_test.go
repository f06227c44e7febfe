package metrics

import (
	"math"
	"sync"
	"testing"
)

// within reports whether got is within rel (relative) of want.
func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// TestBucketMiddleError: every value reads back from its bucket within 1/32 of itself,
// exactly under 32, and the buckets grow with the values.
func TestBucketMiddleError(t *testing.T) {
	last := -1
	for v := uint64(0); v < 1<<maxValueBits; v = v*9/8 + 1 {
		i := bucketIndex(v)
		if i < last || i >= bucketCount {
			t.Fatalf("value %d: bucket %d after bucket %d (of %d)", v, i, last, bucketCount)
		}
		last = i
		got := bucketMiddle(i)
		if v < exactBuckets && got != float64(v) {
			t.Fatalf("value %d reads back as %v", v, got)
		}
		if !within(got, float64(v), 1.0/32) {
			t.Fatalf("value %d reads back as %v, more than 1/32 off", v, got)
		}
	}
}

// TestHistogramQuantiles: Kafka's percentiles of 1..10000 are within the buckets'
// error of the exact ones, and the sum is exact.
func TestHistogramQuantiles(t *testing.T) {
	var h AtomicHistogram
	const n = 10000
	for v := uint64(1); v <= n; v++ {
		h.Observe(v)
	}
	snap := h.Snapshot(histogramQuantiles, 1)
	if snap.Sum != n*(n+1)/2 {
		t.Fatalf("sum %v, want %d", snap.Sum, n*(n+1)/2)
	}
	for _, q := range histogramQuantiles {
		if got, want := snap.Quantiles[q], q*n; !within(got, want, 1.0/32) {
			t.Errorf("quantile %v is %v, want %v within 1/32", q, got, want)
		}
	}
	scaled := h.Snapshot([]float64{0.5}, 1e-3)
	if !within(scaled.Quantiles[0.5], 5, 1.0/32) || scaled.Sum != n*(n+1)/2*1e-3 {
		t.Errorf("scaled by 1e-3: median %v, sum %v", scaled.Quantiles[0.5], scaled.Sum)
	}
}

// TestHistogramEdges: no observation reads NaN quantiles; one observation is every
// quantile; small values are exact; a value past the last bucket counts in it, and in
// the sum as it was.
func TestHistogramEdges(t *testing.T) {
	var empty AtomicHistogram
	snap := empty.Snapshot(histogramQuantiles, 1)
	for _, q := range histogramQuantiles {
		if !math.IsNaN(snap.Quantiles[q]) {
			t.Errorf("quantile %v of no observation is %v, want NaN", q, snap.Quantiles[q])
		}
	}
	if snap.Sum != 0 {
		t.Errorf("empty histogram: sum %v", snap.Sum)
	}

	var one AtomicHistogram
	one.Observe(1000)
	for q, v := range one.Snapshot(histogramQuantiles, 1).Quantiles {
		if !within(v, 1000, 1.0/32) {
			t.Errorf("quantile %v of one 1000 is %v", q, v)
		}
	}

	var small AtomicHistogram
	for v := range uint64(exactBuckets) {
		small.Observe(v)
	}
	if got := small.Snapshot([]float64{0, 0.5, 1}, 1).Quantiles; got[0] != 0 || got[0.5] != exactBuckets/2-1 || got[1] != exactBuckets-1 {
		t.Errorf("quantiles 0, 0.5, 1 of 0..%d: %v", exactBuckets-1, got)
	}

	var huge AtomicHistogram
	huge.Observe(1 << 40)
	snap = huge.Snapshot([]float64{0.99}, 1)
	if got := snap.Quantiles[0.99]; got < 1<<maxValueBits-1<<(maxValueBits-subBucketBits-1) || got >= 1<<maxValueBits {
		t.Errorf("a value past the last bucket reads %v, want the last bucket, under 2^%d", got, maxValueBits)
	}
	if snap.Sum != 1<<40 {
		t.Errorf("a value past the last bucket: sum %v", snap.Sum)
	}
}

// TestHistogramRotate: quantiles read the current and the previous window; a rotation
// a minute into the current window drops the one before, while the sum keeps every
// observation.
func TestHistogramRotate(t *testing.T) {
	var h AtomicHistogram
	const start = 1_000_000
	h.Rotate(start)
	for range 100 {
		h.Observe(10)
	}
	h.Rotate(start + histogramWindowSeconds - 1)
	if got := h.Snapshot([]float64{0.5}, 1).Quantiles[0.5]; got != 10 {
		t.Fatalf("median before a minute passed: %v, want 10", got)
	}
	h.Rotate(start + histogramWindowSeconds)
	for range 300 {
		h.Observe(20)
	}
	if got := h.Snapshot([]float64{0.1, 0.5}, 1).Quantiles; got[0.1] != 10 || got[0.5] != 20 {
		t.Fatalf("quantiles 0.1, 0.5 over both windows: %v, want 10 and 20", got)
	}
	h.Rotate(start + 2*histogramWindowSeconds)
	snap := h.Snapshot([]float64{0}, 1)
	if snap.Quantiles[0] != 20 {
		t.Errorf("the minimum after the first window was dropped is %v, want 20", snap.Quantiles[0])
	}
	if snap.Sum != 100*10+300*20 {
		t.Errorf("sum %v after rotations, want 7000", snap.Sum)
	}
	h.Rotate(start + 3*histogramWindowSeconds)
	if got := h.Snapshot([]float64{0.5}, 1).Quantiles[0.5]; !math.IsNaN(got) {
		t.Errorf("median two quiet minutes on: %v, want NaN", got)
	}
}

// TestHistogramConcurrent: observations from many goroutines while scrapes read and
// rotate lose nothing from the sum (run with -race).
func TestHistogramConcurrent(t *testing.T) {
	var h AtomicHistogram
	const goroutines, each = 4, 10000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for v := range uint64(each) {
				h.Observe(v)
			}
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for now := int64(1); now < 100; now++ {
			h.Rotate(now * histogramWindowSeconds)
			h.Snapshot(histogramQuantiles, 1)
		}
	}()
	wg.Wait()
	<-done
	if got, want := h.Snapshot(nil, 1).Sum, float64(goroutines*each*(each-1)/2); got != want {
		t.Errorf("sum %v, want %v", got, want)
	}
}
