package broker

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// clientConn is one client connection. Its requests are handled one at a time and
// answered in order, as Kafka does; only an answer that waits for replication is
// completed beside the read loop (answers.go).
type clientConn struct {
	b         *Broker
	conn      net.Conn
	listener  string
	r         *bufio.Reader
	w         *bufio.Writer
	log       *slog.Logger
	out       []byte
	in        []byte       // request buffer, reused: handlers do not keep request bytes
	fetchBuf  []byte       // record data of one fetch response, reused across fetches
	fetchBufs fetchBuffers // reused by its fetches without a session
	queue     *answerQueue // started by the first pending answer
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

// requestHeader is Kafka's request header, as kwire parses it.
type requestHeader = kwire.Header

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
	defer c.closeQueue()
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
	}
}

// handle parses one request frame, runs its handler and answers.
func (c *clientConn) handle(frame []byte) error {
	hdr, kreq, body, err := kwire.ParseRequest(frame)
	if err != nil {
		return err
	}
	h := lookupHandler(hdr.Key)
	if h == nil {
		return fmt.Errorf("unknown api key %d from client %q", hdr.Key, hdr.ClientID)
	}
	if hdr.Version < h.min || hdr.Version > h.max || hdr.Version > kreq.MaxVersion() {
		if hdr.Key == apiVersionsKey {
			return c.answer(hdr, unsupportedApiVersions(hdr.Version))
		}
		return fmt.Errorf("unsupported version %d of %s (we serve %d-%d) from client %q",
			hdr.Version, kmsg.NameForKey(hdr.Key), h.min, h.max, hdr.ClientID)
	}
	kreq.SetVersion(hdr.Version)
	if err := kreq.ReadFrom(body); err != nil {
		if hdr.Key == apiVersionsKey {
			// KIP-511: a body we cannot read still gets an answer with the error.
			return c.answer(hdr, invalidApiVersions(hdr.Version))
		}
		return fmt.Errorf("malformed %s v%d from client %q: %w", kmsg.NameForKey(hdr.Key), hdr.Version, hdr.ClientID, err)
	}
	resp, err := h.fn(c.b, c, &hdr, kreq)
	if err != nil {
		return fmt.Errorf("%s v%d: %w", kmsg.NameForKey(hdr.Key), hdr.Version, err)
	}
	if resp == nil {
		return nil // acks=0 produce: Kafka sends nothing back
	}
	resp.SetVersion(hdr.Version)
	return c.answer(hdr, resp)
}

// writeResponse frames a response: size, correlation id, and the empty tagged-field
// section of response header v1, except for ApiVersions which always uses header v0
// so that a client can read it whatever version it asked for.
func (c *clientConn) writeResponse(hdr requestHeader, resp kmsg.Response) error {
	out := kwire.AppendResponse(c.out[:0], hdr, resp)
	c.out = out
	if cap(c.out) > maxFetchBuffer {
		c.out = nil // beyond what fetch data may need: do not pin it to the connection
	}
	return c.writeFrame(out)
}
