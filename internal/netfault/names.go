package netfault

import (
	"fmt"
	"regexp"
	"sync/atomic"
)

// maxPrefix keeps "<prefix>-c", the one name in the root namespace's device table,
// within the kernel's 15 bytes.
const maxPrefix = 13

// prefixPattern is every prefix a layout may have; sweeps touch nothing else.
var prefixPattern = regexp.MustCompile(`^nf[a-z0-9]{1,11}$`)

// layoutSeq numbers the layouts of this process, so that parallel tests of one test
// binary get prefixes of their own.
var layoutSeq atomic.Uint32

// ownPrefix is the prefix of a new layout of this process.
func ownPrefix(pid int) (string, error) {
	p := fmt.Sprintf("nf%ds%d", pid, layoutSeq.Add(1))
	if len(p) > maxPrefix {
		return "", fmt.Errorf("prefix %s is longer than %d bytes: too many layouts in one process", p, maxPrefix)
	}
	return p, nil
}

// checkPrefix refuses a prefix that is not of the layouts' own form, so that a typo on
// the command line cannot reach anybody else's namespaces.
func checkPrefix(prefix string) error {
	if !prefixPattern.MatchString(prefix) {
		return fmt.Errorf("prefix %q: want nf followed by 1 to 11 lower-case letters and digits", prefix)
	}
	return nil
}

// nsName is the namespace of a member, or the hub's for hubName.
func nsName(prefix, member string) string { return prefix + "-" + member }

// clientsLink is the root end of the clients' veth pair.
func clientsLink(prefix string) string { return prefix + "-c" }

// prefixOf returns the prefix of a namespace or root link that a layout made, and false
// for any other name.
func prefixOf(name string) (string, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] == '-' {
			return name[:i], prefixPattern.MatchString(name[:i]) && i+1 < len(name)
		}
	}
	return "", false
}
