package zkmode

import (
	"context"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestControllerDeletesTopics: a topic queued in /admin/delete_topics loses every
// znode (states, partitions, /partitions, the topic, its config and the request); a
// queued name that is no topic loses its request; with delete.topic.enable=false the
// request is dropped and the topic kept.
func TestControllerDeletesTopics(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("Enabled", func(t *testing.T) {
		connect := srv.Addr() + "/delete"
		b1, _ := startControllerBroker(t, connect, 1, ControllerOptions{DeleteTopicEnable: true})
		startTestBroker(t, connect, 2)
		waitBrokers(t, b1.src, 1, 2)
		createTopic(t, b1.src, "doomed", map[int32][]int32{0: {1, 2}, 1: {2, 1}})
		createTopic(t, b1.src, "kept", map[int32][]int32{0: {1, 2}})
		waitState(t, b1.conn, "doomed", 1, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2, 1}})
		waitState(t, b1.conn, "kept", 0, znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2}})

		// kafka-topics.sh --delete on a ZooKeeper cluster (AdminZkClient.deleteTopic).
		mustCreate(t, b1.conn, znode.DeleteTopicPath("doomed"), "", zk.FlagPersistent)
		mustCreate(t, b1.conn, znode.DeleteTopicPath("ghost"), "", zk.FlagPersistent)
		waitFor(t, controllerWithin, "the deletion requests are carried out", func() bool {
			kids, err := b1.conn.Children(ctx, znode.DeleteTopicsPath)
			return err == nil && len(kids) == 0
		})
		mustExist(t, b1.conn, znode.TopicPath("doomed"), false)
		mustExist(t, b1.conn, znode.ConfigEntityPath(znode.ConfigTypeTopic, "doomed"), false)
		waitState(t, b1.conn, "kept", 0, znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2}})
		mustExist(t, b1.conn, znode.ConfigEntityPath(znode.ConfigTypeTopic, "kept"), true)
		waitImage(t, b1.src, "doomed gone, kept kept", func(img *metadata.Image) bool {
			return img.Topics["doomed"] == nil && img.Topics["kept"] != nil
		})

		// The name can be used again, and the new topic gets fresh state znodes.
		createTopic(t, b1.src, "doomed", map[int32][]int32{0: {2}})
		waitState(t, b1.conn, "doomed", 0, znode.PartitionState{Leader: 2, ControllerEpoch: 1, ISR: []int32{2}})
	})

	t.Run("Disabled", func(t *testing.T) {
		connect := srv.Addr() + "/nodelete"
		b1, _ := startControllerBroker(t, connect, 1, ControllerOptions{DeleteTopicEnable: false})
		waitBrokers(t, b1.src, 1)
		createTopic(t, b1.src, "stays", map[int32][]int32{0: {1}})
		waitState(t, b1.conn, "stays", 0, znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1}})
		mustCreate(t, b1.conn, znode.DeleteTopicPath("stays"), "", zk.FlagPersistent)
		waitFor(t, controllerWithin, "the deletion request is dropped", func() bool {
			ok, _, err := b1.conn.Exists(ctx, znode.DeleteTopicPath("stays"))
			return err == nil && !ok
		})
		waitState(t, b1.conn, "stays", 0, znode.PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1}})
		waitImage(t, b1.src, "stays back in the image", func(img *metadata.Image) bool { return img.Topics["stays"] != nil })
	})
}
