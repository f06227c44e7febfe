package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// checkNotMigrating refuses a write to ZooKeeper once a KRaft controller holds
// /controller for a migration: from then on the metadata log is the source of truth and
// ZooKeeper only its mirror, so a broker writing ZooKeeper directly would change what
// the quorum never sees (and the next dual-write would undo it). NOT_CONTROLLER makes
// clients and the broker's ISR logic retry, and by then the broker has moved to the
// quorum or been given a source that forwards there. It answers from the watched tree,
// which may lag; brokerWriter is the fence that holds.
func (s *Source) checkNotMigrating(op string) error {
	if c := s.Tree().Controller; c != nil && c.IsKRaftController() {
		return kraftLeadsError(op, c.BrokerID)
	}
	return nil
}

func kraftLeadsError(op string, controller int32) error {
	return metadata.Errorf(kerr.NotController, "%s: KRaft controller %d leads the cluster during its migration; ZooKeeper is not written directly.", op, controller)
}

// brokerWriter fences a ZooKeeper-mode broker's own writes (ISR changes, producer-id
// blocks, topics, partitions, configs, topic deletions) as a controller's are: each is
// a multi checked on /controller_epoch at the zkVersion read just before /controller
// was read and found not to be a KRaft controller's. A KRaft controller's claim for a
// migration bumps /controller_epoch before it reads ZooKeeper for its copy, so a write
// either lands before the claim, and is in the copy, or fails; it can never land after
// the copy's read, to be missing from the log and reverted by the next reconcile (issue
// 13: a lost ISR shrink, a producer-id block handed out twice). Kafka 3.9's brokers
// send these writes to the controller instead, to the same effect. A ZooKeeper
// controller's election fences them the same way; either refusal answers
// NOT_CONTROLLER (see brokerWriteError), which clients and the ISR logic retry.
// /controller_epoch is created as the first election would create it when no
// controller has ever been elected.
func (s *Source) brokerWriter(ctx context.Context, op string) (*FencedWriter, error) {
	epoch, version, err := getOrCreateControllerEpoch(ctx, s.conn)
	if err != nil {
		return nil, zkWriteError(err, "%s: read %s", op, znode.ControllerEpochPath)
	}
	data, _, err := s.conn.Get(ctx, znode.ControllerPath)
	switch {
	case errors.Is(err, zk.ErrNoNode):
	case err != nil:
		return nil, zkWriteError(err, "%s: read %s", op, znode.ControllerPath)
	default:
		c, err := znode.DecodeController(data)
		if err != nil {
			return nil, metadata.Errorf(kerr.UnknownServerError, "%s: %v", op, decodeError(znode.ControllerPath, err))
		}
		if c.IsKRaftController() {
			return nil, kraftLeadsError(op, c.BrokerID)
		}
	}
	return NewFencedWriter(s.conn, epoch, version), nil
}

// brokerWriteError is a fenced broker write's failure as Kafka answers it: a controller
// elected (or a KRaft controller's claim) since the write was checked is
// NOT_CONTROLLER, anything else as zkWriteError maps it.
func brokerWriteError(err error, format string, args ...any) error {
	if errors.Is(err, ErrControllerMoved) {
		return metadata.Errorf(kerr.NotController, "%s: the controller moved while writing; retry: %v", fmt.Sprintf(format, args...), err)
	}
	return zkWriteError(err, format, args...)
}
