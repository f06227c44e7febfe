package e2e

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// watchStatuses runs `kbridge migrate status --watch --output json` against
// controller, reads n refreshes, then interrupts it as Ctrl-C does and checks that it
// ends with exit status 0. Each refresh must be one JSON status on a line of its own.
func watchStatuses(t *testing.T, controller string, n int) []migrate.Status {
	t.Helper()
	cmd := exec.Command(kbridgeBin, "migrate", "status", "--controller", controller, "--watch", "--interval", "200ms", "--output", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start migrate status --watch: %v", err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var got []migrate.Status
	timeout := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("migrate status --watch ended after %d refreshes: %v", len(got), cmd.Wait())
			}
			var st migrate.Status
			if err := json.Unmarshal([]byte(l), &st); err != nil {
				t.Fatalf("refresh %d is not one JSON status: %v\n%s", len(got)+1, err, l)
			}
			got = append(got, st)
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("migrate status --watch showed %d refreshes in 30s, want %d", len(got), n)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines { // the output left when it stopped
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("migrate status --watch interrupted: %v, want exit status 0", err)
	}
	return got
}
