package migrate

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// soakStartFile persists when this controller first saw every broker on the quorum,
// the start of the soak finalize's --min-soak counts from, so that a controller
// restart or a failover does not start the soak over (issue 13). Every controller's
// driver tracks the soak from its own copy of the log and keeps its own file, so the
// next active controller has it too. An empty path keeps the soak in memory only.
type soakStartFile string

// load reads the soak start; zero when there is none (or it cannot be read: the soak
// then starts again, which only makes finalize wait longer).
func (f soakStartFile) load() time.Time {
	if f == "" {
		return time.Time{}
	}
	data, err := os.ReadFile(string(f))
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
	if err != nil {
		return time.Time{}
	}
	return t
}

// save writes the soak start, or removes the file when t is zero, replacing it
// atomically so a crash leaves the old start or the new one.
func (f soakStartFile) save(t time.Time) error {
	if f == "" {
		return nil
	}
	if t.IsZero() {
		if err := os.Remove(string(f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the soak start %s: %w", f, err)
		}
		return nil
	}
	tmp := string(f) + ".tmp"
	if err := os.WriteFile(tmp, []byte(t.UTC().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		return fmt.Errorf("write the soak start %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, string(f)); err != nil {
		return fmt.Errorf("write the soak start %s: %w", f, err)
	}
	return nil
}
