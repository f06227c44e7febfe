package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMigrationExampleStatusPage runs the migration example itself
// (examples/migration/walkthrough.sh: ZooKeeper, three ZooKeeper-mode brokers under a
// producer and a group consumer, three migration controllers, dry-run, commit,
// finalize) and, while it migrates, opens the active controller's /migration in
// headless Chromium: a screenshot is taken and the page shows the phase and every
// broker with where its leadership comes from. The walkthrough must then finish
// cleanly, its consumer having read no record twice.
func TestMigrationExampleStatusPage(t *testing.T) {
	requireTool(t, "chromium")
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "examples", "migration", "walkthrough.sh")
	clean := func() {
		cmd := exec.Command(script, "clean")
		cmd.Env = append(os.Environ(), "KBRIDGE="+kbridgeBin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("walkthrough.sh clean: %v\n%s", err, out)
		}
	}
	t.Cleanup(clean)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out bytes.Buffer
	walk := exec.CommandContext(ctx, script)
	walk.Env = append(os.Environ(), "KBRIDGE="+kbridgeBin)
	walk.Stdout, walk.Stderr = &out, &out
	if err := walk.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- walk.Wait() }()

	// The controllers' metrics ports (examples/migration/controller-*.properties); the
	// active controller's page names the phase, the others say they are not active.
	migrating := regexp.MustCompile(`id="phase">(DUAL_WRITE|BROKERS_ON_KRAFT)<`)
	var url, page string
	WaitFor(t, 3*time.Minute, "a controller's page showing the migration in dual-write", func() bool {
		select {
		case err := <-done:
			t.Fatalf("the walkthrough ended (%v) before its page showed dual-write:\n%s", err, out.String())
		default:
		}
		for port := 9601; port <= 9603; port++ {
			u := fmt.Sprintf("http://127.0.0.1:%d/migration", port)
			if code, body, err := tryGet(http.DefaultClient, u, "", ""); err == nil && code == http.StatusOK && migrating.MatchString(body) {
				url, page = u, body
				return true
			}
		}
		return false
	})
	screenshot(t, url)
	text := textOf(page)
	for id := 1; id <= 3; id++ {
		if !regexp.MustCompile(fmt.Sprintf(`broker %d (ZooKeeper|quorum) `, id)).MatchString(text) {
			t.Errorf("the page does not show broker %d with where its leadership comes from:\n%s", id, text)
		}
	}
	if rendered := pageText(t, url); !regexp.MustCompile(`DUAL_WRITE|BROKERS_ON_KRAFT|FINALIZED`).MatchString(rendered) {
		t.Errorf("chromium's rendering of %s shows no migration phase:\n%s", url, rendered)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the walkthrough failed: %v\n%s", err, out.String())
		}
	case <-ctx.Done():
		t.Fatalf("the walkthrough did not finish:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "distinct") {
		t.Errorf("the walkthrough did not check its consumer:\n%s", out.String())
	}
}
