// Package node assembles one kbridge process from its config: which roles it runs,
// which metadata source its broker reads, and which listeners it opens. It is the one
// place that knows about every mode, so the broker never has to.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/broker"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/kraftmode/kraftbroker"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/metrics"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/tlsconf"
	"github.com/kbridge/kbridge/zkmode"
)

// Node is a running kbridge process: a controller, a broker, or both.
type Node struct {
	cfg        *config.Config
	log        *slog.Logger
	controller *kraftmode.Controller
	ctrlServer *kraftmode.ControllerServer
	admin      *migrate.AdminServer
	driver     *migrate.Driver
	driverZK   *zkmode.Conn
	follower   *kraftbroker.MetadataFollower
	source     *kraftbroker.BrokerSource
	zk         *zkBroker
	broker     *broker.Broker
	listeners  []net.Listener
	// brokerTLS holds the TLS config of each broker listener mapped to SSL or
	// SASL_SSL, which the broker reloads when its keystore keys are altered.
	brokerTLS map[string]*tlsconf.Reloadable
	// ctlSec is the controller listener's security, served and dialed.
	ctlSec controllerSecurity
	// metrics are the metrics.listeners servers; started says the roles are up.
	metrics []*metrics.Server
	started atomic.Bool
	wg      sync.WaitGroup

	// migrationPage is a migration controller's status page (migration_page.go).
	migrationPage *migrate.StatusPage
}

// Start brings up the roles cfg asks for. A KRaft node refuses an unformatted data
// directory: formatting is an explicit step (`kbridge storage format`), never implicit.
// A ZooKeeper-mode node (no process.roles) is a broker coordinated through
// zookeeper.connect, which writes its meta.properties itself, as Kafka's does.
func Start(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*Node, error) {
	brokerTLS, err := brokerListenerTLS(cfg)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: logger, brokerTLS: brokerTLS}
	if n.ctlSec, err = newControllerSecurity(cfg, n.credentialImage); err != nil {
		return nil, err
	}
	if err := n.startMetrics(); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.startRoles(ctx); err != nil {
		n.Close()
		return nil, err
	}
	n.started.Store(true)
	return n, nil
}

// startRoles starts the broker of a ZooKeeper-mode node, or the controller and broker
// process.roles names, each with its metrics.
func (n *Node) startRoles(ctx context.Context) error {
	if n.cfg.Mode() == config.ModeZooKeeper {
		if err := n.startZooKeeperBroker(ctx); err != nil {
			return err
		}
		if err := n.addZooKeeperControllerMetrics(); err != nil {
			return err
		}
		return n.addBrokerMetrics()
	}
	meta, err := checkFormatted(n.cfg)
	if err != nil {
		return err
	}
	if n.cfg.IsController() {
		if err := n.startController(ctx, meta.ClusterID); err != nil {
			return err
		}
		if err := n.addControllerMetrics(); err != nil {
			return err
		}
		n.addMigrationPage()
	}
	if n.cfg.IsBroker() {
		if err := n.startBroker(ctx, meta.ClusterID); err != nil {
			return err
		}
		return n.addBrokerMetrics()
	}
	return nil
}

// checkFormatted reads meta.properties from every data directory and checks they
// belong to this node and one cluster.
func checkFormatted(cfg *config.Config) (*config.MetaProperties, error) {
	var first *config.MetaProperties
	for _, dir := range DataDirs(cfg) {
		mp, err := config.ReadMetaProperties(dir)
		if err != nil {
			return nil, fmt.Errorf("log directory %s is not formatted (run `kbridge storage format -t $(kbridge storage random-uuid) -c %s`): %w", dir, cfg.Source, err)
		}
		if mp.Version != 1 && !(mp.Version == 0 && migratedBroker(cfg)) {
			return nil, fmt.Errorf("%s/meta.properties is version %d (ZooKeeper mode); a KRaft node needs version 1 (a broker-only node may keep a migrated ZooKeeper broker's version 0)", dir, mp.Version)
		}
		if mp.NodeID != cfg.NodeID {
			return nil, fmt.Errorf("%s/meta.properties has node.id %d but %s says node.id=%d", dir, mp.NodeID, cfg.Source, cfg.NodeID)
		}
		if first != nil && mp.ClusterID != first.ClusterID {
			return nil, fmt.Errorf("%s/meta.properties has cluster.id %s, another directory has %s", dir, mp.ClusterID, first.ClusterID)
		}
		if first == nil {
			first = mp
		}
	}
	return first, nil
}

