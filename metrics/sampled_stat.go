package metrics

import (
	"math"
	"sync"
	"time"
)

// Kafka's defaults for its client-side metrics (metrics.num.samples,
// metrics.sample.window.ms), which its Raft metrics use: a value is remembered for one
// to two 30 s windows.
const (
	sampleWindows = 2
	sampleWindow  = 30 * time.Second
)

// SampledStat is Kafka's SampledStat (org.apache.kafka.common.metrics.stats) with those
// defaults: the average, maximum and per-second rate of what was recorded in the last
// windows, as Kafka's Avg, Max and Rate(WindowedSum) measure them, so a value served
// under a Kafka name means what Kafka's does. It is for low-rate events (Raft commits,
// elections); Record takes a lock.
type SampledStat struct {
	mu      sync.Mutex
	samples [sampleWindows]sample
	current int
}

// sample is one window: when it started and what was recorded in it.
type sample struct {
	start    time.Time // zero: never used
	count    int64
	sum, max float64
}

func (s *sample) reset(now time.Time) { *s = sample{start: now} }

// Record adds one value observed at now.
func (st *SampledStat) Record(v float64, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &st.samples[st.current]
	switch {
	case s.start.IsZero():
		s.reset(now)
	case now.Sub(s.start) >= sampleWindow:
		st.current = (st.current + 1) % sampleWindows
		s = &st.samples[st.current]
		s.reset(now)
	}
	if s.count == 0 || v > s.max {
		s.max = v
	}
	s.count++
	s.sum += v
}

// purgeLocked forgets windows that ended more than sampleWindows windows ago, as
// Kafka's purgeObsoleteSamples does before every measurement.
func (st *SampledStat) purgeLocked(now time.Time) {
	for i := range st.samples {
		s := &st.samples[i]
		if !s.start.IsZero() && now.Sub(s.start) >= sampleWindows*sampleWindow {
			s.reset(now)
		}
	}
}

// Avg is the mean of the values recorded in the remembered windows; NaN when there
// are none, as Kafka reports it.
func (st *SampledStat) Avg(now time.Time) float64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLocked(now)
	var n int64
	var sum float64
	for _, s := range st.samples {
		n += s.count
		sum += s.sum
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Max is the largest value recorded in the remembered windows; NaN when there are none.
func (st *SampledStat) Max(now time.Time) float64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLocked(now)
	m, seen := 0.0, false
	for _, s := range st.samples {
		if s.count > 0 && (!seen || s.max > m) {
			m, seen = s.max, true
		}
	}
	if !seen {
		return math.NaN()
	}
	return m
}

// Rate is the sum of the values recorded in the remembered windows per second of the
// time they span. Like Kafka's Rate, the span is at least sampleWindows-1 whole windows,
// so a burst just after start is not divided by a few milliseconds.
func (st *SampledStat) Rate(now time.Time) float64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.purgeLocked(now)
	var sum float64
	var oldest time.Time
	for _, s := range st.samples {
		if s.start.IsZero() {
			continue
		}
		sum += s.sum
		if oldest.IsZero() || s.start.Before(oldest) {
			oldest = s.start
		}
	}
	elapsed := time.Duration(0)
	if !oldest.IsZero() {
		elapsed = now.Sub(oldest)
	}
	if full := int(elapsed / sampleWindow); full < sampleWindows-1 {
		elapsed += time.Duration(sampleWindows-1-full) * sampleWindow
	}
	return sum / elapsed.Seconds()
}
