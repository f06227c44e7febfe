package node

import (
	"context"
	"fmt"
	"time"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
)

// startMigrationDriver makes this controller a migration controller
// (zookeeper.metadata.migration.enable with zookeeper.connect): it opens its own
// ZooKeeper session and runs the migration driver, whose commit, status and finalize
// the admin endpoint serves.
func (n *Node) startMigrationDriver(ctx context.Context) error {
	timeout := time.Duration(n.cfg.ZookeeperSessionTimeoutMs) * time.Millisecond
	dialCtx, cancel := context.WithTimeout(ctx, time.Duration(n.cfg.ZookeeperConnectionTimeoutMs)*time.Millisecond)
	conn, err := zkmode.Dial(dialCtx, n.cfg.ZookeeperConnect, timeout, n.log)
	cancel()
	if err != nil {
		return fmt.Errorf("%s: zookeeper.connect=%s: %w", n.cfg.Source, n.cfg.ZookeeperConnect, err)
	}
	n.driverZK = conn
	n.driver = migrate.NewDriver(n.controller, conn, migrate.DriverOptions{
		NodeID:       n.cfg.NodeID,
		MinBatchSize: kraftmode.DefaultMigrationMinBatch,
		Voters:       adminVoters(n.cfg),
		Logger:       n.log,
	})
	n.admin.UseDriver(n.driver)
	n.log.Info("migration controller: ZooKeeper connected", "zookeeper.connect", n.cfg.ZookeeperConnect)
	return nil
}
