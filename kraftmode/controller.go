// Package kraftmode is KRaft mode's controller quorum: a hashicorp/raft quorum with
// raft-boltdb stores, whose log entries are Kafka record batches of metadata records
// applied to a metadata.Image; the controller logic that writes them (bootstrap, broker
// registration and heartbeats, fencing, topics, configs, leader election,
// AlterPartition, producer ids); and the Kafka APIs of the controller listener. The
// broker side of KRaft mode (the follower of the metadata log and the source that
// forwards a broker's writes to the active controller) is kraftmode/kraftbroker, which
// imports this package and is never imported by it.
//
// Besides metadata, hashicorp/raft and raft-boltdb (docs/architecture.md, "Packages") it imports franz-go's
// kmsg/kerr and kwire: brokers and controllers talk over Kafka's own protocol
// (BrokerRegistration, BrokerHeartbeat, AlterPartition, Fetch of __cluster_metadata),
// as in Kafka, and kwire is the leaf that frames it for both sides.
package kraftmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// Options configures one controller quorum member; the node's assembly fills it from
// server.properties.
type Options struct {
	// NodeID is node.id; it must be one of Voters.
	NodeID int32
	// ClusterID is meta.properties' cluster.id, stamped on every image.
	ClusterID string
	// Dir is the __cluster_metadata-0 directory; raft.db and snapshots live in it, and
	// the bootstrap.checkpoint that `storage format` wrote is read from its parent.
	Dir string
	// Voters is controller.quorum.voters; a new cluster's Raft configuration.
	Voters []Voter
	// ElectionTimeout is controller.quorum.election.timeout.ms; 0 means 1 s.
	ElectionTimeout time.Duration
	// SnapshotThreshold is the number of log entries between snapshots; 0 means 8192.
	SnapshotThreshold uint64
	// SnapshotInterval is metadata.log.max.snapshot.interval.ms: a snapshot is taken
	// at least this often while the log grows, whatever the threshold; 0 means never
	// by time.
	SnapshotInterval time.Duration
	// TrailingLogs is how many entries a snapshot leaves in the log for slow
	// followers; 0 means Raft's default (10240).
	TrailingLogs uint64
	// Logger receives the controller's and Raft's logs; nil means slog.Default().
	Logger *slog.Logger
	// Defaults are the values CreateTopics uses for -1; zero values mean 1.
	Defaults TopicDefaults
	// ValidateTopicConfig checks one topic config key and value (nil: accept all).
	ValidateTopicConfig func(name, value string) error
	// BrokerSessionTimeout is broker.session.timeout.ms: a broker silent for this long
	// is fenced; 0 means 9 s.
	BrokerSessionTimeout time.Duration
	// AutoLeaderRebalance is auto.leader.rebalance.enable: every
	// LeaderImbalanceCheckInterval (0 means 300 s) the active controller moves
	// leadership back to preferred replicas.
	AutoLeaderRebalance          bool
	LeaderImbalanceCheckInterval time.Duration
	// UncleanLeaderElection is the broker default of unclean.leader.election.enable;
	// a topic's own config overrides it.
	UncleanLeaderElection bool
	// ListenerName names the endpoint in this controller's RegisterControllerRecord;
	// "" means CONTROLLER, the name Kafka's examples use.
	ListenerName string
	// ZkMigrationEnabled is zookeeper.metadata.migration.enable on a controller
	// (KIP-866). An empty metadata log is then bootstrapped in PRE_MIGRATION, where
	// the controller accepts only broker registrations, heartbeats and the migration's
	// own writes until CopyZkMetadata has copied ZooKeeper's metadata, and ZooKeeper
	// brokers may register as migrating brokers. Activation refuses it on a log that
	// was created in KRaft mode.
	ZkMigrationEnabled bool
	// MigrationBatchDelay is a test hook, zero in production: CopyZkMetadata pauses
	// this long after every batch but the last, so that a test can kill the active
	// controller in the middle of a copy.
	MigrationBatchDelay time.Duration
}

// Voter is one entry of controller.quorum.voters (id@host:port).
type Voter struct {
	ID   int32
	Host string
	Port int
}

// Addr is the voter's controller listener as host:port, where Raft and Kafka's
// protocol reach it.
func (v Voter) Addr() string { return net.JoinHostPort(v.Host, strconv.Itoa(v.Port)) }

// Peers is voters as a kwire.ControllerChannel addresses them. Both sides of KRaft mode
// open such a channel to the active controller: a controller that is not the active
// one to register with it, a broker (kraftbroker) for its registration, heartbeats and
// forwarded writes.
func Peers(voters []Voter) []kwire.Peer {
	peers := make([]kwire.Peer, 0, len(voters))
	for _, v := range voters {
		peers = append(peers, kwire.Peer{ID: v.ID, Addr: v.Addr()})
	}
	return peers
}

// TopicDefaults are the broker defaults a CreateTopics request with -1 falls back to.
type TopicDefaults = metadata.TopicDefaults

