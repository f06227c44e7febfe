package node

import (
	"errors"
	"fmt"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/metrics"
)

// startMetrics opens metrics.listeners before any role starts, so /healthz answers and
// /readyz says "starting" while the node comes up; each role adds its collectors and
// readiness check once it runs (addBrokerMetrics, addControllerMetrics).
func (n *Node) startMetrics() error {
	for _, addr := range n.cfg.MetricsListeners {
		s, err := metrics.Listen(addr, n.log)
		if err != nil {
			return err
		}
		s.AddReadiness("node", func() error {
			if !n.started.Load() {
				return errors.New("starting")
			}
			return nil
		})
		n.metrics = append(n.metrics, s)
	}
	return nil
}

// addBrokerMetrics registers the broker's metrics (ReplicaManager, BrokerTopicMetrics,
// partitions, broker state, GroupMetadataManager, consumer lag, RequestMetrics,
// socket-server-metrics) and its readiness.
func (n *Node) addBrokerMetrics() error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.ReplicaManagerCollector(n.broker.ReplicaStats),
			metrics.BrokerTopicCollector(n.broker.BrokerTopicStats),
			metrics.PartitionCollector(n.broker.PartitionStats),
			metrics.BrokerStateCollector(n.broker.BrokerState),
			metrics.GroupMetadataManagerCollector(n.broker.GroupMetadataStats),
			metrics.ConsumerLagCollector(n.broker.ConsumerLag),
			metrics.RequestCollector(n.broker.RequestMetrics()),
			metrics.SocketServerCollector(n.broker.ListenerConnections)); err != nil {
			return fmt.Errorf("broker metrics: %w", err)
		}
		s.AddReadiness("broker", n.broker.Readiness)
	}
	return nil
}

// addControllerMetrics registers the controller's KafkaController and Raft metrics and
// its readiness: a member of a quorum that has a leader.
func (n *Node) addControllerMetrics() error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.KafkaControllerCollector(n.controllerStats),
			metrics.RaftCollector(n.controller.RaftStats)); err != nil {
			return fmt.Errorf("controller metrics: %w", err)
		}
		s.AddReadiness("controller", func() error {
			if n.controller.LeaderID() < 0 {
				return errors.New("the quorum has no leader")
			}
			return nil
		})
	}
	return nil
}

// controllerStats counts the cluster in the controller's image as Kafka's
// ControllerMetadataMetrics and QuorumControllerMetrics do.
func (n *Node) controllerStats() metrics.ControllerStats {
	s := clusterStats(n.controller.Image())
	if n.controller.IsLeader() {
		s.ActiveControllerCount = 1
	}
	return s
}

// clusterStats counts the cluster in a metadata image as Kafka's
// ControllerMetadataMetricsPublisher does.
func clusterStats(img *metadata.Image) metrics.ControllerStats {
	s := metrics.ControllerStats{ZkMigrationState: int(img.ZkMigrationState)}
	for _, br := range img.Brokers {
		if br.Fenced {
			s.FencedBrokerCount++
		} else {
			s.ActiveBrokerCount++
		}
		if br.IsMigratingZkBroker {
			s.MigratingZkBrokerCount++
		}
	}
	s.GlobalTopicCount = len(img.Topics)
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			s.GlobalPartitionCount++
			if p.Leader < 0 {
				s.OfflinePartitionsCount++
			}
			if len(p.Replicas) > 0 && p.Leader != p.Replicas[0] {
				s.PreferredReplicaImbalanceCount++
			}
		}
	}
	return s
}

// closeMetrics stops the metrics listeners.
func (n *Node) closeMetrics() {
	for _, s := range n.metrics {
		if err := s.Close(); err != nil {
			n.log.Warn("closing metrics listener", "addr", s.Addr(), "err", err)
		}
	}
}
