package migrate

import (
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// ZkWriteBehindLag is Kafka's ZkWriteBehindLag: on the active controller in dual-write
// (the log in MIGRATION), how many metadata log offsets the log's newest committed
// image is past the offset this controller last brought ZooKeeper to; 0 on the other
// controllers, outside dual-write, and before this controller has written ZooKeeper.
// It reads what the driver last saw, never ZooKeeper, so a scrape costs nothing.
func (d *Driver) ZkWriteBehindLag() int64 {
	st := d.ctrl.MigrationState()
	if !st.Active || st.State != metadata.ZkMigrationMigration {
		return 0
	}
	d.mu.Lock()
	written := d.dualWriteOffset
	d.mu.Unlock()
	if written <= 0 {
		return 0
	}
	return max(0, d.ctrl.Image().Offset-written)
}

// observe hands the time since started to hear, when one is set.
func observe(hear func(time.Duration), started time.Time) {
	if hear != nil {
		hear(time.Since(started))
	}
}
