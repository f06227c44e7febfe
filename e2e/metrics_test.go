package e2e

import (
	"bytes"
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
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
	want := []string{
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
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader([]byte(body))
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}
