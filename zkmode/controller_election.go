package zkmode

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

const (
	// electionRetryBackoff is how long the elector waits after an election that failed
	// with an error (a lost connection, an unreadable znode) before it looks again.
	electionRetryBackoff = 500 * time.Millisecond
	// giveUpTimeout bounds the delete of /controller when the elector stops.
	giveUpTimeout = 5 * time.Second
)

// ControllerListener is told when this broker becomes the controller and when it stops
// being it. Calls come one at a time from the elector's goroutine, in order, and the
// elector waits for each; a resignation always comes between two terms.
type ControllerListener interface {
	// OnBecomeController starts a term (Kafka's onControllerFailover). Every ZooKeeper
	// write of the term goes through w, which carries the term's epoch and the
	// /controller_epoch zkVersion it is fenced on.
	OnBecomeController(w *FencedWriter)
	// OnResign ends the term (Kafka's onControllerResignation): w's writes may already
	// be fenced, and the controller must stop acting at once.
	OnResign()
}

// ControllerElector is a ZooKeeper-mode broker's part in the controller election
// (KafkaController's elect, maybeResign and their ZooKeeper handlers). It watches
// /controller and stands for election whenever there is none: at start, when the
// controller's ephemeral is deleted (its broker stopped or its session died), and on a
// new session after this broker's expired. It resigns as soon as it learns that its
// term is over: /controller is no longer its own, its session expired or must be
// presumed expired (cut off from ZooKeeper for longer than the session timeout), or a
// write of its term found /controller_epoch moved on. A persistent /controller, which
// a KRaft controller writes for a migration, is never contested.
type ControllerElector struct {
	conn     *Conn
	brokerID int32
	listener ControllerListener
	logger   *slog.Logger

	// moved is signalled by the current term's FencedWriter when a write is fenced.
	moved chan struct{}
	// term is the current term's writer, nil while this broker is not the controller.
	// Only Run's goroutine touches it.
	term *FencedWriter
	// seen is the czxid of the /controller last logged, so each controller is logged once.
	seen int64
}

// NewControllerElector returns the elector of broker brokerID on c; Run takes part
// in elections. A nil logger discards the log.
func NewControllerElector(c *Conn, brokerID int32, listener ControllerListener, logger *slog.Logger) *ControllerElector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ControllerElector{
		conn:     c,
		brokerID: brokerID,
		listener: listener,
		logger:   logger.With("broker_id", brokerID),
		moved:    make(chan struct{}, 1),
	}
}

// Run takes part in controller elections until ctx ends or the Conn is closed. On the
// way out it resigns and, if it still holds /controller and the Conn is open, deletes
// it (fenced, as Kafka's triggerControllerMove does), so the other brokers elect a new
// controller at once rather than after this session ends.
func (e *ControllerElector) Run(ctx context.Context) {
	sessions := e.conn.SessionEvents()
	defer e.giveUp(ctx)
	for {
		watch, err := e.elect(ctx)
		var retry <-chan time.Time
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			e.logger.Warn("controller election failed; trying again", "error", err, "backoff", electionRetryBackoff)
			retry = time.After(electionRetryBackoff)
		}
		if !e.wait(ctx, sessions, watch, retry) {
			return
		}
	}
}

// wait blocks until who is controller may have changed and reports whether to look
// again; false means Run must end. A lost connection is not a change: the session,
// and with it /controller and the watch, may live on.
func (e *ControllerElector) wait(ctx context.Context, sessions <-chan SessionEvent, watch <-chan zk.Event, retry <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-sessions:
			if !ok {
				return false
			}
			switch ev.State {
			case zk.StateExpired:
				// The server deleted our /controller with the session: another broker may
				// be elected any moment, so stop acting now, before reconnecting.
				e.resign("the ZooKeeper session expired")
			case StatePresumedExpired:
				// Cut off for longer than the session timeout: the server has most likely
				// deleted our /controller and another broker been elected, though only the
				// server can say so. Stop acting on a term that is most likely over; if the
				// session comes back with /controller still ours, elect takes the term up
				// again.
				e.resign("the ZooKeeper session must be presumed expired")
			case zk.StateHasSession:
				return true
			}
		case <-watch:
			return true
		case <-e.moved:
			return true
		case <-retry:
			return true
		}
	}
}

