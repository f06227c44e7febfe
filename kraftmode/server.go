package kraftmode

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
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

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	ctx    context.Context
	cancel context.CancelFunc

	watch  logWatch
	snapMu sync.Mutex
	snap   *encodedSnapshot
}

// serverHandler is one API with the versions this server really serves.
type serverHandler struct {
	min, max int16
	fn       func(ctx context.Context, s *ControllerServer, req kmsg.Request) (kmsg.Response, error)
}

var serverHandlers = map[int16]serverHandler{}

// serve registers a handler; ApiVersions is built from these registrations.
func serve(key, min, max int16, fn func(context.Context, *ControllerServer, kmsg.Request) (kmsg.Response, error)) {
	serverHandlers[key] = serverHandler{min: min, max: max, fn: fn}
}

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
		conns:  make(map[net.Conn]struct{}),
		ctx:    ctx,
		cancel: cancel,
	}
	c.Subscribe(func(*metadata.Image) { s.watch.notify() })
	return s
}

// ServeConn answers conn's requests in order until it closes. Like a broker, it closes
// only the offending connection on a request it cannot parse.
func (s *ControllerServer) ServeConn(conn net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.conns[conn] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		conn.Close()
	}()
	log := s.log.With("remote", conn.RemoteAddr().String())
	r := bufio.NewReaderSize(conn, 64<<10)
	var out []byte
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return
		}
		n := int32(binary.BigEndian.Uint32(size[:]))
		if n < 8 || n > s.maxReq {
			log.Warn("closing connection: request size out of range", "size", n, "socket.request.max.bytes", s.maxReq)
			return
		}
		frame := make([]byte, n)
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		hdr, resp, err := s.handle(frame)
		if err != nil {
			log.Warn("closing connection", "err", err)
			return
		}
		out = kwire.AppendResponse(out[:0], hdr, resp)
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

func (s *ControllerServer) handle(frame []byte) (kwire.Header, kmsg.Response, error) {
	hdr, kreq, body, err := kwire.ParseRequest(frame)
	if err != nil {
		return hdr, nil, err
	}
	h, ok := serverHandlers[hdr.Key]
	if !ok {
		return hdr, nil, fmt.Errorf("api key %d (%s) is not served on the controller listener", hdr.Key, kmsg.NameForKey(hdr.Key))
	}
	if hdr.Version < h.min || hdr.Version > h.max || hdr.Version > kreq.MaxVersion() {
		if hdr.Key == apiVersionsKey {
			resp := kmsg.NewPtrApiVersionsResponse()
			resp.ErrorCode = kerr.UnsupportedVersion.Code
			resp.ApiKeys = servedAPIs()
			return hdr, resp, nil
		}
		return hdr, nil, fmt.Errorf("unsupported version %d of %s (we serve %d-%d)", hdr.Version, kmsg.NameForKey(hdr.Key), h.min, h.max)
	}
	if err := kreq.ReadFrom(body); err != nil {
		return hdr, nil, fmt.Errorf("malformed %s v%d: %w", kmsg.NameForKey(hdr.Key), hdr.Version, err)
	}
	ctx, cancel := context.WithTimeout(s.ctx, requestTimeout)
	defer cancel()
	resp, err := h.fn(ctx, s, kreq)
	if err != nil {
		return hdr, nil, fmt.Errorf("%s v%d: %w", kmsg.NameForKey(hdr.Key), hdr.Version, err)
	}
	resp.SetVersion(hdr.Version)
	return hdr, resp, nil
}

// Close stops every connection and fails waiting handlers.
func (s *ControllerServer) Close() {
	s.mu.Lock()
	s.closed = true
	s.cancel()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

const apiVersionsKey = 18

func init() { serve(apiVersionsKey, 0, 4, handleApiVersions) }

// handleApiVersions lists the APIs registered with serve, so it never advertises a
// version nobody handles.
func handleApiVersions(_ context.Context, _ *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	resp := kreq.ResponseKind().(*kmsg.ApiVersionsResponse)
	resp.ApiKeys = servedAPIs()
	return resp, nil
}

func servedAPIs() []kmsg.ApiVersionsResponseApiKey {
	keys := make([]kmsg.ApiVersionsResponseApiKey, 0, len(serverHandlers))
	for key, h := range serverHandlers {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, h.min, h.max
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ApiKey < keys[j].ApiKey })
	return keys
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
