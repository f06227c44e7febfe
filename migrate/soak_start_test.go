package migrate

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSoakStartFile: the soak start survives in its file, a cleared soak removes it,
// and an unreadable file means no soak start rather than an error.
func TestSoakStartFile(t *testing.T) {
	f := soakStartFile(filepath.Join(t.TempDir(), "migration-soak-start"))
	if got := f.load(); !got.IsZero() {
		t.Fatalf("no file: soak start %v", got)
	}
	start := time.Date(2026, 12, 6, 12, 0, 0, 123456789, time.UTC)
	if err := f.save(start); err != nil {
		t.Fatal(err)
	}
	if got := f.load(); !got.Equal(start) {
		t.Fatalf("soak start %v after saving %v", got, start)
	}
	if err := f.save(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(string(f)); !os.IsNotExist(err) {
		t.Fatalf("a cleared soak left its file: %v", err)
	}
	if err := f.save(time.Time{}); err != nil {
		t.Fatalf("clearing twice: %v", err)
	}
	if err := os.WriteFile(string(f), []byte("yesterday\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := f.load(); !got.IsZero() {
		t.Fatalf("garbage read as soak start %v", got)
	}
	if err := soakStartFile("").save(start); err != nil || !soakStartFile("").load().IsZero() {
		t.Fatalf("an empty path must keep the soak in memory: %v", err)
	}
}