// migratedBroker tells whether a KRaft node may start on a ZooKeeper broker's version-0
// meta.properties: a broker-only node, restarted with process.roles=broker after a
// migration, as Kafka's migrated brokers are without reformatting their log dirs. The
// broker.id it holds must still be node.id, which the caller checks.
func migratedBroker(cfg *config.Config) bool {
	return cfg.IsBroker() && !cfg.IsController()
}

// DataDirs are the directories `storage format` writes: every log dir and the
// metadata log dir.
func DataDirs(cfg *config.Config) []string {
	dirs := append([]string(nil), cfg.LogDirs...)
	for _, d := range dirs {
		if filepath.Clean(d) == filepath.Clean(cfg.MetadataLogDir) {
			return dirs
		}
	}
	return append(dirs, cfg.MetadataLogDir)
}

// metadataPartitionDir is where the Raft log and snapshots live.
func metadataPartitionDir(cfg *config.Config) string {
	return filepath.Join(cfg.MetadataLogDir, "__cluster_metadata-0")
}

func (n *Node) startController(ctx context.Context, clusterID string) error {
	cl, ok := n.cfg.ControllerListener()
	if !ok {
		return fmt.Errorf("%s: controller.listener.names: no listener of that name in listeners", n.cfg.Source)
	}
	var self config.QuorumVoter
	for _, v := range n.cfg.ControllerQuorumVoters {
		if v.ID == n.cfg.NodeID {
			self = v
		}
	}
	ip, err := resolveVoterHost(ctx, n.cfg, self)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cl.Host, strconv.Itoa(cl.Port)))
	if err != nil {
		return fmt.Errorf("listen on controller listener %s: %w", cl.Name, err)
	}
	n.listeners = append(n.listeners, ln)
	ln = listenTLS(ln, n.ctlSec.server)
	stream := kraftmode.NewStreamLayer(&net.TCPAddr{IP: ip, Port: self.Port}, kraftmode.StreamOptions{
		Client:         n.ctlSec.client,
		Mechanisms:     n.ctlSec.mechanisms,
		MaxRequestSize: n.cfg.SocketRequestMaxBytes,
		Authorize:      n.raftAuthorizer(),
		Logger:         n.log,
	})
	ctrl, err := kraftmode.Start(kraftmode.Options{
		NodeID:                       n.cfg.NodeID,
		ClusterID:                    clusterID,
		Dir:                          metadataPartitionDir(n.cfg),
		Voters:                       configuredVoters(n.cfg),
		ElectionTimeout:              time.Duration(n.cfg.ControllerQuorumElectionTimeoutMs) * time.Millisecond,
		SnapshotThreshold:            snapshotThreshold(n.cfg.MetadataLogMaxRecordBytesBetweenSnapshots),
		SnapshotInterval:             time.Duration(n.cfg.MetadataLogMaxSnapshotIntervalMs) * time.Millisecond,
		BrokerSessionTimeout:         time.Duration(n.cfg.BrokerSessionTimeoutMs) * time.Millisecond,
		AutoLeaderRebalance:          n.cfg.AutoLeaderRebalanceEnable,
		LeaderImbalanceCheckInterval: time.Duration(n.cfg.LeaderImbalanceCheckIntervalSeconds) * time.Second,
		UncleanLeaderElection:        n.cfg.UncleanLeaderElectionEnable,
		ZkMigrationEnabled:           n.cfg.ZookeeperMetadataMigrationEnable,
		MigrationBatchDelay:          migrationBatchDelay(n.log),
		ListenerName:                 cl.Name,
		Logger:                       n.log,
		Defaults: kraftmode.TopicDefaults{
			NumPartitions:     n.cfg.NumPartitions,
			ReplicationFactor: int16(n.cfg.DefaultReplicationFactor),
		},
		ValidateTopicConfig: config.ValidateTopicConfig,
	}, stream)
	if err != nil {
		return fmt.Errorf("start controller: %w", err)
	}
	n.controller = ctrl
	n.ctrlServer = kraftmode.NewControllerServer(ctrl, n.cfg.SocketRequestMaxBytes, n.ctlSec.mechanisms, n.log).WithAuthorizer(authz.New(n.cfg))
	n.admin = migrate.NewAdminServer(ctrl, n.cfg.NodeID, adminVoters(n.cfg), n.ctlSec.adminAccess(n.cfg), n.log)
	n.wg.Add(1)
	go n.acceptController(ln, stream)
	if err := ctrl.WaitReady(ctx); err != nil {
		return fmt.Errorf("wait for the metadata quorum: %w", err)
	}
	n.log.Info("controller ready", "leader", ctrl.LeaderID())
	if n.cfg.ZookeeperMetadataMigrationEnable {
		return n.startMigrationDriver(ctx)
	}
	return nil
}

