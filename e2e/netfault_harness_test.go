package e2e

import (
	"net"
	"os/exec"
	"testing"

	"github.com/kbridge/kbridge/internal/netfault"
)

// startSingleNodeIn formats and starts one combined KRaft node inside a member's
// network namespace, listening on the member's address (9092 for clients, 9093 for
// the controller: the namespace is the node's alone). The test reaches it from the
// root namespace, which is the layout's clients.
func startSingleNodeIn(t testing.TB, l *netfault.Layout, member string, extra ...string) *Node {
	t.Helper()
	addr, err := l.Addr(member)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	broker, controller := net.JoinHostPort(addr.String(), "9092"), net.JoinHostPort(addr.String(), "9093")
	n := newFormatted(t, dir, broker, append(singleNodeProps(dir, "PLAINTEXT", broker, controller), extra...))
	n.wrap = func(cmd *exec.Cmd) error { return l.Wrap(member, cmd) }
	n.Start()
	return n
}
