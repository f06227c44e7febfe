package zkmode

import (
	"context"
	"fmt"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// WriteChanges makes ZooKeeper, which reflects prev, reflect next, and moves /migration
// to state in the same write (KRaftMigrationZkWriter): prev is the image ZooKeeper was
// last brought to and next the newly committed KRaft image (Kafka's handleDelta), or
// prev is what LoadImage reads from ZooKeeper now, which makes it the full reconcile
// Kafka's handleSnapshot does after a failover and before a rollback. A nil prev is an
// empty image.
//
// It writes what ZooKeeper-mode brokers and a ZooKeeper controller read after a
// rollback: topics with their partitions' state (controller_epoch is
// state.KRaftControllerEpoch), topic and broker configs, client quotas and SCRAM
// credentials, the producer-id block, ACLs and delegation tokens, each change
// announced to ZooKeeper brokers as Kafka announces it (delegation tokens, as in
// Kafka, are not announced). Broker registrations and features are not written:
// ZooKeeper brokers register themselves, and ZooKeeper mode has no metadata.version.
// Every entry of /admin/delete_topics is cleared, with the znodes of the queued topics
// next does not have, since KRaft never copied them.
//
// What differs between the two images decides what is written; the requests are
// worked out against the znodes as read just before writing, so a write that a
// crashed run applied already is not repeated, and running WriteChanges again after
// any failure is safe. Operations go out in multis fenced as MigrationWriter says,
// children created after and deleted before their parents, and each operation in one
// multi when it fits. It returns how many operations it wrote, as Kafka counts them;
// an error wrapping ErrControllerMoved or ErrMigrationMoved means this writer is
// fenced, and any other error leaves ZooKeeper somewhere between prev and next, which
// a later call (with the same prev, or a reconcile) completes.
func (w *MigrationWriter) WriteChanges(ctx context.Context, prev, next *metadata.Image, state znode.MigrationZNode) (int, error) {
	if prev == nil {
		prev = metadata.NewImage()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fenced != nil {
		return 0, w.fenced
	}
	ops, err := planChanges(ctx, w.conn, prev, next, state.KRaftControllerEpoch)
	if err != nil {
		return 0, fmt.Errorf("dual-write: %w", err)
	}
	view, err := readView(ctx, w.conn, ops)
	if err != nil {
		return 0, fmt.Errorf("dual-write: read the znodes to write: %w", err)
	}
	var planned []plannedOp
	for _, op := range ops {
		if p := view.plan(op); len(p.reqs) > 0 {
			planned = append(planned, p)
		}
	}
	if err := w.write(ctx, planned, state); err != nil {
		return 0, err
	}
	return len(planned), nil
}

// changePlanner works out the operations that take ZooKeeper from prev to next.
type changePlanner struct {
	prev, next *metadata.Image
	// controllerEpoch is the KRaft controller epoch written into partition states.
	controllerEpoch int32
	ops             []*migrationOp
	// topicsRewritten are the topics whose config znode a topic operation writes or
	// removes, which the config operations leave alone.
	topicsRewritten map[string]bool
}

// planChanges returns the operations in the order they are written: topics (pending
// deletions, deletions, creations, changes), configs, client quotas and SCRAM, the
// producer-id block, ACLs, delegation tokens. Deleting before creating lets a topic
// deleted and created again under its name be replaced.
func planChanges(ctx context.Context, r TreeReader, prev, next *metadata.Image, controllerEpoch int32) ([]*migrationOp, error) {
	p := &changePlanner{prev: prev, next: next, controllerEpoch: controllerEpoch, topicsRewritten: map[string]bool{}}
	if err := p.planTopics(ctx, r); err != nil {
		return nil, err
	}
	p.planConfigs()
	if err := p.planClientQuotas(); err != nil {
		return nil, err
	}
	p.planProducerIDs()
	if err := p.planACLs(); err != nil {
		return nil, err
	}
	if err := p.planDelegationTokens(); err != nil {
		return nil, err
	}
	return p.ops, nil
}

// add keeps op if it changes anything.
func (p *changePlanner) add(op *migrationOp) {
	if len(op.changes) > 0 {
		p.ops = append(p.ops, op)
	}
}