// credentialImage is where the controller listener looks SCRAM credentials up
// (kraftmode.Controller.CredentialImage); it is called only for connections the
// controller accepts, which it does once it has started.
func (n *Node) credentialImage() *metadata.Image { return n.controller.CredentialImage() }

// adminVoters lists the quorum for the admin endpoint, so a migration command that
// reached a follower can find the active controller.
func adminVoters(cfg *config.Config) []migrate.Voter {
	out := make([]migrate.Voter, 0, len(cfg.ControllerQuorumVoters))
	for _, v := range cfg.ControllerQuorumVoters {
		out = append(out, migrate.Voter{ID: v.ID, Host: v.Host, Port: v.Port})
	}
	return out
}

// snapshotThreshold turns Kafka's byte threshold between snapshots into Raft's entry
// count, taking a metadata batch as about 1 KiB; at least 16 entries, so a tiny
// setting does not snapshot on every write.
func snapshotThreshold(bytes int64) uint64 {
	return uint64(max(bytes/1024, 16))
}

// resolveVoterHost turns this node's host in controller.quorum.voters into the IP
// Raft advertises to the other voters. A name that does not resolve is a start-up
// error: advertising a guessed address (loopback) would point every peer at itself.
// A controller that is not among the voters (it found the quorum through
// controller.quorum.bootstrap.servers) has no host there and keeps the loopback
// placeholder it always had.
func resolveVoterHost(ctx context.Context, cfg *config.Config, self config.QuorumVoter) (net.IP, error) {
	if self.Host == "" {
		return net.IPv4(127, 0, 0, 1), nil
	}
	if ip := net.ParseIP(self.Host); ip != nil {
		return ip, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, self.Host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: controller.quorum.voters: cannot resolve host %q of voter %d (this node), which Raft advertises to the other voters: %w",
			cfg.Source, self.Host, self.ID, err)
	}
	return addrs[0].IP, nil
}

// acceptController demultiplexes the controller port: Raft connections announce
// themselves with kraftmode.RaftConnMagic, Kafka requests begin with a size whose
// first byte is 0x00, and the migration admin endpoint's HTTP requests with a method
// name's capital letter. On a TLS listener the handshake comes first, so all three
// run over it.
func (n *Node) acceptController(ln net.Listener, stream *kraftmode.StreamLayer) {
	defer n.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go n.routeControllerConn(conn, stream)
	}
}

