package netfault

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
)

// Layout is one test's network: a namespace per member on a bridge of its own, the
// clients in the root namespace, and the faults in force between them.
type Layout struct {
	st *state
	// made says this process built the layout, so Close removes it.
	made bool

	mu     sync.Mutex
	delays map[link]*delayer
	closed bool
}

// link is one direction between two members, by index.
type link struct{ from, to int }

// New builds a layout owned by this process: it sweeps what dead runs left behind,
// picks a free subnet and makes a namespace for each member. The caller must Close it;
// a test uses ForTest, which does. It fails, saying what is missing, where namespaces
// cannot be made: not root, or no ip, nft or iptables-nft.
func New(members ...Member) (*Layout, error) {
	pid := os.Getpid()
	started, ok := startTime(pid)
	if !ok {
		return nil, fmt.Errorf("netfault: read this process's start time from /proc/%d/stat", pid)
	}
	prefix, err := ownPrefix(pid)
	if err != nil {
		return nil, fmt.Errorf("netfault: %w", err)
	}
	if err := preflight(members); err != nil {
		return nil, err
	}
	if _, err := Sweep(); err != nil {
		return nil, fmt.Errorf("netfault: sweep stale layouts: %w", err)
	}
	return create(&state{Prefix: prefix, Owner: pid, OwnerStart: started}, members)
}

// NewNamed builds a layout with a prefix of the caller's choosing, for the netfault
// command. With owner 0 no process owns it: it stays until Remove (`netfault clean`)
// takes it away, and no sweep touches it. With an owner's pid it is swept like a test's
// once that process has died.
func NewNamed(prefix string, owner int, members ...Member) (*Layout, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("netfault: %w", err)
	}
	if err := preflight(members); err != nil {
		return nil, err
	}
	st := &state{Prefix: prefix, Owner: owner}
	if owner != 0 {
		started, ok := startTime(owner)
		if !ok {
			return nil, fmt.Errorf("netfault: owner %d: no such process", owner)
		}
		st.OwnerStart = started
	}
	return create(st, members)
}

// Open acts on a layout another process made (the command's own, or a running test's,
// to break its network by hand). Closing what Open returns stops the delays this
// process added and removes nothing else.
func Open(prefix string) (*Layout, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("netfault: %w", err)
	}
	st, err := readState(prefix)
	if err != nil {
		return nil, fmt.Errorf("netfault: %w", err)
	}
	return &Layout{st: st, delays: map[link]*delayer{}}, nil
}

// preflight says why namespaces cannot be made here, before anything is made.
func preflight(members []Member) error { return preflightAs(os.Geteuid(), members) }

// preflightAs is preflight for a given effective uid.
func preflightAs(euid int, members []Member) error {
	if euid != 0 {
		return fmt.Errorf("netfault: creating network namespaces, veth pairs and nftables rules needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); this process runs as uid %d", euid)
	}
	if err := checkTools(); err != nil {
		return fmt.Errorf("netfault: %w", err)
	}
	if err := checkMembers(members); err != nil {
		return fmt.Errorf("netfault: %w", err)
	}
	return nil
}

// create claims a subnet and the prefix in the state file, under the lock, and then
// builds the namespaces; whatever fails is undone.
func create(st *state, members []Member) (*Layout, error) {
	err := withLock(func() error {
		subnet, err := chooseSubnet(st.Prefix)
		if err != nil {
			return err
		}
		st.Subnet = subnet
		st.Members = []memberState{{Name: ClientsName, Roles: Clients, Addr: memberAddr(subnet, 0)}}
		for i, m := range members {
			st.Members = append(st.Members, memberState{Name: m.Name, Roles: m.Roles, Addr: memberAddr(subnet, i+1), Index: i + 1})
		}
		return writeState(st)
	})
	if err != nil {
		return nil, fmt.Errorf("netfault: %w", err)
	}
	l := &Layout{st: st, made: true, delays: map[link]*delayer{}}
	if err := l.build(); err != nil {
		return nil, errors.Join(fmt.Errorf("netfault: build layout %s: %w", st.Prefix, err), l.Close())
	}
	return l, nil
}

// Prefix is the layout's prefix, which every name it made starts with.
func (l *Layout) Prefix() string { return l.st.Prefix }

// Owner is the pid of the process whose layout it is, 0 for one the command made.
func (l *Layout) Owner() int { return l.st.Owner }

// Subnet is the /24 the layout's addresses come from.
func (l *Layout) Subnet() netip.Prefix { return l.st.Subnet }

// Members lists the members, the clients first, with the roles they were given.
func (l *Layout) Members() []Member {
	out := make([]Member, len(l.st.Members))
	for i, m := range l.st.Members {
		out[i] = Member{Name: m.Name, Roles: m.Roles}
	}
	return out
}

// Addr is a member's address; the clients' is the root namespace's end of their link,
// the source address of every connection a test makes to a node.
func (l *Layout) Addr(name string) (netip.Addr, error) {
	m, err := l.member(name)
	if err != nil {
		return netip.Addr{}, err
	}
	return m.Addr, nil
}

// Namespace is the name of a member's network namespace, as `ip netns` knows it; ""
// for the clients, who are the root namespace.
func (l *Layout) Namespace(name string) (string, error) {
	m, err := l.member(name)
	if err != nil {
		return "", err
	}
	return l.namespaceOf(m), nil
}

func (l *Layout) namespaceOf(m memberState) string {
	if m.Index == 0 {
		return ""
	}
	return nsName(l.st.Prefix, m.Name)
}

func (l *Layout) hub() string { return nsName(l.st.Prefix, hubName) }

func (l *Layout) member(name string) (memberState, error) {
	for _, m := range l.st.Members {
		if m.Name == name {
			return m, nil
		}
	}
	return memberState{}, fmt.Errorf("netfault: layout %s has no member %q", l.st.Prefix, name)
}

// Close stops this process's delays and, for a layout it made, removes every
// namespace, link and rule of the layout, killing whatever still runs inside, and its
// state file. Closing twice does nothing.
func (l *Layout) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	delays := l.delays
	l.delays = nil
	l.mu.Unlock()
	for _, d := range delays {
		d.stop()
	}
	if !l.made {
		return nil
	}
	return withLock(func() error { return removePrefix(l.st.Prefix) })
}
