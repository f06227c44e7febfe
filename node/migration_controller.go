package node

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// startMigrationDriver makes this controller a migration controller
// (zookeeper.metadata.migration.enable with zookeeper.connect): it opens its own
// ZooKeeper session and runs the migration driver, whose commit, status and finalize
// the admin endpoint serves.
func (n *Node) startMigrationDriver(ctx context.Context) error {
	conn, err := n.dialZooKeeper(ctx)
	if err != nil {
		return err
	}
	n.driverZK = conn
	n.driver = migrate.NewDriver(n.controller, conn, migrate.DriverOptions{
		NodeID:       n.cfg.NodeID,
		MinBatchSize: int(n.cfg.ZookeeperMetadataMigrationMinBatchSize),
		Voters:       adminVoters(n.cfg),
		Logger:       n.log,
	})
	n.admin.UseDriver(n.driver)
	n.log.Info("migration controller: ZooKeeper connected", "zookeeper.connect", n.cfg.ZookeeperConnect)
	return nil
}

// migrationBatchDelayEnv names the test hook that pauses the migration copy after
// each batch, so an end-to-end test can kill the active controller in the middle of
// a copy. It is read from the environment, not server.properties, because no
// operator should ever set it.
const migrationBatchDelayEnv = "KBRIDGE_TEST_MIGRATION_BATCH_DELAY"

// migrationBatchDelay reads the test hook; unset or malformed means no pause.
func migrationBatchDelay(logger *slog.Logger) time.Duration {
	v := os.Getenv(migrationBatchDelayEnv)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		logger.Warn("ignoring a malformed test hook", "env", migrationBatchDelayEnv, "value", v, "err", err)
		return 0
	}
	logger.Warn("test hook: the migration copy pauses after every batch", "env", migrationBatchDelayEnv, "delay", d)
	return d
}
