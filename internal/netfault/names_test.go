package netfault

import (
	"net/netip"
	"testing"
)

// TestPrefixOf: sweeps find a layout's prefix in its names and nothing in others'.
func TestPrefixOf(t *testing.T) {
	for name, want := range map[string]string{
		"nf123s4-hub":     "nf123s4",
		"nf123s4-broker1": "nf123s4",
		"nf123s4-c":       "nf123s4",
		"nfdemo-zk":       "nfdemo",
		"eth0":            "",
		"nf123s4":         "",
		"nf123s4-":        "",
		"NF1-a":           "",
		"cni-1234-a":      "",
	} {
		got, ok := prefixOf(name)
		if (want != "") != ok || (ok && got != want) {
			t.Errorf("prefixOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// TestRoles: roles spell and parse both ways, and unknown ones are refused.
func TestRoles(t *testing.T) {
	r, err := ParseRole("broker+controller")
	if err != nil || r != Broker|Controller || r.String() != "broker+controller" {
		t.Fatalf("ParseRole(broker+controller) = %v (%v), %v", r, uint8(r), err)
	}
	if _, err := ParseRole("leader"); err == nil {
		t.Fatal("ParseRole(leader) succeeded")
	}
}

// TestCheckMembers: names that could not be namespaces or comments, repeated or
// reserved names, and the clients' role are refused.
func TestCheckMembers(t *testing.T) {
	for _, bad := range [][]Member{
		{{Name: "Broker1"}},
		{{Name: "b-1"}},
		{{Name: "a"}, {Name: "a"}},
		{{Name: ClientsName}},
		{{Name: hubName}},
		{{Name: "a", Roles: Clients}},
	} {
		if err := checkMembers(bad); err == nil {
			t.Errorf("checkMembers(%v) succeeded", bad)
		}
	}
	if err := checkMembers([]Member{{Name: "broker1", Roles: Broker}, {Name: "zk", Roles: ZooKeeper}}); err != nil {
		t.Fatal(err)
	}
}

// TestAddresses: the clients get .1 and members follow; a subnet overlapping a route
// is taken.
func TestAddresses(t *testing.T) {
	subnet := netip.MustParsePrefix("10.101.7.0/24")
	if a := memberAddr(subnet, 0); a.String() != "10.101.7.1" {
		t.Fatalf("clients at %v", a)
	}
	if a := memberAddr(subnet, 3); a.String() != "10.101.7.4" {
		t.Fatalf("member 3 at %v", a)
	}
	taken := []netip.Prefix{netip.MustParsePrefix("10.101.0.0/16")}
	if !overlapsAny(subnet, taken) || overlapsAny(netip.MustParsePrefix("10.102.7.0/24"), taken) {
		t.Fatal("overlap misjudged")
	}
}
