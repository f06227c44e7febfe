package e2e

import (
	"fmt"
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
	dir := t.TempDir()
	broker, controller := nodeAddr(t, l, member, 9092), nodeAddr(t, l, member, 9093)
	n := newFormatted(t, dir, broker, append(singleNodeProps(dir, "PLAINTEXT", broker, controller), extra...))
	placeIn(n, l, member)
	n.Start()
	return n
}

// faultTestParallel runs a network-fault test in parallel with the others. They spend
// most of their time waiting out session timeouts and fault spans, so two at a time (go
// test's -parallel is GOMAXPROCS) keep make test within its budget on two cores; the
// rest of the package, run first, is timed alone.
func faultTestParallel(t *testing.T) { t.Parallel() }

// The members the cluster harnesses put their nodes in: KRaft controllers c1.., KRaft
// brokers b101.., ZooKeeper-mode brokers b1.., migration controllers m3000.., and the
// ZooKeeper server zk.
func controllerMember(id int) string { return fmt.Sprintf("c%d", id) }
func brokerMember(id int) string     { return fmt.Sprintf("b%d", id) }
func migrationMember(id int) string  { return fmt.Sprintf("m%d", id) }

const zkMember = "zk"

// kraftLayout is a layout for StartClusterWith's nodes: controllers 1..nControllers and
// brokers 101.. as ClusterSpec.Network places them.
func kraftLayout(t testing.TB, nControllers, nBrokers int) *netfault.Layout {
	t.Helper()
	var ms []netfault.Member
	for i := range nControllers {
		ms = append(ms, netfault.Member{Name: controllerMember(i + 1), Roles: netfault.Controller})
	}
	for i := range nBrokers {
		ms = append(ms, netfault.Member{Name: brokerMember(101 + i), Roles: netfault.Broker})
	}
	return netfault.ForTest(t, ms...)
}

// zkLayout is a layout for a ZooKeeper-mode cluster of nBrokers (ids 1..) and, for a
// migration, nControllers migration controllers (ids 3000..), with ZooKeeper.
func zkLayout(t testing.TB, nBrokers, nControllers int) *netfault.Layout {
	t.Helper()
	ms := []netfault.Member{{Name: zkMember, Roles: netfault.ZooKeeper}}
	for i := range nBrokers {
		ms = append(ms, netfault.Member{Name: brokerMember(i + 1), Roles: netfault.Broker})
	}
	for i := range nControllers {
		ms = append(ms, netfault.Member{Name: migrationMember(3000 + i), Roles: netfault.Controller})
	}
	return netfault.ForTest(t, ms...)
}

// nodeAddr is where a node listens: a free loopback port without a layout, the
// member's own address and the given port with one.
func nodeAddr(t testing.TB, l *netfault.Layout, member string, port int) string {
	t.Helper()
	if l == nil {
		return fmt.Sprintf("127.0.0.1:%d", freePort(t))
	}
	addr, err := l.Addr(member)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort(addr.String(), fmt.Sprint(port))
}

// placeIn makes a node start in a member's namespace; without a layout it stays on
// loopback.
func placeIn(n *Node, l *netfault.Layout, member string) {
	if l == nil {
		return
	}
	n.Member = member
	n.wrap = func(cmd *exec.Cmd) error { return l.Wrap(member, cmd) }
}
