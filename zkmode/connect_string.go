package zkmode

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// defaultZooKeeperPort is what a server without a port gets, as in the Java client.
const defaultZooKeeperPort = "2181"

// ParseConnect splits Kafka's zookeeper.connect, "host1:2181,host2:2181/kafka", into
// host:port servers and an optional chroot, following the Java client's
// ConnectStringParser: everything from the first "/" is the chroot, a lone "/" means
// none, a server without a port gets 2181, and the chroot must be a valid ZooKeeper
// path. One thing is stricter: a "," inside the chroot is refused, because
// "h1:2181/kafka,h2:2181/kafka" is a common slip that Java would silently turn into
// the chroot "/kafka,h2:2181/kafka" on a single server.
func ParseConnect(s string) (servers []string, chroot string, err error) {
	hosts := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hosts, chroot = s[:i], s[i:]
	}
	if chroot == "/" {
		chroot = ""
	}
	if chroot != "" {
		if err := validateChroot(chroot); err != nil {
			return nil, "", fmt.Errorf("zookeeper.connect %q: chroot %q: %w", s, chroot, err)
		}
	}
	if strings.TrimSpace(hosts) == "" {
		return nil, "", fmt.Errorf("zookeeper.connect %q: no servers (want host:port[,host:port...][/chroot])", s)
	}
	for _, entry := range strings.Split(hosts, ",") {
		server, err := parseServer(strings.TrimSpace(entry))
		if err != nil {
			return nil, "", fmt.Errorf("zookeeper.connect %q: server %q: %w", s, entry, err)
		}
		servers = append(servers, server)
	}
	return servers, chroot, nil
}

// parseServer normalises one "host[:port]" entry to "host:port".
func parseServer(entry string) (string, error) {
	if entry == "" {
		return "", errors.New("empty (a stray comma?)")
	}
	host, port, err := net.SplitHostPort(entry)
	if err != nil {
		switch {
		case !strings.Contains(entry, ":"):
			host, port = entry, defaultZooKeeperPort
		case strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]"):
			host, port = entry[1:len(entry)-1], defaultZooKeeperPort
		case strings.Count(entry, ":") > 1 && !strings.HasPrefix(entry, "["):
			return "", errors.New("more than one \":\" (an IPv6 address needs brackets, as in [::1]:2181)")
		default:
			return "", err
		}
	}
	if host == "" {
		return "", errors.New("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return net.JoinHostPort(host, port), nil
}

// validateChroot applies ZooKeeper's PathUtils.validatePath to a chroot, so a bad
// one fails here with its reason rather than at the first request.
func validateChroot(p string) error {
	if !strings.HasPrefix(p, "/") {
		return errors.New("must start with /")
	}
	if strings.HasSuffix(p, "/") {
		return errors.New("must not end with /")
	}
	if strings.Contains(p, ",") {
		return errors.New(`contains ",": the chroot goes once, after the last server, as in host1:2181,host2:2181/kafka`)
	}
	for _, elem := range strings.Split(p[1:], "/") {
		switch elem {
		case "":
			return errors.New("has an empty element (//)")
		case ".", "..":
			return fmt.Errorf("has the relative element %q", elem)
		}
	}
	for _, r := range p {
		if invalidPathRune(r) {
			return fmt.Errorf("has the invalid character %U", r)
		}
	}
	return nil
}

// invalidPathRune is the character class ZooKeeper's PathUtils refuses: NUL, control
// characters, the surrogate and private-use ranges, and the specials block (which
// includes U+FFFD, what invalid UTF-8 decodes to).
func invalidPathRune(r rune) bool {
	return r <= 0x1f ||
		(r >= 0x7f && r <= 0x9f) ||
		(r >= 0xd800 && r <= 0xf8ff) ||
		(r >= 0xfff0 && r <= 0xffff)
}
