// Package zkmode is ZooKeeper mode's metadata source: the chroot-aware connection,
// broker registration, controller election fenced by /controller_epoch, the Image a
// ZooKeeper-coordinated cluster describes, and the migration's reader and writer. The
// znode layout and its JSON codecs, which need no session, are package znode.
package zkmode

import (
	"context"

	"github.com/go-zookeeper/zk"
)

// TreeReader is the read side of ZooKeeper that loading an Image needs. The live
// connection implements it; tests hand in an in-memory tree laid out as a Kafka 3.x
// cluster writes it. Get returns zk.ErrNoNode for a missing znode, as go-zookeeper does.
type TreeReader interface {
	Get(ctx context.Context, path string) ([]byte, *zk.Stat, error)
	Children(ctx context.Context, path string) ([]string, error)
}
