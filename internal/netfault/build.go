package netfault

import (
	"fmt"
	"os"
	"strings"
)

// bridgeName is the hub's bridge; the hub is the layout's own namespace, so the name
// needs no prefix.
const bridgeName = "br0"

// build makes the hub with its bridge and fault table, a namespace per member with its
// address, and the clients' link from the root namespace. Each step is one `ip -batch`
// per namespace, so a layout of six nodes costs a handful of processes.
func (l *Layout) build() error {
	hub := l.hub()
	prefixLen := l.st.Subnet.Bits()
	root := []string{"netns add " + hub}
	hubCmds := []string{
		"link set lo up",
		"link add " + bridgeName + " type bridge",
		"link set " + bridgeName + " up",
	}
	for _, m := range l.st.Members[1:] {
		ns := l.namespaceOf(m)
		port := portName(m.Index)
		root = append(root,
			"netns add "+ns,
			fmt.Sprintf("link add %s netns %s type veth peer name eth0 netns %s", port, hub, ns))
		hubCmds = append(hubCmds, "link set "+port+" master "+bridgeName, "link set "+port+" up")
	}
	c := l.st.Members[0]
	root = append(root, fmt.Sprintf("link add %s type veth peer name %s netns %s", clientsLink(l.st.Prefix), portName(0), hub))
	hubCmds = append(hubCmds, "link set "+portName(0)+" master "+bridgeName, "link set "+portName(0)+" up")
	if err := ipBatch("", root); err != nil {
		return err
	}
	// No IPv6 on the root end: it would get a link-local address and a route the root
	// namespace has no use for.
	if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+clientsLink(l.st.Prefix)+"/disable_ipv6", []byte("1"), 0o644); err != nil {
		return fmt.Errorf("disable IPv6 on %s: %w", clientsLink(l.st.Prefix), err)
	}
	if err := ipBatch("", []string{
		fmt.Sprintf("addr add %s/%d dev %s", c.Addr, prefixLen, clientsLink(l.st.Prefix)),
		"link set " + clientsLink(l.st.Prefix) + " up",
	}); err != nil {
		return err
	}
	if err := ipBatch(hub, hubCmds); err != nil {
		return err
	}
	for _, m := range l.st.Members[1:] {
		if err := ipBatch(l.namespaceOf(m), []string{
			"link set lo up",
			fmt.Sprintf("addr add %s/%d dev eth0", m.Addr, prefixLen),
			"link set eth0 up",
		}); err != nil {
			return err
		}
	}
	// Bridged IPv4 frames must pass the hub's iptables FORWARD chain, where the delay
	// queues sit; new namespaces have it on today, but that is a default, not a promise.
	if _, err := runIn(hub, nil, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1"); err != nil {
		return fmt.Errorf("let the hub's bridged traffic reach iptables: %w", err)
	}
	return l.createFaultTable()
}

// portName is the hub's end of a member's veth pair; 0 is the clients'.
func portName(index int) string { return fmt.Sprintf("p%d", index) }

// ipBatch runs ip commands, one per line, in a namespace ("" for the root one).
func ipBatch(ns string, cmds []string) error {
	args := []string{"-batch", "-"}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	if _, err := run(strings.NewReader(strings.Join(cmds, "\n")+"\n"), "ip", args...); err != nil {
		return fmt.Errorf("set up namespace %q: %w", ns, err)
	}
	return nil
}
