package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// scrape GETs a metrics endpoint path and returns its status and body.
func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	return httpGet(t, http.DefaultClient, url, "", "")
}

// httpGet GETs url with client, with HTTP Basic credentials unless user is "", and
// returns the status and the body.
func httpGet(t *testing.T, client *http.Client, url, user, password string) (int, string) {
	t.Helper()
	code, body, err := tryGet(client, url, user, password)
	if err != nil {
		t.Fatal(err)
	}
	return code, body
}

// tryGet is httpGet for a caller that waits for a server: an error instead of a
// failed test.
func tryGet(client *http.Client, url, user, password string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: read the body: %w", url, err)
	}
	return resp.StatusCode, string(body), nil
}

// TestMetricsEndpoint: a node started with metrics.listeners answers /healthz and
// /readyz, and /metrics carries Kafka's ReplicaManager and KafkaController gauges under
// the JMX exporter's names with the cluster's values, in a format promtool accepts.
func TestMetricsEndpoint(t *testing.T) {
	promtool := requireTool(t, "promtool")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	n := StartSingleNode(t, "metrics.listeners=http://"+addr)
	base := "http://" + addr
	if code, body := scrape(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz answered %d %q", code, body)
	}
	if code, body := scrape(t, base+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("/readyz of a running node answered %d %q", code, body)
	}
	if !strings.Contains(n.Log(), `msg="serving metrics, /healthz and /readyz" component=metrics addr=http://`+addr) {
		t.Fatalf("the node's log does not say where it serves metrics:\n%s", n.Log())
	}
	createTopic(t, n.BrokerAddr, "metered", 3, nil)
	const records = 250
	produced := produceValues(t, newClient(t, n.BrokerAddr), "metered", "m", records, 3)
	consumeAll(t, n.BrokerAddr, "metered", len(produced))
	want := []string{
		fmt.Sprintf("kafka_server_brokertopicmetrics_messagesin_total{topic=\"metered\"} %d\n", records),
		fmt.Sprintf("kafka_server_brokertopicmetrics_messagesin_total{topic=\"\"} %d\n", records),
		"kafka_server_brokertopicmetrics_failedproducerequests_total{topic=\"metered\"} 0\n",
		"kafka_server_replicamanager_partitioncount 3\n",
		"kafka_server_replicamanager_leadercount 3\n",
		"kafka_server_replicamanager_underreplicatedpartitions 0\n",
		"kafka_controller_kafkacontroller_activecontrollercount 1\n",
		"kafka_controller_kafkacontroller_globaltopiccount 1\n",
		"kafka_controller_kafkacontroller_globalpartitioncount 3\n",
		"kafka_controller_kafkacontroller_offlinepartitionscount 0\n",
		"kafka_controller_kafkacontroller_activebrokercount 1\n",
	}
	var body string
	WaitFor(t, 10*time.Second, "the metrics to show the topic's partitions", func() bool {
		_, body = scrape(t, base+"/metrics")
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	})
	for _, m := range []string{"bytesin", "bytesout", "totalfetchrequests", "totalproducerequests"} {
		if v := metricValue(body, "kafka_server_brokertopicmetrics_"+m+"_total{topic=\"metered\"}"); v <= 0 {
			t.Errorf("%s of the topic is %v after %d records were produced and consumed", m, v, records)
		}
	}
	var leo, size float64
	for p := range 3 {
		leo += metricValue(body, fmt.Sprintf(`kafka_log_log_logendoffset{partition="%d",topic="metered"}`, p))
		size += metricValue(body, fmt.Sprintf(`kafka_log_log_size{partition="%d",topic="metered"}`, p))
	}
	if leo != records || size <= 0 {
		t.Errorf("the topic's partitions' log end offsets add up to %v (want %d), their sizes to %v", leo, records, size)
	}
	if v := metricValue(body, "kafka_server_kafkaserver_brokerstate"); v != 3 {
		t.Errorf("a running broker's state is %v, want 3 (RUNNING)", v)
	}
	promtoolCheckMetrics(t, promtool, body)
}

// promtoolCheckMetrics fails the test when promtool finds a scrape's body malformed or
// lints any problem in it.
func promtoolCheckMetrics(t *testing.T, promtool, body string) {
	t.Helper()
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

// metricValue is the value of the series named exactly series (name and labels) in a
// Prometheus text exposition, -1 when it is absent.
func metricValue(body, series string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	return -1
}
