package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/kbridge/kbridge/broker"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// zkBroker is what a ZooKeeper-mode node runs besides the broker: its session, the
// tree it reads, and its part in the controller election.
type zkBroker struct {
	conn       *zkmode.Conn
	source     *zkmode.Source
	controller *zkmode.Controller
	stopElect  context.CancelFunc
	elected    chan struct{}
	// link ties the broker to the KRaft quorum while a migration is enabled, and
	// stopSwitch ends the goroutine that moves the broker between the two sources.
	link       *quorumLink
	stopSwitch context.CancelFunc
	switched   chan struct{}
	// onQuorum is set while the broker leads from the quorum (runSourceSwitch).
	onQuorum atomic.Bool
}

// startZooKeeperBroker brings up a ZooKeeper-mode broker as Kafka's KafkaServer does:
// meta.properties v0 checked (or written on the first start), the session opened,
// /cluster/id adopted, the broker registered as /brokers/ids/<id>, and the broker
// standing for controller.
func (n *Node) startZooKeeperBroker(ctx context.Context) error {
	meta, err := readZooKeeperMetaProperties(n.cfg)
	if err != nil {
		return err
	}
	conn, err := n.dialZooKeeper(ctx)
	if err != nil {
		return err
	}
	z := &zkBroker{conn: conn, elected: make(chan struct{})}
	n.zk = z
	if err := n.resolveBrokerID(ctx, conn, meta); err != nil {
		return err
	}
	mv, err := znode.MetadataVersionForIBP(n.cfg.InterBrokerProtocolVersion)
	if err != nil {
		return fmt.Errorf("%s: %w", n.cfg.Source, err)
	}
	z.source, err = zkmode.StartSource(ctx, conn, zkmode.SourceOptions{
		BrokerID:          n.cfg.BrokerID,
		ClusterID:         meta.ClusterID,
		ProposedClusterID: metadata.RandomUuid().String(),
		MetadataVersion:   mv,
		TopicDefaults: metadata.TopicDefaults{
			NumPartitions:     n.cfg.NumPartitions,
			ReplicationFactor: int16(n.cfg.DefaultReplicationFactor),
		},
		ValidateTopicConfig: config.ValidateTopicConfig,
		Logger:              n.log,
	})
	if err != nil {
		return fmt.Errorf("start the ZooKeeper metadata source: %w", err)
	}
	if err := writeZooKeeperMetaProperties(n.cfg, z.source.ClusterID()); err != nil {
		return err
	}
	z.controller = zkmode.NewController(z.source, zkmode.ControllerOptions{
		BrokerID:                     n.cfg.BrokerID,
		UncleanLeaderElection:        n.cfg.UncleanLeaderElectionEnable,
		AutoLeaderRebalance:          n.cfg.AutoLeaderRebalanceEnable,
		LeaderImbalanceCheckInterval: time.Duration(n.cfg.LeaderImbalanceCheckIntervalSeconds) * time.Second,
		DeleteTopicEnable:            n.cfg.DeleteTopicEnable,
		Logger:                       n.log,
	})
	z.source.SetLeaderElections(z.controller)

	b, err := broker.New(n.cfg, z.source, n.log)
	if err != nil {
		return fmt.Errorf("start broker: %w", err)
	}
	n.broker = b.WithListenerTLS(n.brokerTLS)
	incarnation := metadata.RandomUuid()
	if err := b.Register(ctx, incarnation); err != nil {
		return err
	}
	if n.cfg.ZookeeperMetadataMigrationEnable {
		reg := b.Registration(incarnation)
		// Kafka pins a migrating ZooKeeper broker's metadata.version range to its IBP,
		// so the quorum can only run the version the ZooKeeper cluster runs.
		reg.Features = []metadata.FeatureRange{{Name: metadata.FeatureMetadataVersion, MinVersion: mv, MaxVersion: mv}}
		migrating := reg
		migrating.IsMigratingZkBroker = true
		z.link = n.startQuorumLink(migrating, z.source.ClusterID())
		switchCtx, stopSwitch := context.WithCancel(context.WithoutCancel(ctx))
		z.stopSwitch, z.switched = stopSwitch, make(chan struct{})
		go func() {
			defer close(z.switched)
			n.runSourceSwitch(switchCtx, b, z, reg)
		}()
	}
	electCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	z.stopElect = stop
	elector := zkmode.NewControllerElector(conn, n.cfg.BrokerID, z.controller, n.log)
	go func() {
		defer close(z.elected)
		elector.Run(electCtx)
	}()
	return n.serveBrokerListeners(b)
}

