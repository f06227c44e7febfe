package zkmode

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// SourceOptions configures a ZooKeeper-mode broker's view of its cluster.
type SourceOptions struct {
	// BrokerID is broker.id.
	BrokerID int32
	// ClusterID is meta.properties' cluster.id, "" on a first start: the broker then
	// adopts /cluster/id, or creates it with ProposedClusterID.
	ClusterID         string
	ProposedClusterID string
	// MetadataVersion is the metadata.version the image carries: ZooKeeper has none,
	// a ZooKeeper cluster's version is its inter.broker.protocol.version.
	MetadataVersion int16
	// TopicDefaults and ValidateTopicConfig are what CreateTopics plans with, as the
	// KRaft controller does (num.partitions, default.replication.factor, and the
	// topic config rules).
	TopicDefaults       metadata.TopicDefaults
	ValidateTopicConfig func(name, value string) error
	Logger              *slog.Logger
}

// Source is ZooKeeper mode's metadata.Source read side: the Image a Kafka cluster's
// ZooKeeper tree describes, reloaded whenever a watched znode changes. It loads the
// whole tree through LoadTree, the same reader the migration uses, so a broker and
// the migration can never disagree about what ZooKeeper says.
type Source struct {
	conn *Conn
	opts SourceOptions
	log  *slog.Logger

	reader  *watchingReader
	current atomic.Pointer[metadata.Image]
	tree    atomic.Pointer[Tree]
	loads   atomic.Int64
	// loadsStarted counts loads begun; loadedStart is the start number of the last
	// published one, so a writer can wait for a load that began after its write.
	loadsStarted atomic.Int64
	loadedStart  atomic.Int64
	// connected says whether the session is connected, and connectedAt how many
	// loads had started when it last (re)connected: a tree is current only if its
	// load started after that (Current).
	connected   atomic.Bool
	connectedAt atomic.Int64
	wake        chan struct{}

	subMu sync.Mutex
	subs  []func(*metadata.Image)

	regMu sync.Mutex
	reg   *znode.BrokerZNode // nil until RegisterBroker, and after ControlledShutdown
	epoch atomic.Int64
	// elections is the controller in this broker that runs ElectLeaders.
	elections LeaderElections

	stop chan struct{}
	done chan struct{}
}

// reloadDelay gathers the watch events of one change (a topic znode and its
// partitions' state znodes are written one after another) into one reload.
const reloadDelay = 20 * time.Millisecond

// reloadTimeout bounds one reload of the tree.
const reloadTimeout = 30 * time.Second

// StartSource prepares ZooKeeper as a Kafka broker does at startup (the persistent
// top-level paths, /cluster/id created or adopted), loads the tree and keeps it
// loaded. A cluster id that differs from meta.properties' is refused, as Kafka
// refuses it (InconsistentClusterIdException).
func StartSource(ctx context.Context, conn *Conn, opts SourceOptions) (*Source, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := CreateTopLevelPaths(ctx, conn); err != nil {
		return nil, err
	}
	proposed := opts.ClusterID
	if proposed == "" {
		proposed = opts.ProposedClusterID
	}
	clusterID, err := CreateOrGetClusterID(ctx, conn, proposed)
	if err != nil {
		return nil, err
	}
	if opts.ClusterID != "" && clusterID != opts.ClusterID {
		return nil, fmt.Errorf("the Cluster ID %s doesn't match stored clusterId %s in meta.properties: the broker is trying to join the wrong cluster", clusterID, opts.ClusterID)
	}
	s := &Source{
		conn: conn,
		opts: opts,
		log:  opts.Logger.With("component", "zk-source", "broker.id", opts.BrokerID),
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	s.epoch.Store(-1)
	s.reader = newWatchingReader(conn, s.requestReload)
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	// The tree was just read in a session; run hears first of the session as it is
	// now, so a connection lost meanwhile makes it not current at once.
	s.connected.Store(true)
	go s.run()
	return s, nil
}

// ClusterID is the cluster this broker belongs to.
func (s *Source) ClusterID() string { return s.Image().ClusterID }

// Image returns the newest loaded image.
func (s *Source) Image() *metadata.Image { return s.current.Load() }

// Tree returns the newest loaded tree (controller epoch, pending deletions ...).
func (s *Source) Tree() *Tree { return s.tree.Load() }

// Current tells whether the tree this source serves is ZooKeeper as it is now, as far
// as a client can know: the session is connected, and the tree was loaded after it
// last connected (its watches then report every later change). While the connection
// is lost, or a new session's tree is still loading, ZooKeeper may have moved on
// unseen: a new controller elected, leaderships moved.
func (s *Source) Current() bool {
	return s.connected.Load() && s.loadedStart.Load() > s.connectedAt.Load()
}

// Subscribe registers fn for every newly loaded image, called in order from the
// reload goroutine.
func (s *Source) Subscribe(fn func(*metadata.Image)) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.subs = append(s.subs, fn)
}

