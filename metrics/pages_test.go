package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
)

// TestHandle: a page added with Handle is served beside /metrics, which still answers,
// and only for the method its pattern names.
func TestHandle(t *testing.T) {
	s, err := Listen("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Handle("GET /page", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "a page")
	}))
	base := "http://" + s.Addr()
	if code, body := get(t, base+"/page"); code != http.StatusOK || body != "a page" {
		t.Fatalf("/page answered %d %q", code, body)
	}
	if code, _ := get(t, base+"/metrics"); code != http.StatusOK {
		t.Fatalf("/metrics answered %d after a page was added", code)
	}
	resp, err := http.Post(base+"/page", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /page answered %d, want 405", resp.StatusCode)
	}
}
