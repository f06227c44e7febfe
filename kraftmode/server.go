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

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// ControllerServer answers Kafka requests on the controller listener: the calls
// brokers make to the quorum (BrokerRegistration, BrokerHeartbeat, AlterPartition,
// the metadata log fetch), admin writes forwarded by brokers, and DescribeQuorum. Raft's
// own connections share the port and are split off before they reach it.
type ControllerServer struct {
	c      *Controller
	log    *slog.Logger
	maxReq int32

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

// NewControllerServer serves c; maxRequestSize is socket.request.max.bytes.
func NewControllerServer(c *Controller, maxRequestSize int32, logger *slog.Logger) *ControllerServer {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &ControllerServer{
		c:      c,
		log:    logger.With("component", "controller-server", "node.id", c.opts.NodeID),
		maxReq: maxRequestSize,
		ctx:    ctx,
		cancel: cancel,
	}
	c.Subscribe(func(*metadata.Image) { s.watch.notify() })
	return s
}

// ServeConn answers conn's requests in order, in its own goroutine, until it closes.
// Requests pass through the same Kafka server core as the broker's (kwire.Serve):
// one that cannot be parsed, or whose handler fails or panics, closes only its
// connection. principal is the peer's TLS principal on a listener mapped to SSL (the
// node's accept loop derives it from the client certificate), "" on a plaintext one;
// the connection's log names it.
func (s *ControllerServer) ServeConn(conn net.Conn, principal string) {
	s.conns.Go(conn, func() {
		log := s.log.With("remote", conn.RemoteAddr().String())
		if principal != "" {
			log = log.With("principal", principal)
		}
		var out []byte
		frames := kwire.NewFrameReader(conn, s.maxReq)
		err := kwire.Serve(frames, controllerAPIs, log, nil, func(req kwire.Request[controllerHandler]) (kmsg.Response, error) {
			ctx, cancel := context.WithTimeout(s.ctx, requestTimeout)
			defer cancel()
			resp, err := req.Handler(ctx, s, req.Body)
			if err != nil {
				return nil, fmt.Errorf("%s v%d: %w", kmsg.NameForKey(req.Header.Key), req.Header.Version, err)
			}
			return resp, nil
		}, func(hdr kwire.Header, resp kmsg.Response) error {
			out = kwire.AppendResponse(out[:0], hdr, resp)
			_, err := conn.Write(out)
			return err
		})
		if err != nil && s.ctx.Err() == nil {
			log.Warn("closing connection", "err", err)
		}
	})
}

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
