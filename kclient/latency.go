package kclient

import (
	"math"
	"slices"
	"sync"
	"time"
)

// maxLatencySamples bounds the memory for percentiles: like Kafka's
// ProducerPerformance we keep every n-th latency so that at most this many are
// stored, while count, sum and max cover every record.
const maxLatencySamples = 500_000

// latencyRecorder collects produce latencies and bytes, in total and for the
// current progress window. It is safe for concurrent use because produce
// promises run on kgo's goroutines.
type latencyRecorder struct {
	mu      sync.Mutex
	every   int64
	total   latencyWindow
	window  latencyWindow
	samples []time.Duration
}

// latencyWindow is count, bytes, sum and max over some span of records.
type latencyWindow struct {
	start time.Time
	count int64
	bytes int64
	sum   time.Duration
	max   time.Duration
}

func newLatencyRecorder(expected int64, now time.Time) *latencyRecorder {
	every := expected / maxLatencySamples
	if every < 1 {
		every = 1
	}
	return &latencyRecorder{
		every:   every,
		total:   latencyWindow{start: now},
		window:  latencyWindow{start: now},
		samples: make([]time.Duration, 0, min(expected/every+1, maxLatencySamples+1)),
	}
}

func (w *latencyWindow) add(d time.Duration, bytes int) {
	w.count++
	w.bytes += int64(bytes)
	w.sum += d
	w.max = max(w.max, d)
}

func (l *latencyRecorder) record(d time.Duration, bytes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total.count%l.every == 0 {
		l.samples = append(l.samples, d)
	}
	l.total.add(d, bytes)
	l.window.add(d, bytes)
}

// takeWindow returns the window since the last call and starts a new one.
func (l *latencyRecorder) takeWindow(now time.Time) latencyWindow {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.window
	l.window = latencyWindow{start: now}
	return w
}

// summary returns the totals and the sorted samples.
func (l *latencyRecorder) summary() (latencyWindow, []time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sorted := slices.Clone(l.samples)
	slices.Sort(sorted)
	return l.total, sorted
}

// percentile is the nearest-rank percentile (p in 0..1) of sorted samples: the
// smallest sample that at least p of all samples are less than or equal to.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// millis converts a duration to fractional milliseconds for printing.
func millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
