package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// sumSeries adds the values of every series in a Prometheus text exposition whose
// name and labels start with prefix (all versions of a request, say).
func sumSeries(body, prefix string) float64 {
	var sum float64
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
			sum += v
		}
	}
	return sum
}

// TestRequestMetricsEndpoint: after N produce requests with acks=1 and one to a
// partition that does not exist, a node's /metrics counts N+1 Produce requests with N
// NONE and one UNKNOWN_TOPIC_OR_PARTITION error code, serves Produce's request times as
// summaries with Kafka's percentiles, counts the consumer's fetches as Fetch and
// FetchConsumer and the clients' open connections on their listener, and promtool
// accepts it all.
func TestRequestMetricsEndpoint(t *testing.T) {
	promtool := requireTool(t, "promtool")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	n := StartSingleNode(t, "metrics.listeners=http://"+addr)
	createTopic(t, n.BrokerAddr, "requested", 1, nil)

	const produced = 20
	cl := newClient(t, n.BrokerAddr, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range produced {
		// One record at a time, each waited for: one produce request each.
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "requested", Value: fmt.Appendf(nil, "r%d", i)}).FirstErr(); err != nil {
			t.Fatalf("produce %d: %v", i, err)
		}
	}
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = 1, 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = "requested"
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Partition = 7 // the topic has one
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := cl.Broker(1).Request(ctx, req)
	if err != nil {
		t.Fatalf("produce to a partition that does not exist: %v", err)
	}
	if code := resp.(*kmsg.ProduceResponse).Topics[0].Partitions[0].ErrorCode; code != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("produce to a partition that does not exist answered error %d", code)
	}
	consumeAll(t, n.BrokerAddr, "requested", produced)

	const p = "kafka_network_requestmetrics_"
	var body string
	WaitFor(t, 10*time.Second, "the produce requests to be counted", func() bool {
		_, body = scrape(t, "http://"+addr+"/metrics")
		return sumSeries(body, p+`requests_total{request="Produce",`) == produced+1
	})
	for series, want := range map[string]float64{
		p + `errors_total{error="NONE",request="Produce"}`:                       produced,
		p + `errors_total{error="UNKNOWN_TOPIC_OR_PARTITION",request="Produce"}`: 1,
		p + `totaltimems_count{request="Produce"}`:                               produced + 1,
		p + `requestbytes_count{request="Produce"}`:                              produced + 1,
	} {
		if got := metricValue(body, series); got != want {
			t.Errorf("%s is %v, want %v", series, got, want)
		}
	}
	for _, q := range []string{"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"} {
		for _, h := range []string{"totaltimems", "localtimems", "responsesendtimems"} {
			if got := metricValue(body, fmt.Sprintf(`%s%s{request="Produce",quantile="%s"}`, p, h, q)); got <= 0 {
				t.Errorf("Produce %s quantile %s is %v", h, q, got)
			}
		}
	}
	fetches := sumSeries(body, p+`requests_total{request="Fetch",`)
	if consumer := sumSeries(body, p+`requests_total{request="FetchConsumer",`); fetches < 1 || consumer != fetches {
		t.Errorf("%v FetchConsumer requests of %v Fetch requests, want all of at least one", consumer, fetches)
	}
	if got := metricValue(body, `kafka_server_socket_server_metrics_connection_count{listener="PLAINTEXT"}`); got < 1 {
		t.Errorf("PLAINTEXT connection count %v with a client connected", got)
	}
	promtoolCheckMetrics(t, promtool, body)
}
