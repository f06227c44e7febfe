package kraftmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// ControllerServer answers Kafka requests on the controller listener: the calls
// brokers make to the quorum (BrokerRegistration, BrokerHeartbeat, AlterPartition,
// the metadata log fetch), admin writes forwarded by brokers, and DescribeQuorum. Raft's
// own connections share the port and are split off before they reach it.
type ControllerServer struct {
	c      *Controller
	log    *slog.Logger
	maxReq int32
	// mechanisms are the SASL mechanisms a SASL controller listener enables; nil on
	// a listener without SASL.
	mechanisms []saslserver.Mechanism
	// authz decides which principals may call the controller (server_authz.go); nil
	// without an authorizer.
	authz *authz.Authorizer

	conns  kwire.ConnSet
	ctx    context.Context
	cancel context.CancelFunc

	watch  logWatch
	snapMu sync.Mutex
	snap   *encodedSnapshot
}

// controllerHandler serves one request on the controller listener.
type controllerHandler func(ctx context.Context, s *ControllerServer, req kmsg.Request) (kmsg.Response, error)

// controllerAPIs are the APIs the controller listener serves, with the version ranges
// declared beside their handlers; ApiVersions is derived from them.
var controllerAPIs = kwire.NewRegistry[controllerHandler]()

// serve registers a handler.
func serve(key, min, max int16, fn controllerHandler) { controllerAPIs.Register(key, min, max, fn) }

// requestTimeout bounds a handler that waits for a Raft commit.
const requestTimeout = 30 * time.Second

// NewControllerServer serves c; maxRequestSize is socket.request.max.bytes, and
// mechanisms those a SASL controller listener enables (nil without SASL), with which
// every connection must authenticate before it is served.
func NewControllerServer(c *Controller, maxRequestSize int32, mechanisms []saslserver.Mechanism, logger *slog.Logger) *ControllerServer {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &ControllerServer{
		c:          c,
		log:        logger.With("component", "controller-server", "node.id", c.opts.NodeID),
		maxReq:     maxRequestSize,
		mechanisms: mechanisms,
		ctx:        ctx,
		cancel:     cancel,
	}
	c.Subscribe(func(*metadata.Image) { s.watch.notify() })
	return s
}

// ServeConn answers conn's requests in order, in its own goroutine, until it closes.
// Requests pass through the same Kafka server core as the broker's (kwire.Serve):
// one that cannot be parsed, or whose handler fails or panics, closes only its
// connection. On a SASL listener the connection must authenticate first (SaslHandshake
// and SaslAuthenticate, server_sasl.go). tlsPrincipal is the peer's TLS principal on a
// listener mapped to SSL or SASL_SSL (the node's accept loop derives it from the client
// certificate), "" on a plaintext one; the connection's principal, the SASL one once
// authenticated, else that, names it in the log.
func (s *ControllerServer) ServeConn(conn net.Conn, tlsPrincipal string) {
	s.conns.Go(conn, func() {
		log := s.log.With("remote", conn.RemoteAddr().String())
		cc := &controllerConn{tlsPrincipal: tlsPrincipal}
		if s.mechanisms != nil {
			cc.auth = saslserver.NewConnAuth(s.mechanisms)
		}
		connCtx := withConn(s.ctx, cc)
		var out []byte
		write := func(b []byte) error {
			_, err := conn.Write(b)
			return err
		}
		raw := func(frame []byte) (bool, error) { return cc.auth.RawToken(frame, write) }
		frames := kwire.NewFrameReader(conn, s.maxReq)
		err := kwire.Serve(frames, controllerAPIs, log, raw, func(req kwire.Request[controllerHandler]) (kmsg.Response, error) {
			if err := cc.auth.Check(req.Header.Key); err != nil {
				return nil, err
			}
			if resp := s.refusal(cc, conn.RemoteAddr(), req.Body); resp != nil {
				return resp, nil
			}
			ctx, cancel := context.WithTimeout(connCtx, requestTimeout)
			defer cancel()
			resp, err := req.Handler(ctx, s, req.Body)
			if err != nil {
				return nil, fmt.Errorf("%s v%d: %w", kmsg.NameForKey(req.Header.Key), req.Header.Version, err)
			}
			return resp, nil
		}, func(hdr kwire.Header, resp kmsg.Response) error {
			out = kwire.AppendResponse(out[:0], hdr, resp)
			if err := write(out); err != nil {
				return err
			}
			if cc.closeAfterAnswer {
				return errAuthenticationFailed
			}
			return nil
		})
		if err != nil && !errors.Is(err, errAuthenticationFailed) && s.ctx.Err() == nil {
			log.Warn("closing connection", "principal", cc.principal(), "err", err)
		}
	})
}

// errAuthenticationFailed ends a connection after its failed SASL authentication was
// answered.
var errAuthenticationFailed = errors.New("SASL authentication failed")

// Close fails waiting handlers, closes every connection and waits until no handler
// runs any more.
func (s *ControllerServer) Close() {
	s.cancel()
	s.conns.Close()
}

const apiVersionsKey = 18

func init() { serve(apiVersionsKey, 0, 4, handleApiVersions) }

// handleApiVersions lists the APIs registered with serve, so it never advertises a
// version nobody handles.
func handleApiVersions(_ context.Context, _ *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	resp := kreq.ResponseKind().(*kmsg.ApiVersionsResponse)
	resp.ApiKeys = controllerAPIs.ApiKeys()
	return resp, nil
}

// errorCode maps an error from the controller logic to a Kafka error code; errors
// without one are UNKNOWN_SERVER_ERROR.
func errorCode(err error) int16 {
	if err == nil {
		return 0
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Code
	}
	return kerr.UnknownServerError.Code
}

// errorMessage is the message for a response's ErrorMessage field (nil on success).
func errorMessage(err error) *string {
	if err == nil {
		return nil
	}
	m := err.Error()
	return &m
}
