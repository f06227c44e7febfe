package zkmode

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// ErrControllerMoved is Kafka's ControllerMovedException: /controller_epoch has moved
// past the epoch a controller was elected with, so another controller (a ZooKeeper
// broker, or a KRaft controller taking over for a migration) has been elected since,
// and nothing this controller writes may be applied. It also reports an election this
// broker lost.
var ErrControllerMoved = errors.New("controller moved")

// FencedWriter makes the writes of one controller term: every write is a multi that
// starts with a check that /controller_epoch still has the zkVersion the term was
// elected with (KafkaZkClient.wrapRequestWithControllerEpochCheck). Whoever is elected
// next bumps /controller_epoch in the same multi that makes it controller, so from then
// on the old controller's writes all fail, whether or not it has noticed yet — a
// controller paused past its session timeout, or one on the far side of a partition,
// cannot undo the new one's work.
type FencedWriter struct {
	conn           *Conn
	epoch          int32
	epochZkVersion int32
	moved          atomic.Bool
	// notify, when set, is told (without blocking) of the first write found fenced:
	// the elector that handed out this writer resigns on it.
	notify chan<- struct{}
}

// NewFencedWriter returns the writer of a controller term won elsewhere: epoch and
// epochZkVersion are /controller_epoch's value and zkVersion as the election left
// them. A ControllerElector hands out its own writers; a KRaft controller that took
// over /controller_epoch for a migration uses this for its dual writes.
func NewFencedWriter(c *Conn, epoch, epochZkVersion int32) *FencedWriter {
	return &FencedWriter{conn: c, epoch: epoch, epochZkVersion: epochZkVersion}
}

// Epoch is the controller epoch of the term, the value of /controller_epoch.
func (w *FencedWriter) Epoch() int32 { return w.epoch }

// EpochZkVersion is /controller_epoch's zkVersion that every write checks.
func (w *FencedWriter) EpochZkVersion() int32 { return w.epochZkVersion }

// Multi runs ops (as Conn.Multi takes them) after the epoch check, all or none, and
// returns their responses without the check's. When the check fails, the error
// satisfies errors.Is(err, ErrControllerMoved) and none of ops was applied. A failure
// of one of ops itself (a partition state's stale zkVersion) is returned as it is.
func (w *FencedWriter) Multi(ctx context.Context, ops ...any) ([]zk.MultiResponse, error) {
	all := make([]any, 0, 1+len(ops))
	all = append(all, &zk.CheckVersionRequest{Path: znode.ControllerEpochPath, Version: w.epochZkVersion})
	all = append(all, ops...)
	res, err := w.conn.Multi(ctx, all...)
	if err == nil {
		return res[1:], nil
	}
	if (errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNoNode)) && w.epochMoved(ctx) {
		w.moved.Store(true)
		if w.notify != nil {
			select {
			case w.notify <- struct{}{}:
			default:
			}
		}
		return nil, fmt.Errorf("controller write as epoch %d: %w: %s is no longer at zkVersion %d: %w",
			w.epoch, ErrControllerMoved, znode.ControllerEpochPath, w.epochZkVersion, err)
	}
	return nil, fmt.Errorf("controller write as epoch %d: %w", w.epoch, err)
}

// epochMoved tells whether /controller_epoch is missing or no longer at the term's
// zkVersion. Conn.Multi's error says what failed but not which op, and a stale zkVersion
// in one of the caller's ops fails the same way as the check, so the epoch is read
// again. A zkVersion only grows, so a check that failed would fail now too; if the
// check passed and the epoch moved only since, the term is over all the same.
func (w *FencedWriter) epochMoved(ctx context.Context) bool {
	ok, stat, err := w.conn.Exists(ctx, znode.ControllerEpochPath)
	if err != nil {
		return false
	}
	return !ok || stat.Version != w.epochZkVersion
}

// isMoved reports whether a write of this term has found it fenced.
func (w *FencedWriter) isMoved() bool { return w.moved.Load() }
