package kclient

import (
	"net"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// securityOpts maps security.protocol and its TLS and SASL companions onto
// kgo options, as Kafka's Java client reads them: SSL and SASL_SSL dial with
// the ssl.* settings, SASL_PLAINTEXT and SASL_SSL authenticate with
// sasl.mechanism and sasl.jaas.config. Everything is read and checked here,
// before the first connection, so that a bad value fails the command naming
// its key and file rather than the first handshake.
func (c Conn) securityOpts(seeds []string, setupTimeout time.Duration) ([]kgo.Opt, error) {
	raw := c.Properties["security.protocol"]
	protocol := strings.ToUpper(strings.TrimSpace(raw))
	var opts []kgo.Opt
	switch protocol {
	case "", "PLAINTEXT":
		return []kgo.Opt{kgo.DialTimeout(setupTimeout)}, nil
	case "SSL", "SASL_SSL":
		d, err := c.newTLSDialer(seedHost(seeds[0]), setupTimeout)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.Dialer(d.DialContext))
	case "SASL_PLAINTEXT":
		opts = append(opts, kgo.DialTimeout(setupTimeout))
	default:
		// SecurityProtocol.forName upper-cases the name, so any case is Kafka's.
		return nil, c.propError("security.protocol", "unknown protocol %q (want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", raw)
	}
	if strings.HasPrefix(protocol, "SASL_") {
		m, err := c.saslMechanism()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// seedHost is the host of a bootstrap address, whose name the TLS settings
// are first checked against.
func seedHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
