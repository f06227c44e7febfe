package node

import (
	"fmt"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/metrics"
)

// addZkMigrationMetrics registers a migration controller's ZooKeeper write metrics:
// the write-behind lag its driver keeps and the write times it reports into times.
func (n *Node) addZkMigrationMetrics(times metrics.ZkWriteTimes) error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.ZkMigrationCollector(n.driver.ZkWriteBehindLag, times)); err != nil {
			return fmt.Errorf("migration metrics: %w", err)
		}
	}
	return nil
}

// addZooKeeperControllerMetrics registers the KafkaController gauges of a
// ZooKeeper-mode broker, so that sum(activecontrollercount) is 1 in a ZooKeeper-mode
// cluster as in Kafka, and 1 across brokers and controllers during a migration.
func (n *Node) addZooKeeperControllerMetrics() error {
	for _, s := range n.metrics {
		if err := s.Register(metrics.ZooKeeperControllerCollector(n.zkControllerStats)); err != nil {
			return fmt.Errorf("ZooKeeper controller metrics: %w", err)
		}
	}
	return nil
}

// zkControllerStats are the gauges of Kafka's ZooKeeper KafkaController: on the broker
// holding /controller the counts of the cluster it sees, every broker in /brokers/ids
// active and none fenced; on the others 0 (KafkaController.updateMetrics); and
// ZkMigrationState ZK on every one. Not ok while the broker leads from the quorum.
func (n *Node) zkControllerStats() (metrics.ControllerStats, bool) {
	if n.zk.onQuorum.Load() {
		return metrics.ControllerStats{}, false
	}
	var s metrics.ControllerStats
	if n.zk.controller.Active() {
		img := n.zk.source.Image()
		s = clusterStats(img)
		s.ActiveControllerCount, s.ActiveBrokerCount, s.FencedBrokerCount = 1, len(img.Brokers), 0
	}
	s.ZkMigrationState = int(metadata.ZkMigrationZK)
	return s, true
}
