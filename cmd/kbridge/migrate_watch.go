package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// defaultWatchInterval is how often `migrate status --watch` refreshes unless
// --interval says otherwise.
const defaultWatchInterval = 2 * time.Second

// clearScreen moves the cursor home and clears the terminal, so each refresh redraws
// the table in place.
const clearScreen = "\x1b[H\x1b[2J"

// statusReader reads the migration's status once: the admin client, or a fake in tests.
type statusReader func(ctx context.Context) (migrate.Status, error)

// statusWatch is `migrate status --watch`: what to read, how often, and how to show it.
type statusWatch struct {
	read     statusReader
	interval time.Duration
	// output is text or json; tty says whether text is redrawn in place.
	output string
	tty    bool
	// title heads each redrawn screen, as watch(1) names the command it repeats.
	title string
	now   func() time.Time
}

// run shows the status at once and then every interval until ctx ends (Ctrl-C), which
// is a normal end. A status that cannot be read is shown as such and read again at
// the next refresh: a watch outlives a controller's restart.
func (sw statusWatch) run(ctx context.Context, w, errw io.Writer) error {
	t := time.NewTicker(sw.interval)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, adminTimeout)
		st, err := sw.read(rctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err := sw.show(w, errw, st, describeAdminError(err)); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// show writes one refresh: a JSON object on a line of its own (a failed read goes to
// errw, so that every line of w parses), or the table after a cleared screen on a
// terminal and after a timestamp line otherwise.
func (sw statusWatch) show(w, errw io.Writer, st migrate.Status, readErr error) error {
	at := sw.now().UTC().Format(time.RFC3339)
	if sw.output == "json" {
		if readErr != nil {
			_, err := fmt.Fprintf(errw, "%s status: %v\n", at, readErr)
			return err
		}
		return json.NewEncoder(w).Encode(st)
	}
	if sw.tty {
		fmt.Fprintf(w, "%s%s, every %v: %s\n\n", clearScreen, sw.title, sw.interval, at)
	} else {
		fmt.Fprintf(w, "--- %s\n", at)
	}
	if readErr != nil {
		_, err := fmt.Fprintf(w, "status: %v\n", readErr)
		return err
	}
	return printStatus(w, st, "text")
}
