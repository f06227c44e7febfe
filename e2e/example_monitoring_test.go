package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/config"
)

// servedMetrics are the metric names kbridge serves (docs/metrics.md) and Prometheus's
// own up: the names examples/monitoring may query. A renamed metric must be renamed
// here too, and the examples that use it then fail TestMonitoringExample until they
// follow.
var servedMetrics = []string{
	"kafka_consumergroup_current_offset",
	"kafka_consumergroup_lag",
	"kafka_controller_kafkacontroller_activebrokercount",
	"kafka_controller_kafkacontroller_activecontrollercount",
	"kafka_controller_kafkacontroller_fencedbrokercount",
	"kafka_controller_kafkacontroller_globalpartitioncount",
	"kafka_controller_kafkacontroller_globaltopiccount",
	"kafka_controller_kafkacontroller_migratingzkbrokercount",
	"kafka_controller_kafkacontroller_offlinepartitionscount",
	"kafka_controller_kafkacontroller_preferredreplicaimbalancecount",
	"kafka_controller_kafkacontroller_zkmigrationstate",
	"kafka_controller_kafkacontroller_zkwritebehindlag",
	"kafka_controller_kafkacontroller_zkwritedeltatimems",
	"kafka_controller_kafkacontroller_zkwritesnapshottimems",
	"kafka_coordinator_group_groupmetadatamanager_numgroups",
	"kafka_coordinator_group_groupmetadatamanager_numgroupscompletingrebalance",
	"kafka_coordinator_group_groupmetadatamanager_numgroupsdead",
	"kafka_coordinator_group_groupmetadatamanager_numgroupsempty",
	"kafka_coordinator_group_groupmetadatamanager_numgroupspreparingrebalance",
	"kafka_coordinator_group_groupmetadatamanager_numgroupsstable",
	"kafka_coordinator_group_groupmetadatamanager_numoffsets",
	"kafka_log_log_size",
	"kafka_network_requestmetrics_errors_total",
	"kafka_network_requestmetrics_localtimems",
	"kafka_network_requestmetrics_remotetimems",
	"kafka_network_requestmetrics_requestbytes",
	"kafka_network_requestmetrics_requests_total",
	"kafka_network_requestmetrics_responsequeuetimems",
	"kafka_network_requestmetrics_responsesendtimems",
	"kafka_network_requestmetrics_totaltimems",
	"kafka_network_requestmetrics_totaltimems_count",
	"kafka_network_requestmetrics_totaltimems_sum",
	"kafka_server_brokertopicmetrics_bytesin_total",
	"kafka_server_brokertopicmetrics_bytesout_total",
	"kafka_server_brokertopicmetrics_failedfetchrequests_total",
	"kafka_server_brokertopicmetrics_failedproducerequests_total",
	"kafka_server_brokertopicmetrics_messagesin_total",
	"kafka_server_brokertopicmetrics_replicationbytesin_total",
	"kafka_server_brokertopicmetrics_replicationbytesout_total",
	"kafka_server_brokertopicmetrics_totalfetchrequests_total",
	"kafka_server_brokertopicmetrics_totalproducerequests_total",
	"kafka_server_raftmetrics_append_records_rate",
	"kafka_server_raftmetrics_commit_latency_avg",
	"kafka_server_raftmetrics_commit_latency_max",
	"kafka_server_raftmetrics_current_epoch",
	"kafka_server_raftmetrics_current_leader",
	"kafka_server_raftmetrics_current_state",
	"kafka_server_raftmetrics_high_watermark",
	"kafka_server_raftmetrics_log_end_offset",
	"kafka_server_replicamanager_atminisrpartitioncount",
	"kafka_server_replicamanager_failedisrupdates_total",
	"kafka_server_replicamanager_isrexpands_total",
	"kafka_server_replicamanager_isrshrinks_total",
	"kafka_server_replicamanager_leadercount",
	"kafka_server_replicamanager_partitioncount",
	"kafka_server_replicamanager_produceridcount",
	"kafka_server_replicamanager_underminisrpartitioncount",
	"kafka_server_replicamanager_underreplicatedpartitions",
	"kafka_server_socket_server_metrics_connection_close_total",
	"kafka_server_socket_server_metrics_connection_count",
	"kafka_server_socket_server_metrics_connection_creation_total",
	"up",
}

// migrationOnlyMetrics are servedMetrics only a controller with a migration serves;
// TestMigrationMetrics checks them, TestPrometheusScrapesCluster every other one.
var migrationOnlyMetrics = []string{
	"kafka_controller_kafkacontroller_zkwritebehindlag",
	"kafka_controller_kafkacontroller_zkwritedeltatimems",
	"kafka_controller_kafkacontroller_zkwritesnapshottimems",
}

// requireServed fails the test unless every name is a series (or a summary's part) in
// one of the scraped bodies: a name the examples query must be one a node serves.
func requireServed(t *testing.T, names []string, bodies ...string) {
	t.Helper()
	served := map[string]bool{}
	for _, body := range bodies {
		for _, line := range strings.Split(body, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			served[strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == ' ' })[0]] = true
		}
	}
	for _, name := range names {
		if name != "up" && !served[name] {
			t.Errorf("%s is in servedMetrics, which the monitoring examples query, but no node serves it", name)
		}
	}
}

// metricName finds the metric names in a PromQL expression: kbridge's all start with
// kafka_, and up is Prometheus's.
var metricName = regexp.MustCompile(`\b(kafka_[a-z0-9_]+|up)\b`)

