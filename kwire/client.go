package kwire

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// maxResponseSize bounds a response frame, so a corrupt size cannot allocate gigabytes.
const maxResponseSize = 256 << 20

// Conn is one connection to a Kafka listener. Requests go one at a time, each at the
// highest version both sides know, learned by ApiVersions when the connection opens.
type Conn struct {
	nc net.Conn
	// r reads nc: buffered for a Conn of its own, nc itself while a connection is
	// only authenticated (Authenticate), so nothing past the exchange is read.
	r        io.Reader
	clientID string
	corr     int32
	versions map[int16]int16
	buf      []byte
}

// Dialer opens the connection a Conn speaks Kafka over: TCP (DialTCP), or TLS for a
// listener mapped to SSL (TLSDialer).
type Dialer func(ctx context.Context, addr string) (net.Conn, error)

// DialTCP is the plaintext Dialer.
func DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// TLSDialer dials TCP and completes a TLS handshake before the first request, with the
// config configFor gives for the host dialed (a client verifies the name of the server
// it meant to reach, so the config depends on it).
func TLSDialer(configFor func(host string) (*tls.Config, error)) Dialer {
	return func(ctx context.Context, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		cfg, err := configFor(host)
		if err != nil {
			return nil, err
		}
		d := tls.Dialer{Config: cfg}
		return d.DialContext(ctx, "tcp", addr)
	}
}

// Dial connects to addr over TCP and exchanges ApiVersions.
func Dial(ctx context.Context, addr, clientID string) (*Conn, error) {
	return DialWith(ctx, addr, clientID, DialTCP)
}

// DialWith is Dial over the connection dial opens.
func DialWith(ctx context.Context, addr, clientID string, dial Dialer) (*Conn, error) {
	nc, err := dial(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c := &Conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), clientID: clientID}
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 3
	req.ClientSoftwareName = "kbridge"
	req.ClientSoftwareVersion = "1"
	resp, err := c.roundTrip(ctx, req)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("api versions from %s: %w", addr, err)
	}
	av := resp.(*kmsg.ApiVersionsResponse)
	if err := kerr.ErrorForCode(av.ErrorCode); err != nil {
		nc.Close()
		return nil, fmt.Errorf("api versions from %s: %w", addr, err)
	}
	c.versions = make(map[int16]int16, len(av.ApiKeys))
	for _, k := range av.ApiKeys {
		c.versions[k.ApiKey] = k.MaxVersion
	}
	return c, nil
}

// MaxVersion is the highest version of key that both we and the server know, or -1 when
// the server does not serve it.
func (c *Conn) MaxVersion(key int16) int16 {
	v, ok := c.versions[key]
	if !ok {
		return -1
	}
	if req := kmsg.RequestForKey(key); req != nil && req.MaxVersion() < v {
		return req.MaxVersion()
	}
	return v
}

// Request sends req at the highest common version and reads its response. Any error
// leaves the connection unusable; close it and dial again.
func (c *Conn) Request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	v := c.MaxVersion(req.Key())
	if v < 0 {
		return nil, fmt.Errorf("%s: %w", kmsg.NameForKey(req.Key()), kerr.UnsupportedVersion)
	}
	req.SetVersion(v)
	return c.roundTrip(ctx, req)
}

func (c *Conn) roundTrip(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(dl)
	} else {
		c.nc.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()

	c.corr++
	c.buf = AppendRequest(c.buf[:0], c.corr, c.clientID, req)
	if _, err := c.nc.Write(c.buf); err != nil {
		return nil, c.ioErr(ctx, "write", req, err)
	}
	var size [4]byte
	if _, err := io.ReadFull(c.r, size[:]); err != nil {
		return nil, c.ioErr(ctx, "read", req, err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 4 || n > maxResponseSize {
		return nil, fmt.Errorf("%s response size %d out of range", kmsg.NameForKey(req.Key()), n)
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(c.r, frame); err != nil {
		return nil, c.ioErr(ctx, "read", req, err)
	}
	r := kbin.Reader{Src: frame}
	if corr := r.Int32(); corr != c.corr {
		return nil, fmt.Errorf("%s response has correlation id %d, want %d", kmsg.NameForKey(req.Key()), corr, c.corr)
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	if resp.IsFlexible() && req.Key() != apiVersionsKey {
		skipTags(&r)
	}
	if err := resp.ReadFrom(r.Src); err != nil {
		return nil, fmt.Errorf("decode %s v%d response: %w", kmsg.NameForKey(req.Key()), req.GetVersion(), err)
	}
	return resp, nil
}

func (c *Conn) ioErr(ctx context.Context, op string, req kmsg.Request, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	return fmt.Errorf("%s %s to %s: %w", op, kmsg.NameForKey(req.Key()), c.nc.RemoteAddr(), err)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Client is a Conn that dials on first use and again after any failure, for callers
// that talk to one address for a long time (a follower to its leader, a broker to the
// active controller). Requests are serialized.
type Client struct {
	addr     string
	clientID string
	dial     Dialer

	mu   sync.Mutex
	conn *Conn
}

// NewClient returns a client for addr over TCP; nothing is dialed yet.
func NewClient(addr, clientID string) *Client { return NewClientWith(addr, clientID, DialTCP) }

// NewClientWith is NewClient over the connections dial opens.
func NewClientWith(addr, clientID string, dial Dialer) *Client {
	return &Client{addr: addr, clientID: clientID, dial: dial}
}

// Addr is the address this client talks to.
func (c *Client) Addr() string { return c.addr }

// Request sends req and returns its response, dialing first when needed, and again
// when the connection's SASL session is about to expire.
func (c *Client) Request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil && sessionEnding(c.conn.nc) {
		c.conn.Close()
		c.conn = nil
	}
	if c.conn == nil {
		conn, err := DialWith(ctx, c.addr, c.clientID, c.dial)
		if err != nil {
			return nil, err
		}
		c.conn = conn
	}
	resp, err := c.conn.Request(ctx, req)
	if err != nil && !errors.Is(err, kerr.UnsupportedVersion) {
		c.conn.Close()
		c.conn = nil
	}
	return resp, err
}

// Close closes the current connection, if any; a later Request dials again.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}
