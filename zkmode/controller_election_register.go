package zkmode

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// initialControllerEpoch is KafkaController.InitialControllerEpoch, the value
// /controller_epoch is created with: the first controller is elected with epoch 1.
const initialControllerEpoch int32 = 0

// registerControllerAndIncrementControllerEpoch is KafkaZkClient's method of that name:
// one election attempt of broker brokerID. It reads /controller_epoch (creating it
// with initialControllerEpoch if absent), then, in one multi, creates the ephemeral
// /controller and sets /controller_epoch to epoch+1 if its zkVersion is still the one
// read. It returns the won epoch and /controller_epoch's new zkVersion, which fences
// every write of the term. A lost election is an error wrapping ErrControllerMoved.
func registerControllerAndIncrementControllerEpoch(ctx context.Context, c *Conn, brokerID int32) (epoch, epochZkVersion int32, err error) {
	current, version, err := getOrCreateControllerEpoch(ctx, c)
	if err != nil {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w", brokerID, err)
	}
	newEpoch := current + 1
	controller := znode.EncodeController(znode.ControllerZNode{
		BrokerID:             brokerID,
		Timestamp:            time.Now().UnixMilli(),
		KRaftControllerEpoch: -1,
	})
	res, err := c.Multi(ctx,
		&zk.CreateRequest{Path: znode.ControllerPath, Data: controller, Flags: zk.FlagEphemeral},
		&zk.SetDataRequest{Path: znode.ControllerEpochPath, Data: znode.EncodeControllerEpoch(newEpoch), Version: version})
	switch {
	case err == nil:
		return newEpoch, res[1].Stat.Version, nil
	case errors.Is(err, zk.ErrNodeExists), errors.Is(err, zk.ErrBadVersion):
		return checkControllerAndEpoch(ctx, c, brokerID, newEpoch)
	default:
		return 0, 0, fmt.Errorf("elect broker %d controller with epoch %d: %w", brokerID, newEpoch, err)
	}
}

// getOrCreateControllerEpoch reads /controller_epoch's value and zkVersion, creating
// it with initialControllerEpoch (zkVersion 0) when absent (Kafka's
// maybeCreateControllerEpochZNode); another broker creating it first is fine.
func getOrCreateControllerEpoch(ctx context.Context, c *Conn) (epoch, zkVersion int32, err error) {
	epoch, zkVersion, err = readControllerEpoch(ctx, c)
	if !errors.Is(err, zk.ErrNoNode) {
		return epoch, zkVersion, err
	}
	_, err = c.Create(ctx, znode.ControllerEpochPath, znode.EncodeControllerEpoch(initialControllerEpoch), zk.FlagPersistent)
	switch {
	case err == nil:
		return initialControllerEpoch, 0, nil
	case errors.Is(err, zk.ErrNodeExists):
		return readControllerEpoch(ctx, c)
	default:
		return 0, 0, err
	}
}

// readControllerEpoch reads /controller_epoch's value and zkVersion.
func readControllerEpoch(ctx context.Context, c *Conn) (epoch, zkVersion int32, err error) {
	data, stat, err := c.Get(ctx, znode.ControllerEpochPath)
	if err != nil {
		return 0, 0, err
	}
	epoch, err = znode.DecodeControllerEpoch(data)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", znode.ControllerEpochPath, err)
	}
	return epoch, stat.Version, nil
}

// checkControllerAndEpoch decides an election whose multi failed, as Kafka does after
// NODEEXISTS or BADVERSION: the multi may have been applied on an earlier attempt
// whose answer was lost to a reconnect. This broker won only if /controller is its own
// (its id, and an ephemeral of this session: stricter than Kafka, which checks the id
// only) and /controller_epoch holds the epoch it tried for; any later election would
// have written a higher one.
func checkControllerAndEpoch(ctx context.Context, c *Conn, brokerID, newEpoch int32) (epoch, epochZkVersion int32, err error) {
	data, stat, err := c.Get(ctx, znode.ControllerPath)
	if errors.Is(err, zk.ErrNoNode) {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w: %s went away while checking whether the election succeeded",
			brokerID, ErrControllerMoved, znode.ControllerPath)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w", brokerID, err)
	}
	holder, err := znode.DecodeController(data)
	if err != nil {
		return 0, 0, fmt.Errorf("elect broker %d controller: read %s: %w", brokerID, znode.ControllerPath, err)
	}
	if holder.BrokerID != brokerID || stat.EphemeralOwner == 0 || stat.EphemeralOwner != c.SessionID() {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w: %s", brokerID, ErrControllerMoved, describeController(holder, stat))
	}
	epoch, epochZkVersion, err = readControllerEpoch(ctx, c)
	if err != nil {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w", brokerID, err)
	}
	if epoch != newEpoch {
		return 0, 0, fmt.Errorf("elect broker %d controller: %w: %s is %d, not the %d this broker tried for",
			brokerID, ErrControllerMoved, znode.ControllerEpochPath, epoch, newEpoch)
	}
	return epoch, epochZkVersion, nil
}

// describeController says who holds /controller, for errors and logs.
func describeController(holder znode.ControllerZNode, stat *zk.Stat) string {
	if stat.EphemeralOwner == 0 {
		return fmt.Sprintf("%s is persistent, held by KRaft controller %d (kraftControllerEpoch %d) during a migration",
			znode.ControllerPath, holder.BrokerID, holder.KRaftControllerEpoch)
	}
	return fmt.Sprintf("%s is held by broker %d (session 0x%x)", znode.ControllerPath, holder.BrokerID, stat.EphemeralOwner)
}

// CurrentController reads who is controller and the controller epoch: the broker id
// in /controller, or -1 when there is none (Metadata's "no controller"), and the value
// of /controller_epoch, or 0 (Kafka's InitialControllerEpoch) when no controller was
// ever elected.
// During a migration the id is the KRaft controller's.
func CurrentController(ctx context.Context, c *Conn) (id, epoch int32, err error) {
	epoch, _, err = readControllerEpoch(ctx, c)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		epoch = initialControllerEpoch
	case err != nil:
		return 0, 0, fmt.Errorf("read the controller: %w", err)
	}
	data, _, err := c.Get(ctx, znode.ControllerPath)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return -1, epoch, nil
	case err != nil:
		return 0, 0, fmt.Errorf("read the controller: %w", err)
	}
	holder, err := znode.DecodeController(data)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", znode.ControllerPath, err)
	}
	return holder.BrokerID, epoch, nil
}
