package broker

import (
	"bufio"
	"errors"
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
	w         *bufio.Writer
	log       *slog.Logger
	out       []byte
	fetchBuf  []byte       // record data of one fetch response, reused across fetches
	fetchBufs fetchBuffers // reused by its fetches without a session
	// sasl is the authentication of a SASL listener's connection, nil elsewhere.
	sasl *saslState
	// tlsPrincipal is the principal of the client certificate, User:ANONYMOUS
	// without one or without TLS (identify); host is the client's IP address. With
	// sasl they are what the authorizer checks (session).
	tlsPrincipal string
	host         string
	// warnedReplicaRefusal is set once a replica fetch was refused and logged: a
	// broker without ClusterAction is a misconfiguration worth one line, not one per fetch.
	warnedReplicaRefusal bool
	// closeAfterAnswer ends the connection once the current answer is written (a
	// failed SASL authentication, which Kafka answers and then closes).
	closeAfterAnswer bool
	queue            *answerQueue // started by the first pending answer
	// timing is the request being handled, for RequestMetrics (request_timing.go).
	timing requestTiming
}

// requestHeader is Kafka's request header, as kwire parses it.
type requestHeader = kwire.Header

func newClientConn(b *Broker, conn net.Conn, listener string) *clientConn {
	c := &clientConn{
		b:        b,
		conn:     conn,
		listener: listener,
		w:        bufio.NewWriterSize(conn, 64<<10),
		log:      b.log.With("remote", conn.RemoteAddr().String(), "listener", listener),
	}
	if mechs, ok := b.sasl[listener]; ok {
		c.sasl = &saslState{mechanisms: mechs}
	}
	return c
}

// errAuthenticationFailed ends a connection after its failed SASL authentication was
// answered.
var errAuthenticationFailed = errors.New("SASL authentication failed")

// serve answers the connection's requests through the shared Kafka server core
// (kwire.Serve) until it ends.
func (c *clientConn) serve() {
	defer c.conn.Close()
	defer c.closeQueue()
	if err := c.identify(); err != nil {
		c.log.Warn("closing connection", "err", err)
		return
	}
	frames := kwire.NewFrameReader(c.conn, c.b.cfg.SocketRequestMaxBytes)
	err := kwire.Serve(frames, brokerAPIs, c.log, c.rawSASL, func(req kwire.Request[handlerFunc]) (kmsg.Response, error) {
		if err := c.checkAuthenticated(req.Header.Key); err != nil {
			return nil, err
		}
		c.beginTiming(&req)
		resp, err := req.Handler(c.b, c, &req.Header, req.Body)
		c.timing.markHandled()
		if resp == nil && err == nil {
			// Nothing is sent (acks=0); Kafka records its no-op response all the same.
			t := c.takeTiming()
			c.b.recordRequest(&t, t.handled, t.handled)
		}
		return resp, err
	}, func(hdr kwire.Header, resp kmsg.Response) error {
		if err := c.answer(hdr, resp); err != nil {
			return err
		}
		if c.closeAfterAnswer {
			return errAuthenticationFailed
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAuthenticationFailed) && !c.b.isClosed() {
		c.log.Warn("closing connection", "err", err)
	}
}

// writeResponse frames a response: size, correlation id, and the empty tagged-field
// section of response header v1, except for ApiVersions which always uses header v0
// so that a client can read it whatever version it asked for.
// The response completed when its handler returned, and is sent at once: t, its
// request's timing, counts the encoding as sending and no time queued.
func (c *clientConn) writeResponse(hdr requestHeader, resp kmsg.Response, t *requestTiming) error {
	out := kwire.AppendResponse(c.out[:0], hdr, resp)
	c.out = out
	if cap(c.out) > maxFetchBuffer {
		c.out = nil // beyond what fetch data may need: do not pin it to the connection
	}
	if err := c.writeFrame(out); err != nil {
		return err
	}
	c.b.recordRequest(t, t.handled, t.handled)
	return nil
}
