package kwire

import (
	"context"
	"net"

	"github.com/twmb/franz-go/pkg/sasl"
)

// Security is how a kbridge node reaches another node's listener: the connection it
// opens (TCP, or TLS for a listener mapped to SSL or SASL_SSL) and, on a SASL
// listener, the mechanism it authenticates with right after connecting. Every client
// of a secured listener takes one, so that the replica fetchers, the brokers' links to
// the controllers and the controllers' own links are secured the same way. The zero
// value is plaintext TCP without SASL.
type Security struct {
	// Dial opens the connection; nil is DialTCP.
	Dial Dialer
	// SASL is the mechanism the client authenticates with (franz-go's PLAIN or SCRAM
	// client); nil on a listener without SASL.
	SASL sasl.Mechanism
}

// Connect opens the connection to addr, TLS handshake included, before anything is
// said on it. Raft's streams use it directly: they announce themselves on the
// connection before they authenticate (Authenticate).
func (s Security) Connect(ctx context.Context, addr string) (net.Conn, error) {
	if s.Dial == nil {
		return DialTCP(ctx, addr)
	}
	return s.Dial(ctx, addr)
}

// Dialer is the Dialer of a Kafka client of the listener: it connects and, on a SASL
// listener, authenticates before the connection is used. A connection whose session
// has a lifetime (KIP-368) is replaced by Client before the session ends.
func (s Security) Dialer() Dialer {
	if s.SASL == nil {
		return s.Connect
	}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		nc, err := s.Connect(ctx, addr)
		if err != nil {
			return nil, err
		}
		lifetime, err := Authenticate(ctx, nc, s.SASL)
		if err != nil {
			nc.Close()
			return nil, err
		}
		return newSessionConn(nc, lifetime), nil
	}
}
