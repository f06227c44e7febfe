package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// prometheusServer is Debian's prometheus binary scraping a test's nodes every second,
// queried through its HTTP API as an operator's dashboards and alerts query it.
type prometheusServer struct {
	t       testing.TB
	baseURL string
	logPath string
}

// promSample is one series of an instant query's vector result.
type promSample struct {
	Labels map[string]string
	Value  float64
}

// startPrometheus writes a config scraping targets (host:port) every second under job
// "kbridge", starts prometheus on a free loopback port with its data in a temporary
// directory, waits until it is ready and stops it when the test ends.
func startPrometheus(t testing.TB, targets []string) *prometheusServer {
	t.Helper()
	bin := requireTool(t, "prometheus")
	dir := t.TempDir()
	quoted := make([]string, len(targets))
	for i, tgt := range targets {
		quoted[i] = strconv.Quote(tgt)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kbridge
    static_configs:
      - targets: [%s]
`, strings.Join(quoted, ", "))
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := &prometheusServer{t: t, baseURL: "http://" + addr, logPath: filepath.Join(dir, "prometheus.log")}
	logf, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("prometheus did not stop within 30s after SIGTERM")
		}
		if t.Failed() {
			t.Logf("prometheus log:\n%s", p.log())
		}
	})
	WaitFor(t, 30*time.Second, "prometheus to be ready", func() bool {
		select {
		case <-done:
			t.Fatalf("prometheus exited before it was ready:\n%s", p.log())
		default:
		}
		code, _, err := p.get("/-/ready")
		return err == nil && code == http.StatusOK
	})
	return p
}

func (p *prometheusServer) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// get GETs path from the server and returns the status and body.
func (p *prometheusServer) get(path string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.baseURL+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// Query runs an instant PromQL query (/api/v1/query) that must answer a vector, and
// returns its series; a query Prometheus refuses fails the test.
func (p *prometheusServer) Query(query string) []promSample {
	p.t.Helper()
	code, body, err := p.get("/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		p.t.Fatalf("query %s: %v", query, err)
	}
	var resp struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		p.t.Fatalf("query %s: HTTP %d, %v: %s", query, code, err, body)
	}
	if resp.Status != "success" || resp.Data.ResultType != "vector" {
		p.t.Fatalf("query %s: HTTP %d, status %s, result type %q: %s", query, code, resp.Status, resp.Data.ResultType, resp.Error)
	}
	out := make([]promSample, 0, len(resp.Data.Result))
	for _, r := range resp.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			p.t.Fatalf("query %s: value %v: %v", query, r.Value[1], err)
		}
		out = append(out, promSample{Labels: r.Metric, Value: v})
	}
	return out
}

// Scalar runs a query expected to answer at most one series and returns its value;
// ok is false when it answers none (no data yet).
func (p *prometheusServer) Scalar(query string) (value float64, ok bool) {
	p.t.Helper()
	samples := p.Query(query)
	switch len(samples) {
	case 0:
		return 0, false
	case 1:
		return samples[0].Value, true
	}
	p.t.Fatalf("query %s answered %d series, want one: %v", query, len(samples), samples)
	return 0, false
}

// WaitScalar waits until query answers exactly want; on a timeout the test fails
// showing the last answer.
func (p *prometheusServer) WaitScalar(timeout time.Duration, query string, want float64) {
	p.t.Helper()
	last := "no data"
	defer func() {
		if p.t.Failed() {
			p.t.Logf("the last answer to %s was %s", query, last)
		}
	}()
	WaitFor(p.t, timeout, fmt.Sprintf("%s to be %v", query, want), func() bool {
		got, ok := p.Scalar(query)
		if ok {
			last = strconv.FormatFloat(got, 'g', -1, 64)
		}
		return ok && got == want
	})
}