// routeControllerConn reads the first byte (on a TLS listener, after the handshake,
// which the same deadline bounds) and hands the connection to its protocol's server.
func (n *Node) routeControllerConn(conn net.Conn, stream *kraftmode.StreamLayer) {
	var first [1]byte
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(first[:]); err != nil {
		n.log.Debug("controller listener: connection closed before its first byte", "remote", conn.RemoteAddr().String(), "err", err)
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	principal, err := n.ctlSec.principal(conn)
	if err != nil {
		n.log.Warn("controller listener: refusing a client certificate", "remote", conn.RemoteAddr().String(), "err", err)
		conn.Close()
		return
	}
	if first[0] == kraftmode.RaftConnMagic {
		stream.HandOff(conn, principal)
		return
	}
	if first[0] >= 'A' && first[0] <= 'Z' {
		n.admin.ServeConn(&kwire.PrefixConn{Conn: conn, Prefix: first[:]}, migrate.Peer{TLS: n.ctlSec.server != nil, Principal: principal})
		return
	}
	n.ctrlServer.ServeConn(&kwire.PrefixConn{Conn: conn, Prefix: first[:]}, principal)
}

// startBroker follows the metadata log (the local controller's, or fetched from the
// quorum), registers with the active controller, and opens the client listeners only
// once the controller has unfenced the broker, as a Kafka broker does.
func (n *Node) startBroker(ctx context.Context, clusterID string) error {
	voters, err := n.quorumVoters(ctx)
	if err != nil {
		return err
	}
	var feed kraftbroker.ImageFeed = n.controller
	if n.controller == nil {
		n.follower = kraftbroker.StartMetadataFollower(kraftbroker.FollowerOptions{
			NodeID:         n.cfg.NodeID,
			ClusterID:      clusterID,
			Voters:         voters,
			RequestTimeout: time.Duration(n.cfg.ControllerQuorumRequestTimeoutMs) * time.Millisecond,
			Security:       n.ctlSec.client,
			Logger:         n.log,
		})
		feed = n.follower
		n.log.Info("following the metadata log", "voters", len(voters))
		if err := n.follower.WaitCaughtUp(ctx); err != nil {
			return err
		}
	}
	n.source = kraftbroker.NewBrokerSource(feed, kraftbroker.BrokerSourceOptions{
		NodeID:            n.cfg.NodeID,
		ClusterID:         clusterID,
		Voters:            voters,
		HeartbeatInterval: time.Duration(n.cfg.BrokerHeartbeatIntervalMs) * time.Millisecond,
		SessionTimeout:    time.Duration(n.cfg.BrokerSessionTimeoutMs) * time.Millisecond,
		Security:          n.ctlSec.client,
		Logger:            n.log,
	})
	b, err := broker.New(n.cfg, n.source, n.log)
	if err != nil {
		return fmt.Errorf("start broker: %w", err)
	}
	n.broker = b.WithListenerTLS(n.brokerTLS)
	if err := b.Register(ctx, metadata.RandomUuid()); err != nil {
		return err
	}
	if err := n.source.WaitUnfenced(ctx); err != nil {
		return err
	}
	n.log.Info("broker unfenced by the controller", "broker.epoch", n.source.Epoch())
	return n.serveBrokerListeners(b)
}

// serveBrokerListeners opens the client listeners, which is the last step of a
// broker's start in either mode.
func (n *Node) serveBrokerListeners(b *broker.Broker) error {
	for _, l := range n.cfg.BrokerListeners() {
		ln, err := net.Listen("tcp", net.JoinHostPort(l.Host, strconv.Itoa(l.Port)))
		if err != nil {
			return fmt.Errorf("listen on %s://%s:%d: %w", l.Name, l.Host, l.Port, err)
		}
		if r := n.brokerTLS[l.Name]; r != nil {
			ln = listenTLS(ln, r.ServerConfig())
		}
		n.wg.Add(1)
		go func(name string) {
			defer n.wg.Done()
			if err := b.Serve(ln, name); err != nil {
				n.log.Error("listener stopped", "listener", name, "err", err)
			}
		}(l.Name)
	}
	return nil
}

// Close shuts down the broker first (a controlled shutdown hands its leaderships to
// other replicas), then its link to the quorum, then the quorum member.
func (n *Node) Close() error {
	var errs []error
	if n.broker != nil {
		errs = append(errs, n.broker.Close())
	}
	if n.source != nil {
		n.source.Close()
	}
	if n.zk != nil {
		n.zk.close()
	}
	if n.follower != nil {
		n.follower.Close()
	}
	if n.ctrlServer != nil {
		n.ctrlServer.Close()
	}
	if n.admin != nil {
		n.admin.Close()
	}
	n.closeMigrationPage()
	if n.driver != nil {
		n.driver.Close()
	}
	if n.driverZK != nil {
		n.driverZK.Close()
	}
	for _, ln := range n.listeners {
		ln.Close()
	}
	if n.controller != nil {
		errs = append(errs, n.controller.Close())
	}
	n.closeMetrics()
	n.wg.Wait()
	return errors.Join(errs...)
}
