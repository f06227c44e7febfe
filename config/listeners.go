package config

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// parseListener parses NAME://host:port (host may be empty or a bracketed
// IPv6 address), upper-casing the name as Kafka's ListenerName.normalised.
func parseListener(s string) (Listener, error) {
	name, hostPort, ok := strings.Cut(s, "://")
	if !ok || name == "" {
		return Listener{}, fmt.Errorf("%q is not NAME://host:port", s)
	}
	host, port, err := splitHostPort(hostPort)
	if err != nil {
		return Listener{}, fmt.Errorf("%q is not NAME://host:port: %w", s, err)
	}
	return Listener{Name: strings.ToUpper(name), Host: host, Port: port}, nil
}

// parseListeners parses a listener list. distinctPorts is Kafka's rule for
// listeners (not advertised.listeners): no two share a port, except one IPv4
// and one IPv6 address (KIP-797).
func parseListeners(items []string, distinctPorts bool) ([]Listener, error) {
	var out []Listener
	for _, item := range items {
		l, err := parseListener(item)
		if err != nil {
			return nil, err
		}
		for _, prev := range out {
			if prev.Name == l.Name {
				return nil, fmt.Errorf("listener name %s is used twice; each listener must have a different name", l.Name)
			}
			if distinctPorts && prev.Port == l.Port && l.Port != 0 && !ipv4AndIPv6(prev.Host, l.Host) {
				return nil, fmt.Errorf("listeners %s and %s both use port %d; each listener must have a different port", prev.Name, l.Name, l.Port)
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// ipv4AndIPv6 reports one IPv4 and one IPv6 literal, the only pair of hosts
// Kafka lets share a port.
func ipv4AndIPv6(a, b string) bool {
	ipA, ipB := net.ParseIP(a), net.ParseIP(b)
	if ipA == nil || ipB == nil {
		return false
	}
	return (ipA.To4() == nil) != (ipB.To4() == nil)
}

// parseVoter parses id@host:port from controller.quorum.voters.
func parseVoter(s string) (QuorumVoter, error) {
	idText, hostPort, ok := strings.Cut(s, "@")
	id, err := strconv.ParseInt(idText, 10, 32)
	if !ok || err != nil || id < 0 {
		return QuorumVoter{}, fmt.Errorf("%q is not id@host:port", s)
	}
	host, port, err := splitHostPort(hostPort)
	if err != nil || host == "" {
		return QuorumVoter{}, fmt.Errorf("%q is not id@host:port", s)
	}
	return QuorumVoter{ID: int32(id), Host: host, Port: port}, nil
}

// parseVoters parses controller.quorum.voters, refusing a repeated id.
func parseVoters(items []string) ([]QuorumVoter, error) {
	var out []QuorumVoter
	for _, item := range items {
		v, err := parseVoter(item)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(prev QuorumVoter) bool { return prev.ID == v.ID }) {
			return nil, fmt.Errorf("voter id %d is listed twice", v.ID)
		}
		out = append(out, v)
	}
	return out, nil
}

// checkHostPorts checks controller.quorum.bootstrap.servers entries.
func checkHostPorts(items []string) error {
	for _, item := range items {
		host, _, err := splitHostPort(item)
		if err == nil && host == "" {
			err = fmt.Errorf("missing host")
		}
		if err != nil {
			return fmt.Errorf("%q is not host:port: %w", item, err)
		}
	}
	return nil
}

// splitHostPort splits host:port with a port in 0..65535.
func splitHostPort(s string) (string, int, error) {
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("port %q is not in 0..65535", portText)
	}
	return host, int(port), nil
}

// parseProtocolMap parses listener.security.protocol.map (NAME:PROTOCOL,...),
// upper-casing both sides as Kafka does.
func parseProtocolMap(items []string) (map[string]string, error) {
	out := make(map[string]string, len(items))
	for _, item := range items {
		name, protocol, ok := strings.Cut(item, ":")
		name, protocol = strings.ToUpper(strings.TrimSpace(name)), strings.ToUpper(strings.TrimSpace(protocol))
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not NAME:PROTOCOL", item)
		}
		if !slices.Contains(securityProtocols, protocol) {
			return nil, fmt.Errorf("%q: unknown security protocol %q (want one of %s)", item, protocol, strings.Join(securityProtocols, ", "))
		}
		out[name] = protocol
	}
	return out, nil
}
