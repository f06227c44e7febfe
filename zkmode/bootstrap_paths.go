package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// CreateTopLevelPaths is KafkaZkClient.createTopLevelPaths, which a ZooKeeper-mode
// broker runs at start-up before it registers: every path of ZkData.PersistentZkPaths
// (PersistentPaths) is made sure to exist, with its missing ancestors, as persistent
// znodes with null data. Paths that exist are left as they are, so brokers starting
// together, or on a tree a Kafka cluster wrote, do not race or overwrite anything.
func CreateTopLevelPaths(ctx context.Context, c *Conn) error {
	for _, p := range znode.PersistentPaths() {
		if _, err := c.CreateRecursive(ctx, p, nil, zk.FlagPersistent); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("create the top-level paths: %w", err)
		}
	}
	return nil
}