// TestMonitoringExample checks examples/monitoring with Prometheus's own promtool (the
// config, the alert rules, and alerts_test.yml's proof that each alert fires on the
// series it is meant for and not on a healthy one), that prometheus.yml scrapes exactly
// the metrics.listeners of the examples it names, and that the Grafana dashboard
// parses, takes its datasource as an input and queries only served metrics in PromQL
// that parses.
func TestMonitoringExample(t *testing.T) {
	promtool := requireTool(t, "promtool")
	dir := monitoringExampleDir()
	for _, args := range [][]string{
		{"check", "config", "prometheus.yml"},
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
	} {
		runPromtool(t, promtool, dir, args...)
	}
	checkScrapeTargets(t, dir)

	alerts, err := os.ReadFile(filepath.Join(dir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var alertExprs []string
	for _, m := range regexp.MustCompile(`(?m)^\s+expr: (.+)$`).FindAllStringSubmatch(string(alerts), -1) {
		alertExprs = append(alertExprs, m[1])
	}
	if len(alertExprs) != strings.Count(string(alerts), "- alert: ") {
		t.Fatalf("found %d one-line exprs for %d alerts in alerts.yml", len(alertExprs), strings.Count(string(alerts), "- alert: "))
	}
	checkServedMetrics(t, "alerts.yml", alertExprs)

	dashboardExprs := dashboardQueries(t, filepath.Join(dir, "grafana-dashboard.json"))
	checkServedMetrics(t, "grafana-dashboard.json", dashboardExprs)
	checkPromQLParses(t, promtool, dashboardExprs)
}

// monitoringExampleDir is examples/monitoring of this repository.
func monitoringExampleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "examples", "monitoring")
}

func runPromtool(t *testing.T, promtool, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtool, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// checkScrapeTargets compares each job of prometheus.yml with the example of the same
// name: its targets must be the metrics.listeners of the example's properties files.
func checkScrapeTargets(t *testing.T, dir string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	scraped := map[string][]string{}
	job := ""
	target := regexp.MustCompile(`"(127\.0\.0\.1:\d+)"`)
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- job_name: "); ok {
			job = name
			continue
		}
		for _, m := range target.FindAllStringSubmatch(line, -1) {
			scraped[job] = append(scraped[job], m[1])
		}
	}
	if len(scraped) != 2 {
		t.Fatalf("prometheus.yml has the jobs %v, want kraft-cluster and migration", scraped)
	}
	for job, targets := range scraped {
		files, err := filepath.Glob(filepath.Join(dir, "..", job, "*.properties"))
		if err != nil || len(files) == 0 {
			t.Fatalf("job %s names no example with properties files (%v)", job, err)
		}
		var served []string
		for _, f := range files {
			cfg, err := config.Load(f, nil)
			if err != nil {
				t.Fatalf("load %s: %v", f, err)
			}
			if len(cfg.MetricsListeners) != 1 {
				t.Errorf("%s has metrics.listeners %v, want one address", f, cfg.MetricsListeners)
			}
			served = append(served, cfg.MetricsListeners...)
		}
		slices.Sort(served)
		slices.Sort(targets)
		if !slices.Equal(served, targets) {
			t.Errorf("job %s scrapes %v, but examples/%s serves metrics on %v", job, targets, job, served)
		}
	}
}

// dashboardQueries parses the dashboard, checks that every datasource is the
// DS_PROMETHEUS input, and returns every target's PromQL expression.
func dashboardQueries(t *testing.T, path string) []string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type datasource struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	var dash struct {
		Inputs []struct {
			Name     string `json:"name"`
			PluginID string `json:"pluginId"`
		} `json:"__inputs"`
		Panels []struct {
			Title      string      `json:"title"`
			Type       string      `json:"type"`
			Datasource *datasource `json:"datasource"`
			Targets    []struct {
				Datasource datasource `json:"datasource"`
				Expr       string     `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(text, &dash); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	if len(dash.Inputs) != 1 || dash.Inputs[0].Name != "DS_PROMETHEUS" || dash.Inputs[0].PluginID != "prometheus" {
		t.Fatalf("the dashboard's inputs are %+v, want one Prometheus datasource DS_PROMETHEUS", dash.Inputs)
	}
	want := datasource{Type: "prometheus", UID: "${DS_PROMETHEUS}"}
	var exprs []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || *p.Datasource != want || len(p.Targets) == 0 {
			t.Errorf("panel %q has datasource %v and %d targets, want %v and at least one", p.Title, p.Datasource, len(p.Targets), want)
		}
		for _, tg := range p.Targets {
			if tg.Datasource != want {
				t.Errorf("a target of panel %q has datasource %v, want %v", p.Title, tg.Datasource, want)
			}
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

// checkServedMetrics fails for an expression that queries no metric or one kbridge does
// not serve.
func checkServedMetrics(t *testing.T, file string, exprs []string) {
	t.Helper()
	for _, e := range exprs {
		names := metricName.FindAllString(e, -1)
		if len(names) == 0 {
			t.Errorf("%s: %q queries no metric", file, e)
		}
		for _, n := range names {
			if !slices.Contains(servedMetrics, n) {
				t.Errorf("%s: %q queries %s, which kbridge does not serve", file, e, n)
			}
		}
	}
}

// checkPromQLParses has promtool parse each dashboard expression, as a recording rule
// with Grafana's variables set as Grafana sets them.
func checkPromQLParses(t *testing.T, promtool string, exprs []string) {
	t.Helper()
	grafana := strings.NewReplacer("$__rate_interval", "1m", "$job", ".*")
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, e := range exprs {
		q, err := json.Marshal(grafana.Replace(e))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&rules, "      - record: dashboard:query%d\n        expr: %s\n", i, q)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dashboard-rules.yml"), []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, promtool, dir, "check", "rules", "dashboard-rules.yml")
}