// resolveBrokerID settles broker.id: the configured one, which must match
// meta.properties, or with broker.id=-1 the one meta.properties remembers, or a new one
// generated from /brokers/seqid as Kafka's getOrGenerateBrokerId does.
func (n *Node) resolveBrokerID(ctx context.Context, conn *zkmode.Conn, meta *config.MetaProperties) error {
	switch {
	case meta.BrokerID >= 0 && n.cfg.BrokerID >= 0 && meta.BrokerID != n.cfg.BrokerID:
		return fmt.Errorf("%s: broker.id=%d but meta.properties in the log dirs has broker.id=%d; the log dirs belong to another broker", n.cfg.Source, n.cfg.BrokerID, meta.BrokerID)
	case n.cfg.BrokerID >= 0:
		return nil
	case meta.BrokerID >= 0:
		n.cfg.BrokerID = meta.BrokerID
	default:
		stat, err := conn.Set(ctx, znode.BrokerSeqIDPath, nil, -1)
		if err != nil {
			return fmt.Errorf("generate broker.id from %s: %w", znode.BrokerSeqIDPath, err)
		}
		n.cfg.BrokerID = znode.GeneratedBrokerID(stat.Version, n.cfg.ReservedBrokerMaxID)
		n.log.Info("generated broker.id", "broker.id", n.cfg.BrokerID)
	}
	n.cfg.NodeID = n.cfg.BrokerID
	return nil
}

// readZooKeeperMetaProperties reads meta.properties from every log dir. Missing files
// are written after the cluster id is known; present ones must be version 0 and agree
// with each other. The result has BrokerID -1 and ClusterID "" when no dir has one.
func readZooKeeperMetaProperties(cfg *config.Config) (*config.MetaProperties, error) {
	found := &config.MetaProperties{BrokerID: -1}
	for _, dir := range cfg.LogDirs {
		mp, err := config.ReadMetaProperties(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("log dir %s: %w", dir, err)
		}
		if mp.Version != 0 {
			return nil, fmt.Errorf("%s/%s is version %d (KRaft); a ZooKeeper-mode broker needs version 0", dir, config.MetaPropertiesFile, mp.Version)
		}
		if found.ClusterID != "" && mp.ClusterID != found.ClusterID {
			return nil, fmt.Errorf("%s/%s has cluster.id %s, another log dir has %s", dir, config.MetaPropertiesFile, mp.ClusterID, found.ClusterID)
		}
		if found.BrokerID >= 0 && mp.BrokerID != found.BrokerID {
			return nil, fmt.Errorf("%s/%s has broker.id %d, another log dir has %d", dir, config.MetaPropertiesFile, mp.BrokerID, found.BrokerID)
		}
		found = mp
	}
	return found, nil
}

// writeZooKeeperMetaProperties writes meta.properties v0 into every log dir that has
// none yet, as a ZooKeeper-mode Kafka broker does once it knows its cluster id.
func writeZooKeeperMetaProperties(cfg *config.Config, clusterID string) error {
	for _, dir := range cfg.LogDirs {
		if _, err := config.ReadMetaProperties(dir); err == nil {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create log dir %s: %w", dir, err)
		}
		mp := &config.MetaProperties{Version: 0, ClusterID: clusterID, BrokerID: cfg.BrokerID}
		if err := config.WriteMetaProperties(dir, mp); err != nil {
			return fmt.Errorf("write %s/%s: %w", dir, config.MetaPropertiesFile, err)
		}
	}
	return nil
}

// close stops the link to the quorum and standing for controller (giving up
// /controller if held), then the controller, the source and the session, after the
// broker has stopped.
func (z *zkBroker) close() {
	if z.stopSwitch != nil {
		z.stopSwitch()
		<-z.switched
	}
	if z.link != nil {
		z.link.close()
	}
	if z.stopElect != nil {
		z.stopElect()
		<-z.elected
	}
	if z.controller != nil {
		z.controller.Close()
	}
	if z.source != nil {
		z.source.Close()
	}
	z.conn.Close()
}

// dialZooKeeper opens this node's ZooKeeper session as zookeeper.connect,
// zookeeper.session.timeout.ms and zookeeper.connection.timeout.ms say.
func (n *Node) dialZooKeeper(ctx context.Context) (*zkmode.Conn, error) {
	timeout := time.Duration(n.cfg.ZookeeperSessionTimeoutMs) * time.Millisecond
	dialCtx, cancel := context.WithTimeout(ctx, time.Duration(n.cfg.ZookeeperConnectionTimeoutMs)*time.Millisecond)
	defer cancel()
	conn, err := zkmode.Dial(dialCtx, n.cfg.ZookeeperConnect, timeout, n.log)
	if err != nil {
		return nil, fmt.Errorf("%s: zookeeper.connect=%s: %w", n.cfg.Source, n.cfg.ZookeeperConnect, err)
	}
	return conn, nil
}
