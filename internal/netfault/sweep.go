package netfault

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// netnsDir is where `ip netns add` mounts the namespaces it names.
const netnsDir = "/run/netns"

// Sweep removes every layout whose owner has died, and whatever carries a layout's
// prefix without a state file, and returns their prefixes. New calls it, so a killed
// test binary's layout lives only until the next one starts. Layouts of live
// processes and the command's own are left alone.
func Sweep() ([]string, error) {
	var removed []string
	err := withLock(func() error {
		prefixes, err := allPrefixes()
		if err != nil {
			return err
		}
		var errs []error
		for _, p := range prefixes {
			if st, err := readState(p); err == nil && st.ownerAlive() {
				continue
			}
			removed = append(removed, p)
			errs = append(errs, removePrefix(p))
		}
		return errors.Join(errs...)
	})
	return removed, err
}

// Remove removes one layout, whoever owns it: the command's `clean`.
func Remove(prefix string) error {
	if err := checkPrefix(prefix); err != nil {
		return fmt.Errorf("netfault: %w", err)
	}
	return withLock(func() error { return removePrefix(prefix) })
}

// Prefixes lists every layout on the machine: those with a state file and those whose
// names are all that is left.
func Prefixes() ([]string, error) {
	var out []string
	err := withLock(func() error {
		var err error
		out, err = allPrefixes()
		return err
	})
	return out, err
}

// Leftovers lists what carries a prefix: its namespaces, its link in the root
// namespace and its state file. After Close or Remove it is empty, which is what the
// tests assert; every rule lived in the hub namespace and went with it.
func Leftovers(prefix string) ([]string, error) {
	namespaces, links, err := namesOnMachine()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range append(namespaces, links...) {
		if p, ok := prefixOf(n); ok && p == prefix {
			out = append(out, n)
		}
	}
	if _, err := os.Stat(statePath(prefix)); err == nil {
		out = append(out, statePath(prefix))
	}
	return out, nil
}

// allPrefixes gathers the prefixes of state files, namespaces and root links.
func allPrefixes() ([]string, error) {
	prefixes, err := statePrefixes()
	if err != nil {
		return nil, err
	}
	namespaces, links, err := namesOnMachine()
	if err != nil {
		return nil, err
	}
	for _, n := range append(namespaces, links...) {
		if p, ok := prefixOf(n); ok {
			prefixes = append(prefixes, p)
		}
	}
	slices.Sort(prefixes)
	return slices.Compact(prefixes), nil
}

// namesOnMachine lists the named network namespaces and the root namespace's links.
func namesOnMachine() (namespaces, links []string, err error) {
	entries, err := os.ReadDir(netnsDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("list network namespaces: %w", err)
	}
	for _, e := range entries {
		namespaces = append(namespaces, e.Name())
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, nil, fmt.Errorf("list the root namespace's links: %w", err)
	}
	for _, i := range ifaces {
		links = append(links, i.Name)
	}
	return namespaces, links, nil
}

// removePrefix kills what runs in the prefix's namespaces, deletes the root link (and
// with it the pair's other end), the namespaces (the hub last, with its bridge and
// rules) and the state file. The caller holds the lock.
func removePrefix(prefix string) error {
	namespaces, links, err := namesOnMachine()
	if err != nil {
		return err
	}
	var errs []error
	if slices.Contains(links, clientsLink(prefix)) {
		if _, err := run(nil, "ip", "link", "del", clientsLink(prefix)); err != nil {
			errs = append(errs, err)
		}
	}
	hub := nsName(prefix, hubName)
	slices.SortFunc(namespaces, func(a, b string) int {
		// The hub goes last: members' links hang on its bridge.
		return boolInt(a == hub) - boolInt(b == hub)
	})
	for _, ns := range namespaces {
		if p, ok := prefixOf(ns); !ok || p != prefix {
			continue
		}
		errs = append(errs, killIn(ns))
		if _, err := run(nil, "ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(statePath(prefix)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("remove layout state: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove layout %s: %w", prefix, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// killIn sends SIGKILL to every process in a namespace of the layout (what a dead test
// started there, or what a test left running), never to this process, one of whose
// threads may be visiting the namespace.
func killIn(ns string) error {
	out, err := run(nil, "ip", "netns", "pids", ns)
	if err != nil {
		return err
	}
	for _, f := range strings.Fields(out) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("ip netns pids %s: %q is no pid", ns, f)
		}
		if pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill pid %d in %s: %w", pid, ns, err)
		}
	}
	return nil
}
