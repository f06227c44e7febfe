package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