// Controller is a KRaft controller: a hashicorp/raft voter whose FSM holds the
// metadata.Image, and, while it leads, the only writer of the metadata log. It
// implements metadata.Source.
type Controller struct {
	opts        Options
	log         *slog.Logger
	fsm         *fsm
	raft        *raft.Raft
	trans       *raft.NetworkTransport
	observed    *observingTransport // trans as Raft uses it: records replication for DescribeQuorum
	store       *raftboltdb.BoltStore
	incarnation metadata.Uuid
	// peerSecurity is how this controller connects to the other voters' controller
	// listeners, for Raft and for its registration with the active controller: the
	// stream layer's, so both are secured alike.
	peerSecurity kwire.Security
	// bootstrapImage is what bootstrap.checkpoint holds, for CredentialImage.
	bootstrapImage *metadata.Image

	// writeMu serializes every write so that each one validates against the image
	// its predecessors produced, as Kafka's single controller event thread does.
	writeMu sync.Mutex
	// readyTerm is the Raft term in which this node finished becoming an active
	// controller (barrier applied, activation records written); 0 = never.
	readyTerm atomic.Uint64
	// active is the leader-only state of the current term (broker sessions, periodic
	// tasks); nil unless this node is the active controller. It is created on
	// activation and dropped when leadership ends.
	active atomic.Pointer[activeTerm]
	// raftMetrics measure the metadata log's commits, elections and record rates.
	raftMetrics raftMetrics

	shutdown  chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ metadata.Source = (*Controller)(nil)

// applyTimeout bounds how long a write waits to be enqueued by Raft.
const applyTimeout = 10 * time.Second

// Start opens (or creates) the Raft state in opts.Dir and joins the quorum. A node with
// no state bootstraps the Raft configuration from opts.Voters, so every voter of a new
// cluster starts from the same configuration, as controller.quorum.voters implies.
func Start(opts Options, stream *StreamLayer) (*Controller, error) {
	if stream == nil {
		return nil, errNoStream
	}
	if err := checkOptions(&opts); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create metadata log dir %s: %w", opts.Dir, err)
	}
	c := &Controller{
		opts:         opts,
		log:          opts.Logger.With("component", "kraft-controller", "node.id", opts.NodeID),
		incarnation:  metadata.RandomUuid(),
		peerSecurity: stream.opts.Client,
		shutdown:     make(chan struct{}),
	}
	c.fsm = newFSM(opts.ClusterID, c.log)
	c.fsm.onApply = c.raftMetrics.applied
	if err := c.loadBootstrapImage(); err != nil {
		return nil, err
	}

	rlog := newHclogAdapter(opts.Logger.With("component", "raft", "node.id", opts.NodeID))
	store, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(opts.Dir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("open raft store %s: %w", filepath.Join(opts.Dir, "raft.db"), err)
	}
	c.store = store
	logs, err := raft.NewLogCache(512, store)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("create raft log cache: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(opts.Dir, 2, rlog)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("open snapshot store in %s: %w", opts.Dir, err)
	}
	c.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream:  stream,
		MaxPool: 3,
		Timeout: 10 * time.Second,
		Logger:  rlog,
	})
	c.observed = newObservingTransport(c.trans, logs)

	conf := raftConfig(opts, rlog)
	existing, err := raft.HasExistingState(logs, store, snaps)
	if err != nil {
		_ = c.closeStores()
		return nil, fmt.Errorf("check raft state in %s: %w", opts.Dir, err)
	}
	if !existing {
		if err := raft.BootstrapCluster(conf, logs, store, snaps, c.trans, votersConfiguration(opts.Voters)); err != nil {
			_ = c.closeStores()
			return nil, fmt.Errorf("bootstrap raft configuration: %w", err)
		}
	}
	r, err := raft.NewRaft(conf, c.fsm, logs, store, snaps, c.observed)
	if err != nil {
		_ = c.closeStores()
		return nil, fmt.Errorf("start raft node %d: %w", opts.NodeID, err)
	}
	c.raft = r
	c.raftMetrics.started.Store(&startedRaft{r: r, localEnd: r.LastIndex()})
	c.wg.Add(3)
	go c.watchLeadership()
	go c.registerWithActive()
	go c.watchElections()
	if opts.SnapshotInterval > 0 {
		c.wg.Add(1)
		go c.snapshotByTime(opts.SnapshotInterval)
	}
	c.log.Info("kraft controller started", "dir", opts.Dir, "voters", len(opts.Voters), "existing_state", existing)
	return c, nil
}