// requestReload asks the reload goroutine for a new load; requests coalesce.
func (s *Source) requestReload() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Source) run() {
	defer close(s.done)
	sessions := s.conn.SessionEvents()
	var session int64
	// presumed says leadership was suspended because the session was presumed
	// expired: if that session comes back, the tree must be loaded again to lead.
	presumed := false
	for {
		select {
		case <-s.stop:
			return
		case ev, ok := <-sessions:
			if !ok {
				return
			}
			switch ev.State {
			case zk.StateHasSession:
			case zk.StateExpired:
				s.suspendLeadership("ZooKeeper session expired")
				s.connected.Store(false)
				continue
			case StatePresumedExpired:
				s.suspendLeadership("ZooKeeper session presumed expired")
				presumed = true
				s.connected.Store(false)
				continue
			default:
				s.connected.Store(false)
				continue
			}
			switch {
			case session == 0:
				// The session StartSource loaded the tree in.
			case ev.SessionID != session:
				s.log.Info("new ZooKeeper session; registering again and reloading the tree", "session", fmt.Sprintf("0x%x", ev.SessionID))
				s.reader.forget()
				s.reregister()
				s.connectedAt.Store(s.loadsStarted.Load())
				s.requestReload()
			default:
				// Reconnected within the session: the watches are set again, but
				// only a load from now on says the tree is current, and lets a
				// leadership suspended while the session was presumed expired lead.
				if presumed {
					s.log.Info("the ZooKeeper session presumed expired is back; reloading the tree to lead again", "session", fmt.Sprintf("0x%x", ev.SessionID))
				}
				s.connectedAt.Store(s.loadsStarted.Load())
				s.requestReload()
			}
			session, presumed = ev.SessionID, false
			s.connected.Store(true)
			continue
		case <-s.wake:
		}
		select {
		case <-s.stop:
			return
		case <-time.After(reloadDelay):
		}
		if s.conn.SessionPresumedExpired() {
			// Nothing can be read until a session is back, and then it asks for a load.
			continue
		}
		ctx, cancel := s.loadContext()
		err := s.load(ctx)
		cancel()
		if err != nil {
			s.log.Warn("reload of the ZooKeeper tree failed; retrying", "err", err)
			time.AfterFunc(time.Second, s.requestReload)
		}
	}
}

// load reads the tree through the watching reader and publishes its image.
func (s *Source) load(ctx context.Context) error {
	started := s.loadsStarted.Add(1)
	t, err := LoadTree(ctx, s.reader)
	if err != nil {
		return fmt.Errorf("load the ZooKeeper tree: %w", err)
	}
	img := t.Image
	if s.opts.MetadataVersion > 0 {
		img.Features[metadata.FeatureMetadataVersion] = s.opts.MetadataVersion
	}
	img.SetPosition(s.loads.Add(1), t.ControllerEpoch)
	if s.conn.SessionPresumedExpired() {
		// Read before the session was presumed expired, or on a connection whose
		// session is gone: not a view to lead from. The tree keeps what it read.
		img, _ = s.withoutThisBroker(img)
	}
	s.tree.Store(t)
	s.publish(img)
	s.loadedStart.Store(started)
	return nil
}

// publish makes img current and tells subscribers, in order; only the reload
// goroutine (and StartSource before it) calls it.
func (s *Source) publish(img *metadata.Image) {
	s.current.Store(img)
	s.subMu.Lock()
	subs := s.subs
	s.subMu.Unlock()
	for _, fn := range subs {
		fn(img)
	}
}

// Close stops reloading; the connection is the caller's.
func (s *Source) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
}

// A ZooKeeper-mode broker serves clients through the same broker code as a KRaft one.
var _ metadata.Source = (*Source)(nil)
