package netfault

import (
	"fmt"
	"regexp"
	"strings"
)

// Role is what a member is to the cluster, so that a fault can name a kind of peer
// ("cut this broker from ZooKeeper") instead of every peer by name. A combined KRaft
// node has two roles.
type Role uint8

// The roles. Clients is the clients member's alone.
const (
	Broker Role = 1 << iota
	Controller
	ZooKeeper
	Clients
)

// roleNames spell the roles as the command line and the state file do.
var roleNames = []struct {
	role Role
	name string
}{
	{Broker, "broker"},
	{Controller, "controller"},
	{ZooKeeper, "zookeeper"},
	{Clients, "clients"},
}

// String spells the roles joined by "+", e.g. "broker+controller".
func (r Role) String() string {
	var names []string
	for _, rn := range roleNames {
		if r&rn.role != 0 {
			names = append(names, rn.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// ParseRole reads what String writes, so the command line can take roles.
func ParseRole(s string) (Role, error) {
	var r Role
	for _, part := range strings.Split(s, "+") {
		found := false
		for _, rn := range roleNames {
			if part == rn.name {
				r |= rn.role
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown role %q: want broker, controller, zookeeper or clients, joined by +", part)
		}
	}
	return r, nil
}

// ClientsName is the name of the member that stands for every client: the root
// namespace, where a test's own code and the kbridge commands it runs live.
const ClientsName = "clients"

// hubName is the suffix of the hub's namespace, so no member may be called so.
const hubName = "hub"

// Member is one host of a layout, as New is asked for it.
type Member struct {
	// Name is the member's name in every call and in its namespace's name: a lower-case
	// letter, then letters and digits.
	Name string
	// Roles say which role cuts reach the member.
	Roles Role
}

// memberName keeps names usable in namespace names and in rule comments.
var memberName = regexp.MustCompile(`^[a-z][a-z0-9]{0,19}$`)

// checkMembers refuses names that are malformed, repeated or reserved, roles a member
// may not have, and more members than the subnet has addresses for.
func checkMembers(members []Member) error {
	seen := map[string]bool{}
	for _, m := range members {
		switch {
		case !memberName.MatchString(m.Name):
			return fmt.Errorf("member name %q: want a lower-case letter, then up to 19 letters and digits", m.Name)
		case m.Name == ClientsName || m.Name == hubName:
			return fmt.Errorf("member name %q is reserved", m.Name)
		case seen[m.Name]:
			return fmt.Errorf("member %q named twice", m.Name)
		case m.Roles&Clients != 0:
			return fmt.Errorf("member %q: the clients role belongs to the clients member alone", m.Name)
		}
		seen[m.Name] = true
	}
	if len(members) > maxMembers {
		return fmt.Errorf("%d members: a layout has room for %d", len(members), maxMembers)
	}
	return nil
}
