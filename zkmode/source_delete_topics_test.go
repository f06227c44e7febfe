package zkmode

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// createTopicZNodes writes a topic as Kafka's AdminZkClient and ZooKeeper controller
// leave it: its v3 znode with assignment, and a state znode per entry of states.
func createTopicZNodes(t *testing.T, c *Conn, name string, id metadata.Uuid, assignment map[int32][]int32, states map[int32]znode.PartitionState) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Create(ctx, znode.TopicPath(name), znode.EncodeTopic(znode.TopicZNode{TopicID: id, Partitions: assignment}), zk.FlagPersistent); err != nil {
		t.Fatal(err)
	}
	for _, p := range slices.Sorted(maps.Keys(states)) {
		if _, err := c.CreateRecursive(ctx, znode.TopicPartitionStatePath(name, p), znode.EncodePartitionState(states[p]), zk.FlagPersistent); err != nil {
			t.Fatal(err)
		}
	}
}

// unreadableTopic is the topic znode freezeSourceImage writes.
const unreadableTopic = "unreadable"

// freezeSourceImage stops s's image from changing: it writes a topic znode that is not
// JSON, so every load of the tree fails and the last image stays, as after any
// unreadable write. It returns once a load begun after that write has started: loads
// run one after another, so none that could still publish is left. The returned func
// removes the znode, after which the next load publishes again.
func freezeSourceImage(t *testing.T, s *Source, c *Conn) (thaw func()) {
	t.Helper()
	mustCreate(t, c, znode.TopicPath(unreadableTopic), "not json", zk.FlagPersistent)
	started := s.loadsStarted.Load()
	s.requestReload()
	waitFor(t, 10*time.Second, "a load of the unreadable tree", func() bool { return s.loadsStarted.Load() > started })
	return func() {
		if err := c.Delete(context.Background(), znode.TopicPath(unreadableTopic), -1); err != nil {
			t.Error(err)
		}
	}
}

// deleteRecursive deletes a znode and everything below it, as Kafka's
// deleteRecursive does.
func deleteRecursive(ctx context.Context, c *Conn, path string) error {
	kids, err := c.Children(ctx, path)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if err := deleteRecursive(ctx, c, path+"/"+k); err != nil {
			return err
		}
	}
	return c.Delete(ctx, path, -1)
}

// queuedDeletion is what the simulated controller saw of one /admin/delete_topics znode.
type queuedDeletion struct {
	data []byte
	stat *zk.Stat
}

// carryOutDeletions does what Kafka's ZooKeeper controller does with a queued
// deletion (TopicDeletionManager): once /admin/delete_topics/<topic> appears for every
// topic, it removes the topic's znodes, its config znode and then the queue entry.
func carryOutDeletions(ctx context.Context, c *Conn, topics ...string) (map[string]queuedDeletion, error) {
	seen := map[string]queuedDeletion{}
	for _, topic := range topics {
		for {
			data, stat, err := c.Get(ctx, znode.DeleteTopicPath(topic))
			if err == nil {
				seen[topic] = queuedDeletion{data, stat}
				break
			}
			if !errors.Is(err, zk.ErrNoNode) {
				return nil, err
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("no deletion of %s queued: %w", topic, ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	for _, topic := range topics {
		if err := deleteRecursive(ctx, c, znode.TopicPath(topic)); err != nil {
			return nil, err
		}
		if err := c.Delete(ctx, znode.ConfigEntityPath(znode.ConfigTypeTopic, topic), -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return nil, err
		}
		if err := c.Delete(ctx, znode.DeleteTopicPath(topic), -1); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

// TestSourceDeleteTopics: DeleteTopics queues each known topic under
// /admin/delete_topics (persistent, empty) and answers once the image no longer holds
// them, waiting for all of them together; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION
// and a duplicate name shares its first answer. When the image does not show the
// deletion before the request's deadline the answer is REQUEST_TIMED_OUT, and a topic
// already queued is waited for again without error.
func TestSourceDeleteTopics(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	writer := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	names := []string{"orders", "payments", "stays"}
	ids := map[string]metadata.Uuid{}
	for _, name := range names {
		ids[name] = metadata.RandomUuid()
		createTopicZNodes(t, writer, name, ids[name], map[int32][]int32{0: {1}}, map[int32]znode.PartitionState{0: {Leader: 1, ControllerEpoch: 1, ISR: []int32{1}}})
		mustCreate(t, writer, znode.ConfigEntityPath(znode.ConfigTypeTopic, name), `{"version":1,"config":{}}`, zk.FlagPersistent)
	}
	waitImage(t, s, "three topics", func(img *metadata.Image) bool { return len(img.Topics) == 3 })

	type controllerResult struct {
		seen map[string]queuedDeletion
		err  error
	}
	controller := make(chan controllerResult, 1)
	go func() {
		seen, err := carryOutDeletions(ctx, writer, "orders", "payments")
		controller <- controllerResult{seen, err}
	}()
	errs := s.DeleteTopics(ctx, []string{"orders", "nope", "payments", "orders"})
	if len(errs) != 4 || errs[0] != nil || errs[2] != nil || errs[3] != nil {
		t.Fatalf("DeleteTopics = %v, want nil for orders, payments and the repeated orders", errs)
	}
	if !errors.Is(errs[1], kerr.UnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", errs[1])
	}
	img := s.Image()
	if img.Topics["orders"] != nil || img.Topics["payments"] != nil || img.Topics["stays"] == nil {
		t.Fatalf("image after DeleteTopics holds %v", slices.Sorted(maps.Keys(img.Topics)))
	}
	res := <-controller
	if res.err != nil {
		t.Fatal(res.err)
	}
	for topic, q := range res.seen {
		if len(q.data) != 0 || q.stat.EphemeralOwner != 0 {
			t.Errorf("%s: data %q, ephemeral owner %x; want an empty persistent znode", znode.DeleteTopicPath(topic), q.data, q.stat.EphemeralOwner)
		}
	}
	// Nothing is left queued: not the deleted topics, nor the unknown one.
	if kids, err := writer.Children(ctx, znode.DeleteTopicsPath); err != nil || len(kids) != 0 {
		t.Fatalf("%s holds %v (%v) after the controller finished", znode.DeleteTopicsPath, kids, err)
	}

	// An image that does not change never shows the deletion: the request times out
	// with the deletion queued.
	thaw := freezeSourceImage(t, s, writer)
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	errs = s.DeleteTopics(short, []string{"stays"})
	cancelShort()
	if !errors.Is(errs[0], kerr.RequestTimedOut) {
		t.Fatalf("DeleteTopics on a frozen image: %v, want REQUEST_TIMED_OUT", errs[0])
	}
	mustExist(t, writer, znode.DeleteTopicPath("stays"), true)

	// Asked again, the queued deletion is no error: the request waits until the image
	// can be loaded again and leaves the topic out.
	go func() {
		time.Sleep(200 * time.Millisecond)
		thaw()
	}()
	if errs := s.DeleteTopics(ctx, []string{"stays"}); errs[0] != nil {
		t.Fatalf("DeleteTopics of a queued topic: %v", errs[0])
	}
	if s.Image().Topics["stays"] != nil {
		t.Fatal("the image still holds the queued topic")
	}
}
