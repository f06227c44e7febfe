package metrics

import "github.com/prometheus/client_golang/prometheus"

// ListenerConnections are one listener's kafka.server:type=socket-server-metrics
// values. Kafka keeps them per listener and network processor thread; kbridge serves
// each connection in its own goroutine and has no processors, so a listener's values
// are what Kafka's sum over its processors would be.
type ListenerConnections struct {
	Listener string
	Active   int    // connection-count
	Created  uint64 // connection-creation-total
	Closed   uint64 // connection-close-total
}

// socketServerCollector reports ListenerConnections, read at each scrape.
type socketServerCollector struct {
	read                   func() []ListenerConnections
	count, created, closed *prometheus.Desc
}

// SocketServerCollector reports the listeners' connections as the JMX exporter names
// Kafka's socket-server-metrics: kafka_server_socket_server_metrics_connection_count,
// …_connection_creation_total and …_connection_close_total, labelled by listener. The
// connection count is untyped, as the JMX exporter reports a value without a rule:
// Prometheus reserves _count for summaries and histograms, and promtool would refuse
// that name on a gauge.
func SocketServerCollector(read func() []ListenerConnections) prometheus.Collector {
	const p = "kafka_server_socket_server_metrics_"
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(p+name, help, []string{"listener"}, nil)
	}
	return &socketServerCollector{
		read:    read,
		count:   desc("connection_count", "Open client connections (socket-server-metrics connection-count)."),
		created: desc("connection_creation_total", "Connections accepted (socket-server-metrics connection-creation-total)."),
		closed:  desc("connection_close_total", "Connections closed (socket-server-metrics connection-close-total)."),
	}
}

func (c *socketServerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.created
	ch <- c.closed
}

func (c *socketServerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.UntypedValue, float64(l.Active), l.Listener)
		ch <- prometheus.MustNewConstMetric(c.created, prometheus.CounterValue, float64(l.Created), l.Listener)
		ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(l.Closed), l.Listener)
	}
}
