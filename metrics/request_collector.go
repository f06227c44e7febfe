package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// microsToMillis scales the recorded microseconds to the milliseconds of Kafka's *TimeMs
// histograms.
const microsToMillis = 1e-3

// requestHistogram is one RequestMetrics histogram, its desc and how to read it.
type requestHistogram struct {
	desc  *prometheus.Desc
	of    func(*requestStats) *AtomicHistogram
	scale float64
}

// requestCollector reports RequestMetrics under the JMX exporter's names: the meters
// as counters, the histograms as summaries with Kafka's percentiles. Only request
// names that were recorded are reported, as Kafka's per-version and per-error meters
// appear on first use.
type requestCollector struct {
	m          *RequestMetrics
	requests   *prometheus.Desc
	errors     *prometheus.Desc
	histograms []requestHistogram
}

// RequestCollector reports m as kafka_network_requestmetrics_*.
func RequestCollector(m *RequestMetrics) prometheus.Collector {
	const p = "kafka_network_requestmetrics_"
	h := func(name, help string, of func(*requestStats) *AtomicHistogram, scale float64) requestHistogram {
		return requestHistogram{desc: prometheus.NewDesc(p+name, help, []string{"request"}, nil), of: of, scale: scale}
	}
	return &requestCollector{
		m:        m,
		requests: prometheus.NewDesc(p+"requests_total", "Requests answered, per API version (RequestMetrics RequestsPerSec).", []string{"request", "version"}, nil),
		errors:   prometheus.NewDesc(p+"errors_total", "Error codes in responses, NONE included, one per partition or resource that carries one (RequestMetrics ErrorsPerSec).", []string{"request", "error"}, nil),
		histograms: []requestHistogram{
			h("totaltimems", "Milliseconds from reading a request to writing its response (RequestMetrics TotalTimeMs).", func(s *requestStats) *AtomicHistogram { return &s.totalTime }, microsToMillis),
			h("localtimems", "Milliseconds decoding and handling a request (RequestMetrics LocalTimeMs).", func(s *requestStats) *AtomicHistogram { return &s.localTime }, microsToMillis),
			h("remotetimems", "Milliseconds an acks=all produce waited for followers or a fetch for data (RequestMetrics RemoteTimeMs).", func(s *requestStats) *AtomicHistogram { return &s.remoteTime }, microsToMillis),
			h("responsequeuetimems", "Milliseconds a completed response waited for the responses owed before it (RequestMetrics ResponseQueueTimeMs).", func(s *requestStats) *AtomicHistogram { return &s.responseQueueTime }, microsToMillis),
			h("responsesendtimems", "Milliseconds writing a response to the socket (RequestMetrics ResponseSendTimeMs).", func(s *requestStats) *AtomicHistogram { return &s.responseSendTime }, microsToMillis),
			h("requestbytes", "Bytes of request bodies (RequestMetrics RequestBytes).", func(s *requestStats) *AtomicHistogram { return &s.requestBytes }, 1),
		},
	}
}

func (c *requestCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.requests
	ch <- c.errors
	for _, h := range c.histograms {
		ch <- h.desc
	}
}

func (c *requestCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now().Unix()
	for n := range RequestName(requestNameCount) {
		s := c.m.stats[n].Load()
		if s == nil {
			continue
		}
		name := n.String()
		var requests uint64
		for v := range s.requests {
			if count := s.requests[v].Load(); count > 0 {
				requests += count
				ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(count), name, strconv.Itoa(v))
			}
		}
		for i := range s.errors {
			if count := s.errors[i].Load(); count > 0 {
				ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(count), name, errorName(int16(i-1)))
			}
		}
		if requests == 0 {
			continue // errors counted, but no request recorded yet
		}
		for _, h := range c.histograms {
			hist := h.of(s)
			hist.Rotate(now)
			snap := hist.Snapshot(histogramQuantiles, h.scale)
			// Read after the request counts, the sums may hold a few requests more.
			ch <- prometheus.MustNewConstSummary(h.desc, requests, snap.Sum, snap.Quantiles, name)
		}
	}
}
