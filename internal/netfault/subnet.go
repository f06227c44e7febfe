package netfault

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/netip"
)

// layoutRange is the range the layouts take their subnets from: 1,024 /24s.
var layoutRange = netip.MustParsePrefix("10.100.0.0/14")

// maxMembers is how many members fit a /24 beside the clients (.1), the network and
// the broadcast address.
const maxMembers = 252

// chooseSubnet picks a /24 of layoutRange that overlaps neither a route or address of
// the root namespace nor another layout's subnet; it starts at a place derived from
// the prefix so parallel layouts rarely even compare the same ones. The caller holds
// the state lock, which makes the choice and the state file that claims it one step.
func chooseSubnet(prefix string) (netip.Prefix, error) {
	taken, err := rootPrefixes()
	if err != nil {
		return netip.Prefix{}, err
	}
	others, err := statePrefixes()
	if err != nil {
		return netip.Prefix{}, err
	}
	for _, p := range others {
		if s, err := readState(p); err == nil {
			taken = append(taken, s.Subnet)
		}
	}
	h := fnv.New32a()
	h.Write([]byte(prefix))
	const subnets = 1 << (24 - 14)
	base := layoutRange.Addr().As4()
	for i := range uint32(subnets) {
		n := (h.Sum32() + i) % subnets
		a := base
		a[1] += byte(n >> 8)
		a[2] = byte(n)
		candidate := netip.PrefixFrom(netip.AddrFrom4(a), 24)
		if !overlapsAny(candidate, taken) {
			return candidate, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("every /24 of %s is in use by a route or another layout", layoutRange)
}

func overlapsAny(p netip.Prefix, taken []netip.Prefix) bool {
	for _, t := range taken {
		if t.IsValid() && p.Overlaps(t) {
			return true
		}
	}
	return false
}

// rootPrefixes are the IPv4 destinations of every route in the root namespace, in all
// tables (the local table holds every address), but the default route.
func rootPrefixes() ([]netip.Prefix, error) {
	out, err := run(nil, "ip", "-j", "-4", "route", "show", "table", "all")
	if err != nil {
		return nil, fmt.Errorf("list the root namespace's routes: %w", err)
	}
	var routes []struct {
		Dst string `json:"dst"`
	}
	if err := json.Unmarshal([]byte(out), &routes); err != nil {
		return nil, fmt.Errorf("decode the root namespace's routes: %w", err)
	}
	var prefixes []netip.Prefix
	for _, r := range routes {
		if p, err := netip.ParsePrefix(r.Dst); err == nil {
			prefixes = append(prefixes, p)
		} else if a, err := netip.ParseAddr(r.Dst); err == nil {
			prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return prefixes, nil
}

// memberAddr is the address of the member with the given index; 0 is the clients'.
func memberAddr(subnet netip.Prefix, index int) netip.Addr {
	a := subnet.Addr().As4()
	a[3] = byte(index + 1)
	return netip.AddrFrom4(a)
}
