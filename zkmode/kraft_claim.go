package zkmode

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// ClaimControllerForKRaft makes the active KRaft controller kraftNodeID, leader of Raft
// epoch kraftEpoch, the controller of the ZooKeeper cluster for a migration: Kafka's
// KafkaZkClient.tryRegisterKRaftControllerAsActiveController (KIP-866). In one multi it
// bumps /controller_epoch, fenced on the zkVersion just read, and replaces /controller
// with a persistent znode naming the KRaft controller and its epoch:
//   - the bump fences the ZooKeeper controller, whose every write checks the old
//     zkVersion, whether or not it has noticed it lost /controller;
//   - a persistent /controller is never contested by ZooKeeper brokers, whose elector
//     stands only when /controller is absent, so none is elected during the migration.
//
// It returns the writer of the claimed term: the new controller epoch and the
// zkVersion of /controller_epoch that every dual write must check.
//
// /controller_epoch must exist, as Kafka requires ("no ZK controller epoch present"):
// a ZooKeeper cluster creates it at its first election, so its absence means this is
// not the cluster's ZooKeeper (a wrong chroot, most likely), and claiming it would
// fence nothing.
//
// A KRaft controller of a later Raft epoch, or another node in the same epoch, holding
// /controller is an error wrapping ErrControllerMoved: this leader is stale. The same
// node may claim again in its own epoch (Kafka claims on every BecomeZkController, and
// a claim whose answer was lost must be retried); that bumps the epoch once more. A
// claim that loses a race with a concurrent election or claim fails with the
// zk.ErrBadVersion, zk.ErrNoNode or zk.ErrNodeExists it met, and may simply be
// retried, as Kafka's driver retries it.
func ClaimControllerForKRaft(ctx context.Context, c *Conn, kraftNodeID, kraftEpoch int32) (*FencedWriter, error) {
	epoch, epochZkVersion, err := readControllerEpoch(ctx, c)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, fmt.Errorf("claim the controller for KRaft controller %d: %s does not exist, so no ZooKeeper controller was ever elected here: %w",
			kraftNodeID, znode.ControllerEpochPath, err)
	}
	if err != nil {
		return nil, fmt.Errorf("claim the controller for KRaft controller %d: %w", kraftNodeID, err)
	}
	ops := []any{&zk.SetDataRequest{Path: znode.ControllerEpochPath, Data: znode.EncodeControllerEpoch(epoch + 1), Version: epochZkVersion}}

	data, stat, err := c.Get(ctx, znode.ControllerPath)
	switch {
	case errors.Is(err, zk.ErrNoNode):
	case err != nil:
		return nil, fmt.Errorf("claim the controller for KRaft controller %d: %w", kraftNodeID, err)
	default:
		holder, err := znode.DecodeController(data)
		if err != nil {
			return nil, fmt.Errorf("claim the controller for KRaft controller %d: %w", kraftNodeID, decodeError(znode.ControllerPath, err))
		}
		if holder.IsKRaftController() && (holder.KRaftControllerEpoch > kraftEpoch ||
			holder.KRaftControllerEpoch == kraftEpoch && holder.BrokerID != kraftNodeID) {
			return nil, fmt.Errorf("claim the controller for KRaft controller %d in epoch %d: %w: %s",
				kraftNodeID, kraftEpoch, ErrControllerMoved, describeController(holder, stat))
		}
		ops = append(ops, &zk.DeleteRequest{Path: znode.ControllerPath, Version: stat.Version})
	}

	controller := znode.EncodeController(znode.ControllerZNode{
		BrokerID:             kraftNodeID,
		Timestamp:            time.Now().UnixMilli(),
		KRaftControllerEpoch: kraftEpoch,
	})
	ops = append(ops, &zk.CreateRequest{Path: znode.ControllerPath, Data: controller, Flags: zk.FlagPersistent})
	res, err := c.Multi(ctx, ops...)
	if err != nil {
		return nil, fmt.Errorf("claim the controller for KRaft controller %d with controller epoch %d: %w", kraftNodeID, epoch+1, err)
	}
	// The first op is always the SetData of /controller_epoch.
	return NewFencedWriter(c, epoch+1, res[0].Stat.Version), nil
}
