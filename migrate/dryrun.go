package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// The dry-run's exit codes: scripts and operators gate the migration on them.
const (
	// ExitReady: no blocker.
	ExitReady = 0
	// ExitBlocked: at least one blocker.
	ExitBlocked = 1
	// ExitUnreadable: the check could not run (ZooKeeper or the controller
	// unreachable, a znode that does not decode, bad arguments).
	ExitUnreadable = 2
)

// sessionTimeout is Kafka's zookeeper.session.timeout.ms default.
const sessionTimeout = 18 * time.Second

// DryRunOptions says where the cluster and its migration quorum are.
type DryRunOptions struct {
	// ZooKeeper is the brokers' zookeeper.connect: host:port[,host:port...][/chroot].
	ZooKeeper string
	// Controller is host:port of a migration controller's listener; "" skips the
	// checks that need the quorum.
	Controller string
	// Admin is how the controller's admin endpoint is reached (TLS, credentials); nil
	// speaks plain HTTP.
	Admin *AdminClient
	// ConnectTimeout bounds connecting to ZooKeeper and reading the quorum's state,
	// each (Kafka's zookeeper.connection.timeout.ms is 18 s).
	ConnectTimeout time.Duration
	// Logger gets progress lines; nil discards them.
	Logger *slog.Logger
}

// Report is the dry-run's result, and `--output json`'s schema: every key is always
// present, null where it does not apply.
type Report struct {
	ZooKeeper string `json:"zookeeper"`
	// ClusterID is ZooKeeper's /cluster/id, "" when it does not exist.
	ClusterID string `json:"cluster_id"`
	// MigrationState is the metadata log's ZkMigrationState (NONE for an empty log, as
	// in Kafka); null without --controller.
	MigrationState *string `json:"migration_state"`
	// Quorum is what the controller said; null without --controller.
	Quorum   *QuorumState `json:"quorum"`
	Plan     Plan         `json:"plan"`
	Findings []Finding    `json:"findings"`
	// Diff counts the differences between ZooKeeper and the metadata log; null unless
	// the log says the migration already ran.
	Diff *DiffSummary `json:"diff"`
	// Ready tells that no finding is a blocker.
	Ready bool `json:"ready"`
}

// QuorumState is the migration quorum as the dry-run saw it.
type QuorumState struct {
	Controller string  `json:"controller"`
	NodeID     int32   `json:"node_id"`
	LeaderID   int32   `json:"leader_id"`
	VoterIDs   []int32 `json:"voter_ids"`
	ClusterID  string  `json:"cluster_id"`
	// MetadataOffset is the committed image's offset, -1 for an empty log.
	MetadataOffset  int64 `json:"metadata_offset"`
	MetadataVersion int16 `json:"metadata_version"`
	InTransaction   bool  `json:"in_transaction"`
	// MigratingBrokers are the brokers registered as migrating ZooKeeper brokers.
	MigratingBrokers []int32 `json:"migrating_brokers"`
}

// Blockers counts the blocker findings.
func (r *Report) Blockers() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SeverityBlocker {
			n++
		}
	}
	return n
}

// ExitCode is ExitReady or ExitBlocked.
func (r *Report) ExitCode() int {
	if r.Ready {
		return ExitReady
	}
	return ExitBlocked
}

