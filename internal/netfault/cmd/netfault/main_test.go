package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/netfault"
)

// TestEverySubcommandHasHelpAndExample: a developer reaching for the command finds each
// subcommand described with an example.
func TestEverySubcommandHasHelpAndExample(t *testing.T) {
	for _, c := range rootCmd.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if c.Short == "" || c.Example == "" {
			t.Errorf("%s: Short %q, Example %q", c.Name(), c.Short, c.Example)
		}
	}
}

// execute runs the command line as the binary would.
func execute(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetArgs(args)
	if err := rootCmd.Execute(); err != nil {
		t.Fatalf("netfault %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

// TestCreateCutClean: a layout made by the command stays after it returns, takes a cut
// by name from another invocation, and clean removes all of it. The test process owns
// it, so a sweep removes it should the test be killed before its clean.
func TestCreateCutClean(t *testing.T) {
	p := fmt.Sprintf("nfcmd%d", os.Getpid())
	t.Cleanup(func() { netfault.Remove(p) })
	out := execute(t, "create", "--prefix", p, "--owner", fmt.Sprint(os.Getpid()), "zk:zookeeper", "b1:broker")
	if !strings.Contains(out, p+"-b1") {
		t.Fatalf("create printed:\n%s", out)
	}
	execute(t, "cut-from", "--prefix", p, "b1", "zookeeper")
	l, err := netfault.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	zk, err := l.Addr("zk")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on zk: across a working link the dial is refused at once, across
	// the cut it times out.
	err = l.Do("b1", func() error {
		_, err := net.DialTimeout("tcp", netip.AddrPortFrom(zk, 9).String(), 500*time.Millisecond)
		return err
	})
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("dial from b1 to zk across the cut: %v, want a timeout", err)
	}
	if !strings.Contains(execute(t, "list"), p) {
		t.Fatalf("list does not show %s", p)
	}
	execute(t, "clean", "--prefix", p)
	left, err := netfault.Leftovers(p)
	if err != nil || len(left) != 0 {
		t.Fatalf("left after clean: %v, %v", left, err)
	}
}