// elect looks at /controller once, resigning when the term is over and standing for
// election when there is no controller (KafkaController's maybeResign and elect),
// until /controller exists; it returns the watch on it.
func (e *ControllerElector) elect(ctx context.Context) (<-chan zk.Event, error) {
	if e.term != nil && e.term.isMoved() {
		e.resign("a controller write found " + znode.ControllerEpochPath + " moved on")
	}
	for {
		data, stat, watch, err := e.conn.GetW(ctx, znode.ControllerPath)
		if errors.Is(err, zk.ErrNoNode) {
			e.resign(znode.ControllerPath + " is gone")
			if err := e.standForElection(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		holder, decodeErr := znode.DecodeController(data)
		ours := decodeErr == nil && e.owns(holder, stat)
		switch {
		case e.term != nil && !ours:
			e.resign(znode.ControllerPath + " is no longer this broker's")
		case e.term == nil && ours:
			if err := e.adopt(ctx, stat); err != nil {
				return nil, err
			}
		}
		e.logController(holder, decodeErr, stat)
		return watch, nil
	}
}

// owns tells whether /controller is this broker's: its id, in an ephemeral of the
// current session.
func (e *ControllerElector) owns(holder znode.ControllerZNode, stat *zk.Stat) bool {
	session := e.conn.SessionID()
	return holder.BrokerID == e.brokerID && session != 0 && stat.EphemeralOwner == session
}

// standForElection runs one election attempt; losing it is not an error.
func (e *ControllerElector) standForElection(ctx context.Context) error {
	epoch, zkVersion, err := registerControllerAndIncrementControllerEpoch(ctx, e.conn, e.brokerID)
	switch {
	case errors.Is(err, ErrControllerMoved):
		e.logger.Info("lost the controller election", "reason", err)
		return nil
	case err != nil:
		return err
	}
	e.become(epoch, zkVersion)
	return nil
}

// adopt takes up a /controller of this session that the elector holds no term for: an
// election whose multi was applied but whose answer never came (a reconnect, or an
// error in checking it), or a term given up when the session was presumed expired and
// that came back with it. /controller_epoch is read and /controller read again after
// it: while this session's ephemeral exists nobody else can have been elected, so if it
// is still the same znode, the epoch read is this broker's own.
func (e *ControllerElector) adopt(ctx context.Context, held *zk.Stat) error {
	epoch, zkVersion, err := readControllerEpoch(ctx, e.conn)
	if err != nil {
		return err
	}
	_, stat, err := e.conn.Get(ctx, znode.ControllerPath)
	if errors.Is(err, zk.ErrNoNode) {
		// The watch set before fires for the deletion; the next look elects.
		return nil
	}
	if err != nil {
		return err
	}
	if stat.Czxid != held.Czxid || stat.EphemeralOwner != held.EphemeralOwner {
		return nil
	}
	e.logger.Info("found this broker's own "+znode.ControllerPath+" without a term; taking it up", "epoch", epoch)
	e.become(epoch, zkVersion)
	return nil
}

// become starts a term.
func (e *ControllerElector) become(epoch, epochZkVersion int32) {
	w := NewFencedWriter(e.conn, epoch, epochZkVersion)
	w.notify = e.moved
	e.term = w
	e.logger.Info("elected controller", "epoch", epoch, "epoch_zk_version", epochZkVersion)
	e.listener.OnBecomeController(w)
}

// resign ends the term, if there is one.
func (e *ControllerElector) resign(reason string) {
	if e.term == nil {
		return
	}
	e.logger.Info("resigning as controller", "epoch", e.term.Epoch(), "reason", reason)
	e.term = nil
	e.listener.OnResign()
}

// giveUp resigns and deletes /controller, fenced on the term's epoch: if the epoch
// still stands, /controller is this term's or absent.
func (e *ControllerElector) giveUp(ctx context.Context) {
	w := e.term
	if w == nil {
		return
	}
	e.resign("the elector stopped")
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), giveUpTimeout)
	defer cancel()
	if _, err := w.Multi(ctx, &zk.DeleteRequest{Path: znode.ControllerPath, Version: -1}); err != nil {
		e.logger.Debug("did not delete "+znode.ControllerPath+" on stopping", "error", err)
	}
}

// logController logs the holder of /controller when it changed since last logged.
func (e *ControllerElector) logController(holder znode.ControllerZNode, decodeErr error, stat *zk.Stat) {
	if stat.Czxid == e.seen {
		return
	}
	e.seen = stat.Czxid
	switch {
	case decodeErr != nil:
		e.logger.Error("cannot read "+znode.ControllerPath+"; not contesting it", "error", decodeErr)
	case stat.EphemeralOwner == 0:
		e.logger.Warn("a KRaft controller holds "+znode.ControllerPath+" for a migration; ZooKeeper brokers cannot be elected while it does",
			"controller", describeController(holder, stat))
	default:
		e.logger.Info("controller changed", "controller", describeController(holder, stat))
	}
}