// DryRun reads the ZooKeeper cluster and, with opts.Controller, the migration quorum,
// and reports what a migration would copy and what stands in its way. It writes
// nothing anywhere. An error means the check could not run (ExitUnreadable); blockers
// are findings in the report.
func DryRun(ctx context.Context, opts DryRunOptions) (*Report, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = sessionTimeout
	}
	servers, chroot, err := zkmode.ParseConnect(opts.ZooKeeper)
	if err != nil {
		return nil, err
	}
	// The session is opened at the server's root and the chroot added by the reader:
	// zkmode.Dial would create a missing chroot.
	dialCtx, cancel := context.WithTimeout(ctx, timeout)
	conn, err := zkmode.Dial(dialCtx, strings.Join(servers, ","), sessionTimeout, logger)
	cancel()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	start := time.Now()
	obs, err := readZooKeeper(ctx, chrootReader{conn: conn, chroot: chroot})
	if err != nil {
		return nil, fmt.Errorf("read ZooKeeper %s: %w", opts.ZooKeeper, err)
	}
	logger.Info("read the ZooKeeper tree", "zookeeper", opts.ZooKeeper, "brokers", len(obs.tree.BrokerZNodes),
		"topics", len(obs.tree.Image.Topics), "took", time.Since(start).Round(time.Millisecond))
	if opts.Controller != "" {
		viewCtx, cancel := context.WithTimeout(ctx, timeout)
		obs.view, err = opts.Admin.FetchControllerView(viewCtx, opts.Controller)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("read the migration quorum: %w", err)
		}
		logger.Info("read the migration quorum", "controller", opts.Controller, "leader", obs.view.LeaderID,
			"offset", obs.view.Image.Offset, "state", obs.view.Image.ZkMigrationState.String())
	}
	return newReport(opts, obs), nil
}

// newReport assesses what was read.
func newReport(opts DryRunOptions, obs observed) *Report {
	findings, diff := assess(obs)
	r := &Report{
		ZooKeeper: opts.ZooKeeper,
		ClusterID: obs.tree.Image.ClusterID,
		Plan:      planCopy(obs.tree),
		Findings:  make([]Finding, len(findings)),
		Diff:      diff,
	}
	// Lists are never nil, so that JSON shows [] rather than null.
	for i, f := range findings {
		if f.Entities == nil {
			f.Entities = []string{}
		}
		r.Findings[i] = f
	}
	if v := obs.view; v != nil {
		state := v.Image.ZkMigrationState.String()
		r.MigrationState = &state
		r.Quorum = &QuorumState{
			Controller: opts.Controller, NodeID: v.NodeID, LeaderID: v.LeaderID, VoterIDs: voterIDs(v.Voters),
			ClusterID: v.Image.ClusterID, MetadataOffset: v.Image.Offset, MetadataVersion: v.Image.MetadataVersion(),
			InTransaction: v.InTransaction, MigratingBrokers: []int32{},
		}
		for _, id := range slices.Sorted(maps.Keys(v.Image.Brokers)) {
			if v.Image.Brokers[id].IsMigratingZkBroker {
				r.Quorum.MigratingBrokers = append(r.Quorum.MigratingBrokers, id)
			}
		}
	}
	r.Ready = r.Blockers() == 0
	return r
}

// readZooKeeper loads the tree, /migration on its own first so that one that does
// not decode is a finding rather than a failed load.
func readZooKeeper(ctx context.Context, r chrootReader) (observed, error) {
	var obs observed
	data, _, err := r.Get(ctx, znode.MigrationPath)
	switch {
	case errors.Is(err, zk.ErrNoNode):
	case err != nil:
		return obs, err
	default:
		if _, err := znode.DecodeMigration(data); err != nil {
			obs.migrationErr = err
			r.hideMigration = true
		}
	}
	if obs.tree, err = zkmode.LoadTree(ctx, r); err != nil {
		return obs, err
	}
	return obs, nil
}

// chrootReader reads the Kafka tree below chroot through a session opened at the
// server's root. With hideMigration, /migration reads as absent.
type chrootReader struct {
	conn          *zkmode.Conn
	chroot        string
	hideMigration bool
}

func (r chrootReader) Get(ctx context.Context, path string) ([]byte, *zk.Stat, error) {
	if r.hideMigration && path == znode.MigrationPath {
		return nil, nil, fmt.Errorf("get %s: %w", path, zk.ErrNoNode)
	}
	return r.conn.Get(ctx, r.chroot+path)
}

func (r chrootReader) Children(ctx context.Context, path string) ([]string, error) {
	return r.conn.Children(ctx, r.chroot+path)
}
