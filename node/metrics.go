package node

import (
	"errors"
	"fmt"

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

// addBrokerMetrics registers the broker's ReplicaManager, BrokerTopicMetrics,
// RequestMetrics and socket-server metrics and its readiness.
func (n *Node) addBrokerMetrics() error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.ReplicaManagerCollector(n.broker.ReplicaStats),
			metrics.BrokerTopicCollector(n.broker.BrokerTopicStats),
			metrics.RequestCollector(n.broker.RequestMetrics()), metrics.SocketServerCollector(n.broker.ListenerConnections)); err != nil {
			return fmt.Errorf("broker metrics: %w", err)
		}
		s.AddReadiness("broker", n.broker.Readiness)
	}
	return nil
}

// addControllerMetrics registers the controller's KafkaController metrics and its
// readiness: a member of a quorum that has a leader.
func (n *Node) addControllerMetrics() error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.KafkaControllerCollector(n.controllerStats)); err != nil {
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
	var s metrics.ControllerStats
	if n.controller.IsLeader() {
		s.ActiveControllerCount = 1
	}
	img := n.controller.Image()
	for _, br := range img.Brokers {
		if br.Fenced {
			s.FencedBrokerCount++
		} else {
			s.ActiveBrokerCount++
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
