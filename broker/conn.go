package broker

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// clientConn is one client connection. Kafka processes a connection's requests one at a
// time and answers in order; so do we, which keeps responses ordered without a queue.
type clientConn struct {
	b        *Broker
	conn     net.Conn
	listener string
	r        *bufio.Reader
	w        *bufio.Writer
	log      *slog.Logger
	out      []byte
	in       []byte // request buffer, reused: handlers do not keep request bytes
	fetchBuf []byte // record data of one fetch response, reused across fetches
}

// maxReusedBuffer bounds what an idle connection keeps allocated.
const maxReusedBuffer = 4 << 20

// requestBuffer returns a buffer for one request frame, reusing the connection's when
// it is large enough; zeroing a fresh buffer per request costs more than the parse.
func (c *clientConn) requestBuffer(size int) []byte {
	if size <= cap(c.in) {
		return c.in[:size]
	}
	buf := make([]byte, size)
	if size <= maxReusedBuffer {
		c.in = buf
	}
	return buf
}

// requestHeader is Kafka's request header (v1, or v2 with tagged fields).
type requestHeader struct {
	key           int16
	version       int16
	correlationID int32
	clientID      string
}

// errCloseConnection tells the read loop to drop this one connection, as Kafka does for
// requests it cannot even parse.
var errCloseConnection = errors.New("close connection")

func newClientConn(b *Broker, conn net.Conn, listener string) *clientConn {
	return &clientConn{
		b:        b,
		conn:     conn,
		listener: listener,
		r:        bufio.NewReaderSize(conn, 64<<10),
		w:        bufio.NewWriterSize(conn, 64<<10),
		log:      b.log.With("remote", conn.RemoteAddr().String(), "listener", listener),
	}
}

func (c *clientConn) serve() {
	defer c.conn.Close()
	var sizeBuf [4]byte
	maxSize := c.b.cfg.SocketRequestMaxBytes
	for {
		if _, err := io.ReadFull(c.r, sizeBuf[:]); err != nil {
			if !errors.Is(err, io.EOF) && !c.b.isClosed() {
				c.log.Debug("connection read ended", "err", err)
			}
			return
		}
		size := int32(binary.BigEndian.Uint32(sizeBuf[:]))
		if size < 8 || int64(size) > int64(maxSize) {
			c.log.Warn("closing connection: request size out of range",
				"size", size, "socket.request.max.bytes", maxSize)
			return
		}
		buf := c.requestBuffer(int(size))
		if _, err := io.ReadFull(c.r, buf); err != nil {
			c.log.Debug("connection closed mid-request", "err", err)
			return
		}
		if err := c.handle(buf); err != nil {
			c.log.Warn("closing connection", "err", err)
			return
		}
		if c.r.Buffered() == 0 {
			if err := c.w.Flush(); err != nil {
				c.log.Debug("write failed", "err", err)
				return
			}
		}
	}
}

// handle parses one request frame, runs its handler and buffers the response.
func (c *clientConn) handle(frame []byte) error {
	hdr, kreq, body, err := parseHeader(frame)
	if err != nil {
		return err
	}
	h := lookupHandler(hdr.key)
	if h == nil {
		return fmt.Errorf("unknown api key %d from client %q", hdr.key, hdr.clientID)
	}
	if hdr.version < h.min || hdr.version > h.max || hdr.version > kreq.MaxVersion() {
		if hdr.key == apiVersionsKey {
			return c.writeResponse(hdr, unsupportedApiVersions(hdr.version))
		}
		return fmt.Errorf("unsupported version %d of %s (we serve %d-%d) from client %q",
			hdr.version, kmsg.NameForKey(hdr.key), h.min, h.max, hdr.clientID)
	}
	kreq.SetVersion(hdr.version)
	if err := kreq.ReadFrom(body); err != nil {
		if hdr.key == apiVersionsKey {
			// KIP-511: a body we cannot read still gets an answer with the error.
			return c.writeResponse(hdr, invalidApiVersions(hdr.version))
		}
		return fmt.Errorf("malformed %s v%d from client %q: %w", kmsg.NameForKey(hdr.key), hdr.version, hdr.clientID, err)
	}
	resp, err := h.fn(c.b, c, &hdr, kreq)
	if err != nil {
		return fmt.Errorf("%s v%d: %w", kmsg.NameForKey(hdr.key), hdr.version, err)
	}
	if resp == nil {
		return nil // acks=0 produce: Kafka sends nothing back
	}
	resp.SetVersion(hdr.version)
	return c.writeResponse(hdr, resp)
}

// parseHeader decodes the request header; the header's flexibility depends on the API
// and version, so the request type is needed before the header can be read to its end.
func parseHeader(frame []byte) (requestHeader, kmsg.Request, []byte, error) {
	var hdr requestHeader
	r := kbin.Reader{Src: frame}
	hdr.key = r.Int16()
	hdr.version = r.Int16()
	hdr.correlationID = r.Int32()
	if id := r.NullableString(); id != nil {
		hdr.clientID = *id
	}
	if !r.Ok() {
		return hdr, nil, nil, fmt.Errorf("malformed request header")
	}
	kreq := kmsg.RequestForKey(hdr.key)
	if kreq == nil {
		return hdr, nil, nil, fmt.Errorf("unknown api key %d from client %q", hdr.key, hdr.clientID)
	}
	kreq.SetVersion(hdr.version)
	if kreq.IsFlexible() {
		skipTags(&r)
		if !r.Ok() && hdr.key == apiVersionsKey && hdr.version > kreq.MaxVersion() {
			// KIP-511: a client from the future still gets the version list.
			return hdr, kreq, nil, nil
		}
		if !r.Ok() {
			return hdr, nil, nil, fmt.Errorf("malformed tagged fields in %s request header", kmsg.NameForKey(hdr.key))
		}
	}
	return hdr, kreq, r.Src, nil
}

func skipTags(r *kbin.Reader) {
	for n := r.Uvarint(); n > 0 && r.Ok(); n-- {
		r.Uvarint()
		r.Span(int(r.Uvarint()))
	}
}

// writeResponse frames a response: size, correlation id, and the empty tagged-field
// section of response header v1, except for ApiVersions which always uses header v0
// so that a client can read it whatever version it asked for.
func (c *clientConn) writeResponse(hdr requestHeader, resp kmsg.Response) error {
	out := c.out[:0]
	out = append(out, 0, 0, 0, 0)
	out = kbin.AppendInt32(out, hdr.correlationID)
	if resp.IsFlexible() && hdr.key != apiVersionsKey {
		out = append(out, 0)
	}
	out = resp.AppendTo(out)
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	c.out = out
	if cap(c.out) > maxFetchBuffer {
		c.out = nil // beyond what fetch data may need: do not pin it to the connection
	}
	if _, err := c.w.Write(out); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
