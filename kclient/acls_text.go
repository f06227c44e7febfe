package kclient

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// writeResourceACLs prints one resource's ACLs as AclCommand does,
// "<title> `<resource>`: " and a line per entry, byte for byte (the stray
// spaces around the list are Kafka's), so that scripts reading
// kafka-acls.sh's output read this too.
func writeResourceACLs(w io.Writer, title string, r aclResource, entries []aclEntry) {
	fmt.Fprintf(w, "%s `%s`: \n %s \n\n", title, r, tabbedEntries(entries))
}

// tabbedEntries is AclCommand's acls.map("\t" + _).mkString(Newline).
func tabbedEntries(entries []aclEntry) string {
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = "\t" + e.String()
	}
	return strings.Join(lines, "\n")
}

// confirmRemoval is AclCommand.confirmAction for one filter: true with
// --force, else Kafka's question on out and "y" (any case) on in; anything
// else, end of input included, keeps the ACLs.
func confirmRemoval(in *bufio.Reader, out io.Writer, force bool, ra resourceACLs) bool {
	if force {
		return true
	}
	if len(ra.entries) == 0 {
		fmt.Fprintf(out, "Are you sure you want to delete all ACLs for resource filter `%s`? (y/n)\n", ra.resource)
	} else {
		fmt.Fprintf(out, "Are you sure you want to remove ACLs: \n %s \n from resource filter `%s`? (y/n)\n", tabbedEntries(ra.entries), ra.resource)
	}
	answer, _ := in.ReadString('\n')
	return strings.EqualFold(strings.TrimRight(answer, "\r\n"), "y")
}
