package zkmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
)

// worldACL is world:anyone with every permission: Kafka's ACL for every znode
// while zookeeper.set.acl is false, its default.
var worldACL = zk.WorldACL(zk.PermAll)

// Conn is a ZooKeeper session opened from a zookeeper.connect string. Paths given to
// its methods and paths it returns are relative to the chroot, as the Java client's
// are; go-zookeeper has no chroot, so Conn adds it to every request and strips it
// from every answer. Errors name the znode path without the chroot and wrap
// go-zookeeper's sentinels, so errors.Is(err, zk.ErrNoNode) works.
//
// go-zookeeper reconnects on its own and, when the server expired the session,
// opens a new one on the same Conn; ephemeral znodes and watches of the old session
// are gone by then. SessionEvents tells whoever owns ephemerals to recreate them.
type Conn struct {
	zk       *zk.Conn
	chroot   string
	logger   *slog.Logger
	sessions *sessionFeed
	// sessionTimeout is the timeout asked for, and heard the time (Unix nanoseconds)
	// a server last sent anything. presumed says the session must be presumed expired
	// and presumedCh is closed while it is; presumeMu orders the presumption with the
	// session events, and presumeGen tells a due presumption whether the connection
	// came back since its timer was set, presumeStopped that the Conn is closed
	// (conn_heard.go).
	sessionTimeout time.Duration
	heard          atomic.Int64
	presumed       atomic.Bool
	presumedCh     atomic.Pointer[chan struct{}]
	presumeMu      sync.Mutex
	presumeGen     uint64
	presumeTimer   *time.Timer
	presumeStopped bool

	// ready is closed once zk is set: go-zookeeper may call the event callback
	// before zk.Connect has returned.
	ready       chan struct{}
	established chan struct{}
	establish   sync.Once
}

// TreeReader is what loading an Image needs; the live connection provides it.
var _ TreeReader = (*Conn)(nil)

// Dial opens a session to the servers of connect ("host1:2181,host2:2181/kafka") and
// waits until the session is established or ctx ends: ctx's deadline is Kafka's
// zookeeper.connection.timeout.ms. sessionTimeout is zookeeper.session.timeout.ms;
// the server may grant a different one within its bounds. A chroot that does not
// exist is created, as Kafka does on start-up. A nil logger discards the log.
func Dial(ctx context.Context, connect string, sessionTimeout time.Duration, logger *slog.Logger) (*Conn, error) {
	servers, chroot, err := ParseConnect(connect)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Conn{
		logger:         logger.With("zookeeper", connect),
		sessions:       newSessionFeed(),
		sessionTimeout: sessionTimeout,
		ready:          make(chan struct{}),
		established:    make(chan struct{}),
	}
	open := make(chan struct{})
	c.presumedCh.Store(&open)
	zc, _, err := zk.Connect(servers, sessionTimeout,
		zk.WithLogger(zkLogger{c.logger}),
		zk.WithDialer(heardDialer(&c.heard, handshakeDialer(handshakeLimit(sessionTimeout)))),
		zk.WithEventCallback(c.onEvent))
	if err != nil {
		return nil, fmt.Errorf("connect to ZooKeeper %s: %w", connect, err)
	}
	c.zk = zc
	close(c.ready)
	select {
	case <-c.established:
	case <-ctx.Done():
		state := zc.State()
		c.Close()
		return nil, fmt.Errorf("connect to ZooKeeper %s: no session yet (state %v): %w", connect, state, ctx.Err())
	}
	if chroot != "" {
		// The chroot is created from the server's root, so this view has none.
		root := &Conn{zk: zc}
		if err := root.ensurePath(ctx, chroot); err != nil {
			c.Close()
			return nil, fmt.Errorf("connect to ZooKeeper %s: create the chroot: %w", connect, err)
		}
	}
	c.chroot = chroot
	return c, nil
}

// Close ends the session: the server deletes its ephemeral znodes at once rather
// than after the session timeout. SessionEvents channels are closed.
func (c *Conn) Close() {
	c.zk.Close()
	c.stopPresumption()
	c.sessions.close()
}

// SessionID is the current session's id, 0 while there is none (after an expiry,
// until the new session is established). It is the EphemeralOwner of the session's
// ephemeral znodes; Kafka uses a broker znode's czxid, not this, as the broker epoch.
func (c *Conn) SessionID() int64 { return c.zk.SessionID() }

// onEvent is go-zookeeper's event callback, called in order from its connection
// loop; it must not block (waiting for ready takes only until zk.Connect returns).
func (c *Conn) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	switch ev.State {
	case zk.StateHasSession, zk.StateExpired, zk.StateDisconnected:
	default:
		return
	}
	<-c.ready
	c.presumeMu.Lock()
	c.trackPresumption(ev.State)
	se, ok := c.sessions.publish(ev.State, c.zk.SessionID())
	c.presumeMu.Unlock()
	if !ok {
		return
	}
	sid := fmt.Sprintf("0x%x", se.SessionID)
	switch ev.State {
	case zk.StateHasSession:
		c.logger.Info("ZooKeeper session established", "session_id", sid, "server", ev.Server)
		c.establish.Do(func() { close(c.established) })
	case zk.StateExpired:
		c.logger.Warn("ZooKeeper session expired; opening a new one", "session_id", sid, "server", ev.Server)
	case zk.StateDisconnected:
		c.logger.Info("ZooKeeper connection lost", "session_id", sid, "server", ev.Server)
	}
}

// abs turns a chroot-relative path into the server's path.
func (c *Conn) abs(path string) (string, error) {
	if !strings.HasPrefix(path, "/") {
		return "", zk.ErrInvalidPath
	}
	switch {
	case c.chroot == "":
		return path, nil
	case path == "/":
		return c.chroot, nil
	default:
		return c.chroot + path, nil
	}
}

// rel turns a server path inside the chroot into a chroot-relative one.
func (c *Conn) rel(path string) string {
	switch {
	case c.chroot == "":
		return path
	case path == c.chroot:
		return "/"
	case strings.HasPrefix(path, c.chroot+"/"):
		return path[len(c.chroot):]
	default:
		return path
	}
}

// callZK runs one go-zookeeper request, which takes no context, and returns when it
// answers or when ctx ends, whichever is first. A request given up on still runs to
// its end on the connection (a create may still happen) and its answer is dropped.
func callZK[T any](ctx context.Context, op func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		return op()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := op()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// doZK is callZK for a request whose answers op keeps itself. op may still be running
// when doZK returns an error, so callers read what op wrote only on success.
func doZK(ctx context.Context, op func() error) error {
	_, err := callZK(ctx, func() (struct{}, error) { return struct{}{}, op() })
	return err
}

// zkLogger sends go-zookeeper's log lines (connects, reconnects, ended loops) to
// slog at debug level; the session changes that matter are logged by onEvent.
type zkLogger struct{ l *slog.Logger }

func (z zkLogger) Printf(format string, args ...any) {
	z.l.Debug(fmt.Sprintf(format, args...), "logger", "go-zookeeper")
}

// znodeErr wraps err with the operation and the chroot-relative path.
func znodeErr(op, path string, err error) error {
	if errors.Is(err, zk.ErrInvalidPath) {
		return fmt.Errorf("%s %q: %w", op, path, err)
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
