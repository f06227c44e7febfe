package kwire

import (
	"context"
	"net"
)

// Security is how a kbridge node reaches another node's listener: the connection it
// opens (TCP, or TLS for a listener mapped to SSL). Every client of a secured
// listener takes one, so that the replica fetchers, the brokers' links to the
// controllers and the controllers' own links are secured the same way. The zero
// value is plaintext TCP.
type Security struct {
	// Dial opens the connection; nil is DialTCP.
	Dial Dialer
}

// Connect opens the connection to addr, TLS handshake included, before anything is
// said on it. Raft's streams use it directly: they announce themselves on the
// connection before any Kafka request.
func (s Security) Connect(ctx context.Context, addr string) (net.Conn, error) {
	if s.Dial == nil {
		return DialTCP(ctx, addr)
	}
	return s.Dial(ctx, addr)
}

// Dialer is the Dialer of a Kafka client of the listener.
func (s Security) Dialer() Dialer { return s.Connect }
