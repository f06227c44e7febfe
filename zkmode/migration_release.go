package zkmode

import (
	"context"
	"fmt"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// Release hands the cluster back to ZooKeeper, the last step of a rollback: in one
// multi, fenced like every dual-write, it deletes /migration and the KRaft
// controller's persistent /controller. The ZooKeeper brokers, which watch /controller,
// then elect a controller of their own, bumping /controller_epoch again, and the
// brokers that had moved to the quorum move back. The writer is fenced afterwards:
// nothing of this KRaft term may write ZooKeeper again.
func (w *MigrationWriter) Release(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fenced != nil {
		return w.fenced
	}
	w.confirmLastWrite(ctx)
	_, err := w.conn.Multi(ctx,
		&zk.CheckVersionRequest{Path: znode.ControllerEpochPath, Version: w.epochZkVersion},
		&zk.DeleteRequest{Path: znode.MigrationPath, Version: w.migrationZkVersion},
		&zk.DeleteRequest{Path: znode.ControllerPath, Version: -1},
	)
	if err != nil {
		return w.failed(ctx, multi{}, err)
	}
	w.fenced = fmt.Errorf("%w: this KRaft controller released ZooKeeper (rollback)", ErrMigrationMoved)
	return nil
}
