package zkmode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// ErrMigrationMoved means /migration is no longer at the zkVersion a KRaft controller's
// MigrationWriter last left it at (or is gone): another KRaft leader has taken the
// migration over, or an operator removed /migration to roll back (docs/kafka-compatibility.md,
// "Kafka's manual rollback"). Nothing more may be written; the migration driver stops and starts again from
// what ZooKeeper holds.
var ErrMigrationMoved = errors.New("migration state moved")

// GetOrCreateMigration reads /migration and its zkVersion, creating it with
// EmptyMigration when absent, as KafkaZkClient.getOrCreateMigrationState does when a
// KRaft controller first looks at ZooKeeper. Another controller creating it first is
// fine: its znode is read.
func GetOrCreateMigration(ctx context.Context, c *Conn) (znode.MigrationZNode, int32, error) {
	m, zkVersion, err := ReadMigration(ctx, c)
	if !errors.Is(err, zk.ErrNoNode) {
		return m, zkVersion, err
	}
	_, err = c.Create(ctx, znode.MigrationPath, znode.EncodeMigration(znode.EmptyMigration), zk.FlagPersistent)
	switch {
	case err == nil:
		return znode.EmptyMigration, 0, nil
	case errors.Is(err, zk.ErrNodeExists):
		return ReadMigration(ctx, c)
	default:
		return znode.MigrationZNode{}, 0, fmt.Errorf("create %s: %w", znode.MigrationPath, err)
	}
}

// ReadMigration reads /migration and its zkVersion; zk.ErrNoNode when it is absent.
func ReadMigration(ctx context.Context, c *Conn) (znode.MigrationZNode, int32, error) {
	data, stat, err := c.Get(ctx, znode.MigrationPath)
	if err != nil {
		return znode.MigrationZNode{}, 0, err
	}
	m, err := znode.DecodeMigration(data)
	if err != nil {
		return znode.MigrationZNode{}, 0, decodeError(znode.MigrationPath, err)
	}
	return m, stat.Version, nil
}

// MigrationWriter makes a KRaft controller's writes to ZooKeeper during a migration
// (KafkaZkClient.retryMigrationRequestsUntilConnected). Every write is one multi that
// starts [CheckVersion(/controller_epoch), CheckVersion(/migration)]: the first check
// fences it against a ZooKeeper controller or KRaft leader that claimed /controller
// since (ClaimControllerForKRaft), the second against a KRaft leader that took
// /migration over. The last multi of each batch sets /migration instead of checking it,
// so the metadata offset ZooKeeper claims to reflect moves in the same transaction as
// the data that makes it true.
//
// Once a check fails the writer stays fenced: every later call returns the same error,
// wrapping ErrControllerMoved or ErrMigrationMoved. Calls are serialized.
type MigrationWriter struct {
	conn           *Conn
	epochZkVersion int32

	mu                 sync.Mutex
	migrationZkVersion int32
	fenced             error
	// unconfirmed is the /migration a last multi wrote, if its answer was lost.
	unconfirmed *znode.MigrationZNode
}

// NewMigrationWriter returns the writer of a KRaft controller that claimed
// /controller_epoch at zkVersion epochZkVersion and found /migration at
// migrationZkVersion (GetOrCreateMigration).
func NewMigrationWriter(c *Conn, epochZkVersion, migrationZkVersion int32) *MigrationWriter {
	return &MigrationWriter{conn: c, epochZkVersion: epochZkVersion, migrationZkVersion: migrationZkVersion}
}

// EpochZkVersion is the /controller_epoch zkVersion every write checks.
func (w *MigrationWriter) EpochZkVersion() int32 { return w.epochZkVersion }

// MigrationZkVersion is /migration's zkVersion as this writer last left it.
func (w *MigrationWriter) MigrationZkVersion() int32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.migrationZkVersion
}

// WriteMigrationState sets /migration to state, fenced like every write: what the
// driver does after the initial copy, and when it takes the migration over.
func (w *MigrationWriter) WriteMigrationState(ctx context.Context, state znode.MigrationZNode) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.write(ctx, nil, state)
}

