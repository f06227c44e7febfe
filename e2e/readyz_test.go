package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReadyzFencedBroker is issue 18's fourth acceptance test: /readyz of a broker the
// controller has fenced answers 503 with a reason that names fencing, and 200 again once
// it is unfenced. The broker is fenced for real: paused past broker.session.timeout.ms,
// so the controller fences it (its FencedBrokerCount says so). It is resumed while the
// controller is paused in turn, so nothing can unfence it before /readyz is asked. Its
// reason is then "fenced by the controller" when it reads the fencing record the
// controller sent while it was paused before /readyz runs, else that its metadata
// session is lost and it takes itself for fenced; both until the controller, back,
// unfences it.
func TestReadyzFencedBroker(t *testing.T) {
	c := StartClusterWith(t, ClusterSpec{Controllers: 1, Brokers: 2, Metrics: true})
	controller, fenced, healthy := c.Controllers[0], c.Broker(102), c.Broker(101)
	// A node left paused by a failure would make the cleanup's stop wait out its timeout.
	t.Cleanup(controller.Resume)
	t.Cleanup(fenced.Resume)

	waitReady(t, fenced)
	const fencedCount = "kafka_controller_kafkacontroller_fencedbrokercount"

	fenced.Pause()
	WaitFor(t, 20*time.Second, "the controller to report one fenced broker", func() bool {
		_, body := scrape(t, "http://"+controller.MetricsAddr+"/metrics")
		return metricValue(body, fencedCount) == 1
	})
	waitReady(t, healthy)

	controller.Pause()
	fenced.Resume()
	code, body := scrape(t, "http://"+fenced.MetricsAddr+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready\n") {
		t.Fatalf("/readyz of the fenced broker answered %d %q, want 503 not ready", code, body)
	}
	reason := strings.TrimPrefix(body, "not ready\n")
	t.Logf("/readyz of the fenced broker: 503 %q", reason)
	if !strings.HasPrefix(reason, "broker: ") || !strings.Contains(reason, "fenced") {
		t.Fatalf("/readyz of the fenced broker gives the reason %q, which does not say it is fenced", reason)
	}

	controller.Resume()
	waitReady(t, fenced)
	WaitFor(t, 20*time.Second, "the controller to report no fenced broker", func() bool {
		_, body := scrape(t, "http://"+controller.MetricsAddr+"/metrics")
		return metricValue(body, fencedCount) == 0
	})
}

// waitReady waits until n's /readyz answers 200 ready.
func waitReady(t *testing.T, n *Node) {
	t.Helper()
	var code int
	var body string
	defer func() {
		if t.Failed() {
			t.Logf("/readyz of %s last answered %d %q", n.MetricsAddr, code, body)
		}
	}()
	WaitFor(t, 20*time.Second, "/readyz of "+n.MetricsAddr+" to answer 200 ready", func() bool {
		code, body = scrape(t, "http://"+n.MetricsAddr+"/readyz")
		return code == http.StatusOK && body == "ready\n"
	})
}
