package kraftmode

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/saslserver"
)

// RaftConnMagic is the first byte a Raft peer writes on a new connection to the
// controller listener. Kafka requests begin with a 4-byte big-endian size whose first
// byte is 0x00 for any request under 16 MiB, so the node's accept loop can tell the two
// apart by peeking one byte and share one port, as controller.listener.names expects.
const RaftConnMagic byte = 0xB7

// StreamLayer is the raft.StreamLayer for a controller listener that also carries Kafka
// requests. It owns no socket: the node's accept loop reads the magic byte and hands the
// connection over with HandOff, and Accept returns it to Raft's network transport.
type StreamLayer struct {
	addr    net.Addr
	opts    StreamOptions
	conns   chan net.Conn
	closed  chan struct{}
	closeMu sync.Once
}

// StreamOptions are the controller listener's security as Raft's connections use it.
type StreamOptions struct {
	// Client is how this node connects to the other voters' controller listeners (TLS
	// when the listener is mapped to SSL or SASL_SSL, and the SASL mechanism it
	// authenticates with); the zero value is plaintext TCP without SASL.
	Client kwire.Security
	// Mechanisms are those a SASL controller listener enables: a Raft connection then
	// authenticates right after its magic byte (authenticateStream) before Raft reads
	// it. nil on a listener without SASL.
	Mechanisms []saslserver.Mechanism
	// MaxRequestSize bounds a frame of that exchange (socket.request.max.bytes).
	MaxRequestSize int32
	// Authorize decides whether a peer that authenticated as principal from host may
	// speak Raft with this voter: with an authorizer, only a principal that may
	// ClusterAction on the cluster (a super user), as for the controller's other APIs
	// (server_authz.go). nil lets every authenticated peer in.
	Authorize func(principal, host string) bool
	// Logger receives refused connections; nil means slog.Default().
	Logger *slog.Logger
}

// NewStreamLayer returns a stream layer whose Addr is addr. Pass the address peers
// dial (the voter's host:port), because Raft reports it as this node's address.
func NewStreamLayer(addr net.Addr, opts StreamOptions) *StreamLayer {
	return &StreamLayer{
		addr:   addr,
		opts:   opts,
		conns:  make(chan net.Conn),
		closed: make(chan struct{}),
	}
}

// HandOff gives Raft a connection whose magic byte the caller has already consumed,
// once it has authenticated on a SASL listener (a connection that does not is closed)
// and its principal — the SASL one, else tlsPrincipal, the client certificate's on a
// TLS listener ("" on a plaintext one: User:ANONYMOUS) — may speak Raft (Authorize).
// A Raft stream cannot re-authenticate, so when its session has a lifetime
// (connections.max.reauth.ms) it is closed when the session expires, and the peer
// dials and authenticates anew. It blocks until Raft accepts it, so call it from the
// connection's own goroutine; after Close the connection is closed instead.
func (s *StreamLayer) HandOff(conn net.Conn, tlsPrincipal string) {
	log := cmp.Or(s.opts.Logger, slog.Default()).With("remote", conn.RemoteAddr().String())
	principal := cmp.Or(tlsPrincipal, "User:ANONYMOUS")
	if s.opts.Mechanisms != nil {
		saslPrincipal, expires, err := authenticateStream(conn, s.opts, log)
		if err != nil {
			log.Warn("refusing a Raft connection that did not authenticate", "err", err)
			_ = conn.Close()
			return
		}
		principal = saslPrincipal
		log.Debug("Raft connection authenticated", "principal", principal, "expires", expires)
		if !expires.IsZero() {
			time.AfterFunc(time.Until(expires), func() { _ = conn.Close() })
		}
	}
	if s.opts.Authorize != nil {
		host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
		if !s.opts.Authorize(principal, host) {
			log.Warn("refusing a Raft connection: its principal may not act on the cluster; controllers must authenticate as super users", "principal", principal)
			_ = conn.Close()
			return
		}
	}
	select {
	case s.conns <- conn:
	case <-s.closed:
		_ = conn.Close()
	}
}

// Accept waits for the next connection handed over by HandOff, as net.Listener does.
func (s *StreamLayer) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case <-s.closed:
		return nil, fmt.Errorf("accept raft connection on %s: %w", s.addr, net.ErrClosed)
	}
}

// Close stops Accept; the node's listener itself stays open for Kafka requests.
func (s *StreamLayer) Close() error {
	s.closeMu.Do(func() { close(s.closed) })
	return nil
}

// Addr is the address Raft advertises for this node.
func (s *StreamLayer) Addr() net.Addr { return s.addr }

// Dial connects to a peer's controller listener, with the listener's security, and
// announces a Raft connection.
func (s *StreamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	conn, err := s.opts.Client.Connect(ctx, string(address))
	if err != nil {
		return nil, fmt.Errorf("dial raft peer %s: %w", address, err)
	}
	if timeout > 0 {
		_ = conn.SetWriteDeadline(time.Now().Add(timeout))
	}
	if _, err := conn.Write([]byte{RaftConnMagic}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("announce raft connection to %s: %w", address, err)
	}
	if mech := s.opts.Client.SASL; mech != nil {
		if _, err := kwire.Authenticate(ctx, conn, mech); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("authenticate raft connection to %s: %w", address, err)
		}
	}
	if err := conn.SetWriteDeadline(time.Time{}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("clear write deadline to %s: %w", address, err)
	}
	return conn, nil
}

// errNoStream is returned by Start when it is given no stream layer.
var errNoStream = errors.New("kraftmode: nil stream layer")
