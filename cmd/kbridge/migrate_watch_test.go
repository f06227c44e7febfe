package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// fakeStatuses answers reads with MetadataOffset 1, 2, 3, ..., fails the read named
// by failAt, and cancels the watch (as Ctrl-C does) at read number stopAt.
func fakeStatuses(cancel context.CancelFunc, failAt, stopAt int) statusReader {
	n := 0
	return func(context.Context) (migrate.Status, error) {
		n++
		switch n {
		case stopAt:
			cancel()
		case failAt:
			return migrate.Status{}, errors.New("connection refused")
		}
		return migrate.Status{Phase: migrate.PhaseDualWrite, MetadataOffset: int64(n)}, nil
	}
}

// watchFor runs a watch over fakeStatuses until its fourth read and returns what it
// wrote to stdout and stderr; a watch interrupted is a clean end.
func watchFor(t *testing.T, output string, tty bool) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	sw := statusWatch{
		read: fakeStatuses(cancel, 2, 4), interval: time.Millisecond, output: output, tty: tty,
		title: "kbridge migrate status --controller c:9093",
		now:   func() time.Time { at = at.Add(2 * time.Second); return at },
	}
	if err := sw.run(ctx, &out, &errOut); err != nil {
		t.Fatalf("an interrupted watch returned %v, want a clean end", err)
	}
	return out.String(), errOut.String()
}

// TestStatusWatchText: off a terminal each refresh follows a timestamp line, and a
// read that failed is shown and read again at the next refresh.
func TestStatusWatchText(t *testing.T) {
	out, _ := watchFor(t, "text", false)
	refreshes := strings.Split(out, "--- ")[1:]
	if len(refreshes) != 3 {
		t.Fatalf("%d refreshes, want 3:\n%s", len(refreshes), out)
	}
	for i, want := range []string{"2026-12-07T09:00:02Z\nPhase:", "2026-12-07T09:00:04Z\nstatus: connection refused", "2026-12-07T09:00:06Z\nPhase:"} {
		if !strings.HasPrefix(refreshes[i], want) {
			t.Errorf("refresh %d starts %q, want %q", i, refreshes[i], want)
		}
	}
	if !strings.Contains(refreshes[2], "offset 3,") || strings.Contains(out, clearScreen) {
		t.Errorf("the third refresh does not show the third status, or the screen was cleared off a terminal:\n%s", out)
	}
}

// TestStatusWatchTerminal: on a terminal each refresh clears the screen and redraws
// under a title naming the command and the interval.
func TestStatusWatchTerminal(t *testing.T) {
	out, _ := watchFor(t, "text", true)
	screens := strings.Split(out, clearScreen)[1:]
	if len(screens) != 3 {
		t.Fatalf("%d redraws, want 3:\n%q", len(screens), out)
	}
	if want := "kbridge migrate status --controller c:9093, every 1ms: 2026-12-07T09:00:06Z\n\nPhase:"; !strings.HasPrefix(screens[2], want) {
		t.Errorf("the last screen starts %q, want %q", screens[2], want)
	}
}

// TestStatusWatchJSON: with --output json each refresh is one JSON object on a line of
// its own, and a failed read goes to stderr so that stdout stays parseable.
func TestStatusWatchJSON(t *testing.T) {
	out, errOut := watchFor(t, "json", false)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var offsets []int64
	for _, l := range lines {
		var st migrate.Status
		if err := json.Unmarshal([]byte(l), &st); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		offsets = append(offsets, st.MetadataOffset)
	}
	if len(offsets) != 2 || offsets[0] != 1 || offsets[1] != 3 {
		t.Errorf("statuses at offsets %v, want [1 3]", offsets)
	}
	if errOut != "2026-12-07T09:00:04Z status: connection refused\n" {
		t.Errorf("stderr %q, want the failed read", errOut)
	}
}

// TestStatusFlagsRefused: an unknown --output, and the status page with --watch, are
// refused before any controller is asked.
func TestStatusFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", "yaml"}, `--output "yaml": want text, json or html`},
		{[]string{"--output", "html", "--watch"}, "--output html writes the status page once"},
		{[]string{"--watch", "--interval", "0s"}, "--interval 0s: want a positive duration"},
	} {
		cmd := migrateStatusCmd()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(append([]string{"--controller", "127.0.0.1:1"}, c.args...))
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("status %q: %v, want %q", c.args, err, c.want)
		}
	}
}