func checkOptions(opts *Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ElectionTimeout <= 0 {
		opts.ElectionTimeout = time.Second
	}
	if opts.SnapshotThreshold == 0 {
		opts.SnapshotThreshold = 8192
	}
	if opts.BrokerSessionTimeout <= 0 {
		opts.BrokerSessionTimeout = 9 * time.Second
	}
	if opts.LeaderImbalanceCheckInterval <= 0 {
		opts.LeaderImbalanceCheckInterval = 300 * time.Second
	}
	if opts.ListenerName == "" {
		opts.ListenerName = "CONTROLLER"
	}
	if opts.Defaults.NumPartitions <= 0 {
		opts.Defaults.NumPartitions = 1
	}
	if opts.Defaults.ReplicationFactor <= 0 {
		opts.Defaults.ReplicationFactor = 1
	}
	if opts.Dir == "" {
		return errors.New("kraft controller: metadata log dir is empty")
	}
	if _, ok := voterOf(opts.Voters, opts.NodeID); !ok {
		return fmt.Errorf("kraft controller: node.id %d is not in controller.quorum.voters", opts.NodeID)
	}
	return nil
}

func voterOf(voters []Voter, id int32) (Voter, bool) {
	for _, v := range voters {
		if v.ID == id {
			return v, true
		}
	}
	return Voter{}, false
}

// raftConfig derives Raft's timers from the one election timeout Kafka exposes. The
// heartbeat timeout (how long a follower waits before campaigning, randomized up to
// twice that) is half of it, so a single voter leads within about a second.
func raftConfig(opts Options, rlog hclog.Logger) *raft.Config {
	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(strconv.Itoa(int(opts.NodeID)))
	conf.ElectionTimeout = opts.ElectionTimeout
	conf.HeartbeatTimeout = opts.ElectionTimeout / 2
	conf.LeaderLeaseTimeout = opts.ElectionTimeout / 2
	conf.SnapshotThreshold = opts.SnapshotThreshold
	if opts.TrailingLogs > 0 {
		conf.TrailingLogs = opts.TrailingLogs
	}
	if opts.SnapshotInterval > 0 && opts.SnapshotInterval < conf.SnapshotInterval {
		conf.SnapshotInterval = opts.SnapshotInterval
	}
	conf.Logger = rlog
	return conf
}

func votersConfiguration(voters []Voter) raft.Configuration {
	var cfg raft.Configuration
	for _, v := range voters {
		cfg.Servers = append(cfg.Servers, raft.Server{
			Suffrage: raft.Voter,
			ID:       raft.ServerID(strconv.Itoa(int(v.ID))),
			Address:  raft.ServerAddress(v.Addr()),
		})
	}
	return cfg
}

// Close leaves the quorum gracefully: Raft shuts down (failing pending writes), then the
// transport and the stores close. It is safe to call more than once.
func (c *Controller) Close() error {
	c.closeOnce.Do(func() {
		close(c.shutdown)
		var errs []error
		if err := c.raft.Shutdown().Error(); err != nil {
			errs = append(errs, fmt.Errorf("shut down raft: %w", err))
		}
		c.wg.Wait()
		if err := c.closeStores(); err != nil {
			errs = append(errs, err)
		}
		c.closeErr = errors.Join(errs...)
		c.log.Info("kraft controller stopped")
	})
	return c.closeErr
}

func (c *Controller) closeStores() error {
	var errs []error
	if err := c.trans.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close raft transport: %w", err))
	}
	if err := c.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close raft store: %w", err))
	}
	return errors.Join(errs...)
}

// IsLeader reports whether this node is the active controller and has finished taking
// over (so writes sent to it will be accepted).
func (c *Controller) IsLeader() bool {
	return c.raft.State() == raft.Leader && c.readyTerm.Load() == c.raft.CurrentTerm()
}

// LeaderID is the node id of the current Raft leader, or -1 when none is known, for
// the broker's controller-id in Metadata responses and NOT_CONTROLLER redirects.
func (c *Controller) LeaderID() int32 {
	_, id := c.raft.LeaderWithID()
	if id == "" {
		return -1
	}
	n, err := strconv.ParseInt(string(id), 10, 32)
	if err != nil {
		return -1
	}
	return int32(n)
}

// AppliedOffset is the Raft index this controller's FSM has applied, so a combined
// node's broker can report it in heartbeats (the Controller is that broker's
// kraftbroker.ImageFeed).
func (c *Controller) AppliedOffset() int64 { return int64(c.raft.AppliedIndex()) }

// WaitReady blocks until this node serves the committed image: on the leader once it
// has applied its barrier and written the bootstrap records, on a follower once it
// knows a leader and has applied everything that leader committed. A broker must not
// serve from the image before that.
func (c *Controller) WaitReady(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !c.ready() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for kraft controller %d to be ready: %w", c.opts.NodeID, ctx.Err())
		case <-c.shutdown:
			return fmt.Errorf("wait for kraft controller %d to be ready: %w", c.opts.NodeID, raft.ErrRaftShutdown)
		case <-t.C:
		}
	}
	return nil
}

func (c *Controller) ready() bool {
	if c.fsm.image().MetadataVersion() == 0 {
		return false
	}
	if c.raft.State() == raft.Leader {
		return c.IsLeader()
	}
	if c.LeaderID() < 0 {
		return false
	}
	commit := c.raft.CommitIndex()
	return commit > 0 && c.raft.AppliedIndex() >= commit
}