// write runs ops in multis (batchOps), each after the fencing requests, /migration set
// to state in the last. With no ops it only sets /migration.
func (w *MigrationWriter) write(ctx context.Context, ops []plannedOp, state znode.MigrationZNode) error {
	if w.fenced != nil {
		return w.fenced
	}
	w.confirmLastWrite(ctx)
	multis := batchOps(ops)
	for i, m := range multis {
		reqs := make([]any, 0, 2+len(m.reqs))
		reqs = append(reqs, &zk.CheckVersionRequest{Path: znode.ControllerEpochPath, Version: w.epochZkVersion})
		last := i == len(multis)-1
		if last {
			reqs = append(reqs, &zk.SetDataRequest{Path: znode.MigrationPath, Data: znode.EncodeMigration(state), Version: w.migrationZkVersion})
		} else {
			reqs = append(reqs, &zk.CheckVersionRequest{Path: znode.MigrationPath, Version: w.migrationZkVersion})
		}
		reqs = append(reqs, m.reqs...)
		res, err := w.conn.Multi(ctx, reqs...)
		if err != nil {
			if last && !rejected(err) {
				w.unconfirmed = &state
			}
			return w.failed(ctx, m, err)
		}
		if last {
			w.migrationZkVersion = res[1].Stat.Version
		}
	}
	return nil
}

// confirmLastWrite settles a last multi whose answer was lost (a timeout, a lost
// connection): it may have been applied, moving /migration one zkVersion on, and the
// next check would then take this writer's own write for another leader's. If
// /migration is one zkVersion on and holds what that multi wrote, it was applied; the
// only other writer of the same content is this KRaft leader itself. Left unsettled
// when /migration cannot be read, for the next write to try again.
func (w *MigrationWriter) confirmLastWrite(ctx context.Context) {
	if w.unconfirmed == nil {
		return
	}
	data, stat, err := w.conn.Get(ctx, znode.MigrationPath)
	switch {
	case errors.Is(err, zk.ErrNoNode):
	case err != nil:
		return
	case stat.Version == w.migrationZkVersion+1 && bytes.Equal(data, znode.EncodeMigration(*w.unconfirmed)):
		w.migrationZkVersion = stat.Version
	}
	w.unconfirmed = nil
}

// rejected tells whether ZooKeeper answered a multi with the failure of one of its
// requests, which means none was applied; any other error leaves that unknown.
func rejected(err error) bool {
	for _, code := range []error{zk.ErrBadVersion, zk.ErrNoNode, zk.ErrNodeExists, zk.ErrNotEmpty, zk.ErrBadArguments, zk.ErrNoAuth, zk.ErrInvalidACL} {
		if errors.Is(err, code) {
			return true
		}
	}
	return false
}

// failed makes the error of a failed multi. Conn.Multi names the op that failed but a
// stale zkVersion or a missing znode fails a check and a write alike, so the fencing
// znodes are read again: a zkVersion only grows, so a check that failed fails now too.
// A fence is kept for every later call; any other failure (the tree changed under a
// plan, a lost connection) is returned as it is, for the caller to plan again.
func (w *MigrationWriter) failed(ctx context.Context, m multi, err error) error {
	what := fmt.Sprintf("dual-write %s", m.describe())
	if !errors.Is(err, zk.ErrBadVersion) && !errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if moved, version := w.znodeMoved(ctx, znode.ControllerEpochPath, w.epochZkVersion); moved {
		w.fenced = fmt.Errorf("%s: %w: %s is at zkVersion %d, not %d: %w",
			what, ErrControllerMoved, znode.ControllerEpochPath, version, w.epochZkVersion, err)
		return w.fenced
	}
	if moved, version := w.znodeMoved(ctx, znode.MigrationPath, w.migrationZkVersion); moved {
		w.fenced = fmt.Errorf("%s: %w: %s is at zkVersion %d, not %d: %w",
			what, ErrMigrationMoved, znode.MigrationPath, version, w.migrationZkVersion, err)
		return w.fenced
	}
	return fmt.Errorf("%s: %w", what, err)
}

// znodeMoved tells whether path is gone (zkVersion UnknownZkVersion) or no longer at
// zkVersion; a read that fails tells nothing.
func (w *MigrationWriter) znodeMoved(ctx context.Context, path string, zkVersion int32) (bool, int32) {
	ok, stat, err := w.conn.Exists(ctx, path)
	switch {
	case err != nil:
		return false, 0
	case !ok:
		return true, znode.UnknownZkVersion
	default:
		return stat.Version != zkVersion, stat.Version
	}
}

// describe names a multi's operations for an error, the first few of them.
func (m multi) describe() string {
	const shown = 3
	if len(m.ops) == 0 {
		return "of " + znode.MigrationPath
	}
	names := make([]string, 0, shown)
	for _, op := range m.ops[:min(shown, len(m.ops))] {
		names = append(names, op.kind+" "+op.subject)
	}
	s := strings.Join(names, ", ")
	if len(m.ops) > shown {
		s += fmt.Sprintf(" and %d more", len(m.ops)-shown)
	}
	return s
}
