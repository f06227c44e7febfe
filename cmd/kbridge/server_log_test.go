package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/config"
)

// TestNewLoggerFormats: text is key=value, json one object per line with the level,
// message and attributes; another format or level is refused naming the flag.
func TestNewLoggerFormats(t *testing.T) {
	var text bytes.Buffer
	l, err := newLogger("info", "text", &text)
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("hidden")
	l.Info("started", "node_id", 1)
	if got := text.String(); !strings.Contains(got, `level=INFO msg=started node_id=1`) || strings.Contains(got, "hidden") {
		t.Errorf("text log: %q", got)
	}

	var js bytes.Buffer
	if l, err = newLogger("debug", "json", &js); err != nil {
		t.Fatal(err)
	}
	l.Info("started", "node_id", 1)
	var rec map[string]any
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
		t.Fatalf("json log line %q: %v", js.String(), err)
	}
	if rec["level"] != "INFO" || rec["msg"] != "started" || rec["node_id"] != float64(1) {
		t.Errorf("json log record %v", rec)
	}

	if _, err := newLogger("info", "yaml", &js); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("a yaml format answered %v", err)
	}
	if _, err := newLogger("loud", "text", &js); err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("a loud level answered %v", err)
	}
}

// TestLogUnusedKeysPointsReportersAtMetricsListeners: a Java metrics reporter in a
// Kafka server.properties is not silently dropped: the start log warns that kbridge
// serves Prometheus metrics instead and names the key and the file; a plain ignored key
// is an info line.
func TestLogUnusedKeysPointsReportersAtMetricsListeners(t *testing.T) {
	props := "process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@127.0.0.1:9093\n" +
		"listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\ncontroller.listener.names=CONTROLLER\n" +
		"log.dirs=/tmp/unused\nmetric.reporters=org.example.Reporter\nnum.replica.fetchers=4\n"
	cfg, err := config.Parse("server.properties", strings.NewReader(props), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	l, err := newLogger("info", "text", &out)
	if err != nil {
		t.Fatal(err)
	}
	logUnusedKeys(cfg, l)
	got := out.String()
	for _, want := range []string{
		`level=WARN msg="config key ignored" key=metric.reporters value=org.example.Reporter file=server.properties instead="kbridge runs no Java metrics reporter and no JMX; it serves Kafka's metrics to Prometheus at metrics.listeners (docs/metrics.md)"`,
		`level=INFO msg="config key ignored: kbridge has no equivalent" key=num.replica.fetchers file=server.properties`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("start log lacks %s:\n%s", want, got)
		}
	}
}
