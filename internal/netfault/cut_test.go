package netfault

import (
	"net"
	"testing"
	"time"
)

// TestCutAndHeal: connected; a cut stops new connections and the data of an
// established one; a heal lets both through again, the held data included.
func TestCutAndHeal(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	accepted := listen(t, l, "b")
	client, server := connect(t, l, "a", "b", accepted)
	send(t, client, "before")
	receive(t, server, "before", waitTimeout)

	must(t, l.Cut("a", "b"))
	if _, err := dial(t, l, "a", "b", time.Second); err == nil {
		t.Fatal("a new connection from a to b succeeded across the cut")
	}
	before := dropped(t, l, "a", "b")
	send(t, client, "during")
	waitDropped(t, l, "a", "b", before)
	nothingArrived(t, server)
	// The other way is cut too.
	before = dropped(t, l, "b", "a")
	send(t, server, "back")
	waitDropped(t, l, "b", "a", before)
	nothingArrived(t, client)

	must(t, l.Heal("a", "b"))
	// TCP retransmits what the cut dropped.
	receive(t, server, "during", waitTimeout)
	receive(t, client, "back", waitTimeout)
	connect(t, l, "a", "b", accepted)
}

// TestCutOneWay: with a→b cut, b's data still reaches a on an established connection
// and a's does not reach b; no new connection starts either way, and b's SYN does reach
// a, whose answer is what gets dropped.
func TestCutOneWay(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	toB := listen(t, l, "b")
	toA := listen(t, l, "a")
	client, server := connect(t, l, "a", "b", toB)

	must(t, l.CutOneWay("a", "b"))
	send(t, server, "b-to-a")
	receive(t, client, "b-to-a", waitTimeout)
	if n := dropped(t, l, "b", "a"); n != 0 {
		t.Fatalf("%d packets from b to a dropped by a one-way cut from a to b", n)
	}
	before := dropped(t, l, "a", "b")
	send(t, client, "a-to-b")
	before = waitDropped(t, l, "a", "b", before)
	nothingArrived(t, server)

	if _, err := dial(t, l, "a", "b", time.Second); err == nil {
		t.Fatal("a connection from a to b started across a one-way cut from a to b")
	}
	before = dropped(t, l, "a", "b")
	if _, err := dial(t, l, "b", "a", time.Second); err == nil {
		t.Fatal("a connection from b to a started across a one-way cut from a to b")
	}
	// b's SYN arrived: a answered, and its SYN-ACK was dropped.
	waitDropped(t, l, "a", "b", before)

	must(t, l.Heal("a", "b"))
	receive(t, server, "a-to-b", waitTimeout)
	connect(t, l, "b", "a", toA)
}

// TestIsolateAndRoleCuts: each role cut stops the connections to the members of that
// role and leaves the rest connected; Isolate cuts a member from everyone, the clients
// included.
func TestIsolateAndRoleCuts(t *testing.T) {
	l := ForTest(t,
		Member{Name: "zk", Roles: ZooKeeper},
		Member{Name: "ctl", Roles: Controller},
		Member{Name: "broker", Roles: Broker},
	)
	accepted := map[string]<-chan net.Conn{"zk": listen(t, l, "zk"), "ctl": listen(t, l, "ctl"), "broker": listen(t, l, "broker")}
	type pair struct{ from, to string }
	for _, tc := range []struct {
		name      string
		cut       func() error
		cutOff    []pair
		connected []pair
	}{
		{"CutFromZooKeeper", func() error { return l.CutFromZooKeeper("broker") },
			[]pair{{"broker", "zk"}}, []pair{{"broker", "ctl"}, {ClientsName, "broker"}}},
		{"CutFromControllers", func() error { return l.CutFromControllers("broker") },
			[]pair{{"broker", "ctl"}}, []pair{{"broker", "zk"}, {ClientsName, "broker"}}},
		{"CutFromClients", func() error { return l.CutFromClients("broker") },
			[]pair{{ClientsName, "broker"}}, []pair{{"broker", "zk"}, {ClientsName, "ctl"}}},
		{"Isolate", func() error { return l.Isolate("broker") },
			[]pair{{"zk", "broker"}, {"ctl", "broker"}, {ClientsName, "broker"}}, []pair{{ClientsName, "zk"}}},
	} {
		must(t, tc.cut())
		for _, p := range tc.cutOff {
			if _, err := dial(t, l, p.from, p.to, time.Second); err == nil {
				t.Fatalf("%s: %s reached %s", tc.name, p.from, p.to)
			}
		}
		for _, p := range tc.connected {
			connect(t, l, p.from, p.to, accepted[p.to])
		}
		must(t, l.HealAll())
		connect(t, l, ClientsName, "broker", accepted["broker"])
	}
}
