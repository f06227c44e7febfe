package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// TestRequestCollector: requests count per name and version, errors per code under
// Kafka's names, the time histograms as summaries in milliseconds with Kafka's
// percentiles; names never recorded are not reported, and the output lints clean.
func TestRequestCollector(t *testing.T) {
	m := NewRequestMetrics()
	produce, _ := RequestNameOf(0)
	for range 3 {
		m.Record(produce, 9, &RequestTimes{Local: 2 * time.Millisecond, Remote: 5 * time.Millisecond, ResponseSend: time.Millisecond, Total: 8 * time.Millisecond}, 1000)
	}
	m.Record(produce, 7, &RequestTimes{Total: 8 * time.Millisecond}, 1000)
	m.CountError(0, 0)
	m.CountError(0, 0)
	m.CountError(0, 3)
	m.CountError(0, 6)
	m.CountError(0, 999)
	fetch, _ := RequestNameOf(1)
	m.Record(fetch, 17, &RequestTimes{Total: time.Millisecond}, 50)
	m.Record(FetchFollower, 17, &RequestTimes{Total: time.Millisecond}, 50)
	initPID, _ := RequestNameOf(22)
	m.CountError(22, 0)

	c := RequestCollector(m)
	want := `
# HELP kafka_network_requestmetrics_requests_total Requests answered, per API version (RequestMetrics RequestsPerSec).
# TYPE kafka_network_requestmetrics_requests_total counter
kafka_network_requestmetrics_requests_total{request="Fetch",version="17"} 1
kafka_network_requestmetrics_requests_total{request="FetchFollower",version="17"} 1
kafka_network_requestmetrics_requests_total{request="Produce",version="7"} 1
kafka_network_requestmetrics_requests_total{request="Produce",version="9"} 3
# HELP kafka_network_requestmetrics_errors_total Error codes in responses, NONE included, one per partition or resource that carries one (RequestMetrics ErrorsPerSec).
# TYPE kafka_network_requestmetrics_errors_total counter
kafka_network_requestmetrics_errors_total{error="NONE",request="InitProducerId"} 1
kafka_network_requestmetrics_errors_total{error="NONE",request="Produce"} 2
kafka_network_requestmetrics_errors_total{error="NOT_LEADER_OR_FOLLOWER",request="Produce"} 1
kafka_network_requestmetrics_errors_total{error="UNKNOWN_SERVER_ERROR",request="Produce"} 1
kafka_network_requestmetrics_errors_total{error="UNKNOWN_TOPIC_OR_PARTITION",request="Produce"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "kafka_network_requestmetrics_requests_total", "kafka_network_requestmetrics_errors_total"); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	summaries := map[string]*dto.Summary{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			if s := metric.GetSummary(); s != nil {
				summaries[f.GetName()+"/"+metric.GetLabel()[0].GetValue()] = s
			}
		}
	}
	total := summaries["kafka_network_requestmetrics_totaltimems/Produce"]
	if total == nil {
		t.Fatalf("no Produce totaltimems summary among %v", families)
	}
	if total.GetSampleCount() != 4 || !within(total.GetSampleSum(), 32, 1e-9) {
		t.Errorf("Produce totaltimems count %d sum %v, want 4 and 32 ms", total.GetSampleCount(), total.GetSampleSum())
	}
	var quantiles []float64
	for _, q := range total.GetQuantile() {
		quantiles = append(quantiles, q.GetQuantile())
		if !within(q.GetValue(), 8, 1.0/32) {
			t.Errorf("Produce totaltimems quantile %v is %v ms, want 8", q.GetQuantile(), q.GetValue())
		}
	}
	if len(quantiles) != len(histogramQuantiles) {
		t.Errorf("quantiles %v, want Kafka's %v", quantiles, histogramQuantiles)
	}
	for name, want := range map[string]float64{"remotetimems": 5, "localtimems": 2, "responsesendtimems": 1, "requestbytes": 1000} {
		s := summaries["kafka_network_requestmetrics_"+name+"/Produce"]
		if s == nil || !within(s.GetQuantile()[len(histogramQuantiles)-1].GetValue(), want, 1.0/32) {
			t.Errorf("Produce %s: %v, want 99.9th percentile %v", name, s, want)
		}
	}
	if s := summaries["kafka_network_requestmetrics_remotetimems/Produce"]; s.GetSampleSum() != 15 {
		t.Errorf("Produce remotetimems sum %v, want 15 ms", s.GetSampleSum())
	}
	for key := range summaries {
		if strings.HasSuffix(key, "/InitProducerId") || strings.HasSuffix(key, "/FetchConsumer") {
			t.Errorf("%s reported, though no such request was recorded", key)
		}
	}
	if initPID.String() != "InitProducerId" || FetchConsumer.String() != "FetchConsumer" || AddPartitionsToTxnVerification.String() != "AddPartitionsToTxnVerification" {
		t.Errorf("names %q %q %q", initPID, FetchConsumer, AddPartitionsToTxnVerification)
	}
	if _, ok := RequestNameOf(int16(len(apiNames))); ok {
		t.Error("an API key Kafka does not know has a request name")
	}
}

// TestSocketServerCollector: each listener's connections, under socket-server-metrics'
// names.
func TestSocketServerCollector(t *testing.T) {
	c := SocketServerCollector(func() []ListenerConnections {
		return []ListenerConnections{{Listener: "PLAINTEXT", Active: 2, Created: 5, Closed: 3}, {Listener: "SSL"}}
	})
	want := `
# HELP kafka_server_socket_server_metrics_connection_count Open client connections (socket-server-metrics connection-count).
# TYPE kafka_server_socket_server_metrics_connection_count untyped
kafka_server_socket_server_metrics_connection_count{listener="PLAINTEXT"} 2
kafka_server_socket_server_metrics_connection_count{listener="SSL"} 0
# HELP kafka_server_socket_server_metrics_connection_creation_total Connections accepted (socket-server-metrics connection-creation-total).
# TYPE kafka_server_socket_server_metrics_connection_creation_total counter
kafka_server_socket_server_metrics_connection_creation_total{listener="PLAINTEXT"} 5
kafka_server_socket_server_metrics_connection_creation_total{listener="SSL"} 0
# HELP kafka_server_socket_server_metrics_connection_close_total Connections closed (socket-server-metrics connection-close-total).
# TYPE kafka_server_socket_server_metrics_connection_close_total counter
kafka_server_socket_server_metrics_connection_close_total{listener="PLAINTEXT"} 3
kafka_server_socket_server_metrics_connection_close_total{listener="SSL"} 0
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
