package metrics

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// histogramSize is how many recent values a Histogram keeps: the size of the sample
// reservoir of the Yammer histograms Kafka's *TimeMs metrics are.
const histogramSize = 1028

// histogramQuantiles are the percentiles a Yammer histogram's MBean has (50thPercentile
// … 999thPercentile), which the JMX exporter turns into quantile labels.
var histogramQuantiles = []float64{0.5, 0.75, 0.95, 0.98, 0.99, 0.999}

// Histogram is a Kafka (Yammer) histogram for values that change seldom, such as the
// time of a write to ZooKeeper: its percentiles over the last histogramSize values and
// the count of every value. It is reported as a Prometheus summary, the shape the JMX
// exporter's Kafka rules give a histogram's MBean. Update takes a lock: it is not for
// per-record paths.
type Histogram struct {
	mu     sync.Mutex
	count  uint64
	sum    float64
	recent []float64
	next   int
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{recent: make([]float64, 0, histogramSize)}
}

// Update adds one value.
func (h *Histogram) Update(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.count++
	h.sum += v
	if len(h.recent) < histogramSize {
		h.recent = append(h.recent, v)
		return
	}
	h.recent[h.next] = v
	h.next = (h.next + 1) % histogramSize
}

// UpdateMs adds a duration in milliseconds, the unit of Kafka's *TimeMs histograms.
func (h *Histogram) UpdateMs(d time.Duration) {
	h.Update(float64(d) / float64(time.Millisecond))
}

// summary is the histogram now, as a summary of desc.
func (h *Histogram) summary(desc *prometheus.Desc) prometheus.Metric {
	h.mu.Lock()
	count, sum := h.count, h.sum
	sorted := slices.Clone(h.recent)
	h.mu.Unlock()
	slices.Sort(sorted)
	quantiles := make(map[float64]float64, len(histogramQuantiles))
	for _, q := range histogramQuantiles {
		quantiles[q] = quantile(sorted, q)
	}
	return prometheus.MustNewConstSummary(desc, count, sum, quantiles)
}

// quantile is the q-quantile of sorted values as a Yammer snapshot computes it: the
// value at rank q·(n+1), interpolated between its neighbours; 0 when there is none.
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	pos := q * float64(n+1)
	i := int(pos)
	switch {
	case i < 1:
		return sorted[0]
	case i >= n:
		return sorted[n-1]
	}
	lower, upper := sorted[i-1], sorted[i]
	return lower + (pos-math.Floor(pos))*(upper-lower)
}
