package kraftmode

import (
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// lockGatedWriter is lockWriter for the writes that Kafka's QuorumController refuses
// in pre-migration mode, every operation without the RUNS_IN_PREMIGRATION flag:
// topics, partitions, configs, elections, AlterPartition, producer ids and the
// periodic rebalance. While the log is in PRE_MIGRATION it does not hold ZooKeeper's
// metadata yet, so any such write would be decided against an empty cluster and then
// collide with the copy. Broker registration, heartbeats, unregistration, fencing,
// controller registration and the copy itself use lockWriter and keep running.
//
// The state is read under the write lock: the copy that ends PRE_MIGRATION holds it,
// so a write either runs before the copy starts (and is refused) or after it ended.
func (c *Controller) lockGatedWriter() error {
	if err := c.lockWriter(); err != nil {
		return err
	}
	switch c.Image().ZkMigrationState {
	case metadata.ZkMigrationPreMigration:
		c.writeMu.Unlock()
		// NOT_CONTROLLER, as in Kafka: clients and forwarding brokers retry it, and by
		// then the copy may have completed.
		return kafkaErr(kerr.NotController, "The controller is in pre-migration mode.")
	case metadata.ZkMigrationZK:
		c.writeMu.Unlock()
		// Retried by clients and brokers until the brokers are back on ZooKeeper,
		// whose controller then takes the write.
		return kafkaErr(kerr.NotController, "The ZK migration was rolled back: ZooKeeper leads the cluster.")
	}
	return nil
}

// checkMigrationRegistration is ClusterControlManager.registerBroker's migration rule,
// answered with BROKER_ID_NOT_REGISTERED as in Kafka. A ZooKeeper broker in migration
// mode (IsMigratingZkBroker) is registered only by a controller with
// zookeeper.metadata.migration.enable, and only while the migration is under way
// (PRE_MIGRATION or MIGRATION); Kafka checks the flag and metadata.version alone, but a
// log in NONE or POST_MIGRATION has no ZooKeeper metadata for such a broker to serve.
// A KRaft broker is refused in PRE_MIGRATION, where it would serve an image that does
// not hold the cluster's metadata yet, and after a rollback (ZK), where the image no
// longer leads.
func (c *Controller) checkMigrationRegistration(img *metadata.Image, reg metadata.BrokerRegistration) error {
	state := img.ZkMigrationState
	switch {
	case reg.IsMigratingZkBroker && !c.opts.ZkMigrationEnabled:
		return kafkaErr(kerr.BrokerIDNotRegistered, "Controller does not support registering ZK brokers.")
	case reg.IsMigratingZkBroker && state != metadata.ZkMigrationPreMigration && state != metadata.ZkMigrationMigration:
		return kafkaErr(kerr.BrokerIDNotRegistered,
			"Controller does not support registering ZK brokers in ZK migration state %s.", state.String())
	case !reg.IsMigratingZkBroker && state == metadata.ZkMigrationPreMigration:
		return kafkaErr(kerr.BrokerIDNotRegistered,
			"Controller is in pre-migration mode and cannot register KRaft brokers until the metadata migration is complete.")
	case !reg.IsMigratingZkBroker && state == metadata.ZkMigrationZK:
		return kafkaErr(kerr.BrokerIDNotRegistered,
			"The ZK migration was rolled back: ZooKeeper leads the cluster, and this controller cannot register KRaft brokers.")
	}
	return nil
}
