package metrics

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

// The buckets are log-linear, as an HDR histogram's: values under 2^(subBucketBits+1)
// each have their own bucket, and every doubling above is cut into 2^subBucketBits
// buckets of equal width, so a bucket is at most 1/16 of its value wide and a quantile
// read as the bucket's middle is within about 3% of the value observed. Values of
// 2^maxValueBits and more (71 minutes in microseconds, 4 GiB in bytes) fall into the
// last bucket.
const (
	subBucketBits = 4
	subBuckets    = 1 << subBucketBits
	exactBuckets  = 2 * subBuckets
	maxValueBits  = 32
	bucketCount   = (maxValueBits-subBucketBits)*subBuckets + subBuckets
)

// histogramWindowSeconds is how long a window of observations lasts before the older of the
// two is cleared for new ones (AtomicHistogram.Rotate).
const histogramWindowSeconds = 60

// bucketIndex is the bucket of v.
func bucketIndex(v uint64) int {
	if v < exactBuckets {
		return int(v)
	}
	if v >= 1<<maxValueBits {
		return bucketCount - 1
	}
	shift := bits.Len64(v) - (subBucketBits + 1)
	return shift*subBuckets + int(v>>shift)
}

// bucketMiddle is the value a quantile that falls in bucket i reports: the bucket's
// own value where it holds one, else the middle of its range.
func bucketMiddle(i int) float64 {
	if i < exactBuckets {
		return float64(i)
	}
	shift := i/subBuckets - 1
	low := uint64(i%subBuckets+subBuckets) << shift
	return float64(low) + float64(uint64(1)<<shift)/2
}

// AtomicHistogram records observations with a few atomic adds and no lock, so every
// request of every connection can record its times into the same one (Histogram, a
// reservoir behind a lock, is for values that come seldom); quantiles are computed
// when Prometheus scrapes. Like Kafka's histograms, whose reservoir favours the last
// few minutes, its quantiles describe recent observations: they are read from two
// windows of buckets, the current one and the one before, and Rotate clears the older
// one once the current one is a minute old. Sum covers every observation; their count
// is left to the caller, who counts them anyway (RequestMetrics counts requests).
type AtomicHistogram struct {
	windows [2][bucketCount]atomic.Uint64
	current atomic.Uint32
	sum     atomic.Uint64

	rotateMu      sync.Mutex
	windowStarted int64 // unix seconds the current window began, under rotateMu
}

// Observe records one value.
func (h *AtomicHistogram) Observe(v uint64) {
	h.windows[h.current.Load()][bucketIndex(v)].Add(1)
	h.sum.Add(v)
}

// Rotate starts a new window when the current one began histogramWindowSeconds or more
// before now (unix seconds), clearing the older window for it. An observation racing
// with the clearing may be lost from the quantiles, never from the sum.
func (h *AtomicHistogram) Rotate(now int64) {
	h.rotateMu.Lock()
	defer h.rotateMu.Unlock()
	if h.windowStarted == 0 {
		h.windowStarted = now
	}
	if now-h.windowStarted < histogramWindowSeconds {
		return
	}
	older := 1 - h.current.Load()
	for i := range h.windows[older] {
		h.windows[older][i].Store(0)
	}
	h.current.Store(older)
	h.windowStarted = now
}

// HistogramSnapshot is what a scrape reports of a histogram: the quantiles of its
// recent observations and the sum of all of them.
type HistogramSnapshot struct {
	Quantiles map[float64]float64
	Sum       float64
}

// Snapshot reads the quantiles qs (each in [0, 1]) of the recent observations, NaN
// when there are none, as Prometheus summaries report an empty window; scale
// multiplies every value and the sum (1e-3 turns microseconds into milliseconds).
func (h *AtomicHistogram) Snapshot(qs []float64, scale float64) HistogramSnapshot {
	var merged [bucketCount]uint64
	var total uint64
	for w := range h.windows {
		for i := range h.windows[w] {
			n := h.windows[w][i].Load()
			merged[i] += n
			total += n
		}
	}
	snap := HistogramSnapshot{
		Quantiles: make(map[float64]float64, len(qs)),
		Sum:       float64(h.sum.Load()) * scale,
	}
	for _, q := range qs {
		snap.Quantiles[q] = bucketQuantile(&merged, total, q) * scale
	}
	return snap
}

// quantile is the middle of the bucket holding the observation of rank ⌈q·total⌉ (the
// first for q = 0).
func bucketQuantile(buckets *[bucketCount]uint64, total uint64, q float64) float64 {
	if total == 0 {
		return math.NaN()
	}
	rank := max(uint64(math.Ceil(q*float64(total))), 1)
	var seen uint64
	for i, n := range buckets {
		seen += n
		if seen >= rank {
			return bucketMiddle(i)
		}
	}
	return bucketMiddle(bucketCount - 1)
}
