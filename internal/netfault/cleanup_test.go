package netfault

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary, started by TestSweepAfterKilledRun, build a layout,
// start a process in it, say so and wait to be killed.
const helperEnv = "NETFAULT_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(layoutUntilKilled())
	}
	os.Exit(m.Run())
}

// layoutUntilKilled is the killed run: it prints "<prefix> <pid of a sleep in member
// a>" and blocks.
func layoutUntilKilled() int {
	l, err := New(Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: ZooKeeper})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := l.Cut("a", "b"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sleep, err := l.Command("a", "sleep", "600")
	if err == nil {
		err = sleep.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s %d\n", l.Prefix(), sleep.Process.Pid)
	select {}
}

// startSleep starts a process in a member's namespace that runs until killed, and
// returns a channel closed when it has exited.
func startSleep(t *testing.T, l *Layout, member string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd, err := l.Command(member, "sleep", "600")
	must(t, err)
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, exited
}

// leftovers lists what carries the prefix.
func leftovers(t *testing.T, prefix string) []string {
	t.Helper()
	left, err := Leftovers(prefix)
	must(t, err)
	return left
}

// TestCloseRemovesEverything: with cuts, loss, a delay and a process in a namespace,
// Close leaves no namespace, link, rule, state file or process behind.
func TestCloseRemovesEverything(t *testing.T) {
	l, err := New(Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Controller}, Member{Name: "c", Roles: ZooKeeper})
	must(t, err)
	t.Cleanup(func() { l.Close() })
	prefix, subnet := l.Prefix(), l.Subnet()
	must(t, l.Cut("a", "b"))
	must(t, l.Loss("a", "c", 10))
	must(t, l.Delay("b", "c", 10*time.Millisecond, 0))
	ns, err := l.Namespace("a")
	must(t, err)
	sleep, exited := startSleep(t, l, "a")
	if !strings.Contains(sleep.Args[3], ns) {
		t.Fatalf("command %v does not run in %s", sleep.Args, ns)
	}

	want := []string{nsName(prefix, "a"), nsName(prefix, "b"), nsName(prefix, "c"), nsName(prefix, hubName), clientsLink(prefix), statePath(prefix)}
	if got := leftovers(t, prefix); !sameSet(got, want) {
		t.Fatalf("the layout is %v, want %v", got, want)
	}
	must(t, l.Close())
	if got := leftovers(t, prefix); len(got) != 0 {
		t.Fatalf("left behind after Close: %v", got)
	}
	select {
	case <-exited:
	case <-time.After(waitTimeout):
		t.Fatalf("the process in %s still runs after Close", ns)
	}
	ruleset, err := run(nil, "nft", "list", "ruleset")
	must(t, err)
	// The subnet's addresses all start with its first three bytes, "10.101.7." say.
	if net3 := strings.TrimSuffix(subnet.Addr().String(), "0"); strings.Contains(ruleset, faultTable) || strings.Contains(ruleset, net3) {
		t.Fatalf("the root namespace's ruleset mentions the layout:\n%s", ruleset)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestSweepAfterKilledRun: a test binary killed with its layout up leaves it behind;
// the next sweep removes it, kills what ran in it, and leaves live layouts alone. A
// namespace with a layout's kind of name and no state file is swept too.
func TestSweepAfterKilledRun(t *testing.T) {
	live := ForTest(t, Member{Name: "x", Roles: Broker})
	liveBefore := leftovers(t, live.Prefix())

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), helperEnv+"=1")
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	must(t, err)
	must(t, child.Start())
	t.Cleanup(func() { child.Process.Kill() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		child.Process.Kill()
		t.Fatalf("the helper run printed no layout: %v (%s)", err, child.Wait())
	}
	var prefix string
	var sleepPid int
	if _, err := fmt.Sscan(line, &prefix, &sleepPid); err != nil {
		t.Fatalf("the helper run printed %q: %v", line, err)
	}
	must(t, child.Process.Kill())
	child.Wait()
	if len(leftovers(t, prefix)) == 0 {
		t.Fatalf("the killed run's layout %s is not there to sweep", prefix)
	}

	orphan := nsName("nforphan"+fmt.Sprint(os.Getpid()%1000), "a")
	_, err = run(nil, "ip", "netns", "add", orphan)
	must(t, err)
	t.Cleanup(func() { run(nil, "ip", "netns", "del", orphan) })

	swept, err := Sweep()
	must(t, err)
	orphanPrefix, _ := prefixOf(orphan)
	if !slices.Contains(swept, prefix) || !slices.Contains(swept, orphanPrefix) {
		t.Fatalf("swept %v, want %s and %s among them", swept, prefix, orphanPrefix)
	}
	if left := leftovers(t, prefix); len(left) != 0 {
		t.Fatalf("left behind by the sweep: %v", left)
	}
	if left := leftovers(t, orphanPrefix); len(left) != 0 {
		t.Fatalf("orphan left behind by the sweep: %v", left)
	}
	if got := leftovers(t, live.Prefix()); !sameSet(got, liveBefore) {
		t.Fatalf("the sweep touched a live layout: %v, was %v", got, liveBefore)
	}
	waitGone(t, sleepPid)
}

// waitGone waits until a process has ended (no longer exists or is a zombie).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after the sweep", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNotRootSaysWhy: without root the constructor refuses and says what is needed.
func TestNotRootSaysWhy(t *testing.T) {
	err := preflightAs(1000, []Member{{Name: "a", Roles: Broker}})
	if err == nil || !strings.Contains(err.Error(), "needs root") {
		t.Fatalf("preflight as uid 1000: %v, want an error saying root is needed", err)
	}
}
