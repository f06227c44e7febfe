package kraftbroker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// TestBrokerSourceRegistersAndForwards: a broker-only node's source registers over
// the controller listener, is unfenced once its follower has caught up, and forwards
// a write whose result its own image holds when the write returns; the controller's
// refusal comes back with its error code.
func TestBrokerSourceRegistersAndForwards(t *testing.T) {
	tc := startController(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, s := tc.startBrokerSource(t, ctx)
	epoch, err := s.RegisterBroker(ctx, registration(101))
	if err != nil {
		t.Fatal(err)
	}
	if epoch < 0 || s.Epoch() != epoch {
		t.Fatalf("registered with epoch %d, source holds %d", epoch, s.Epoch())
	}
	if err := s.WaitUnfenced(ctx); err != nil {
		t.Fatal(err)
	}
	if b := tc.c.Image().Brokers[101]; b == nil || b.Fenced || b.Epoch != epoch {
		t.Fatalf("broker 101 in the controller's image: %+v, want unfenced at epoch %d", b, epoch)
	}
	spec := metadata.TopicSpec{Name: "t", NumPartitions: 2, ReplicationFactor: 1}
	res := s.CreateTopics(ctx, []metadata.TopicSpec{spec}, false)
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	topic := f.Image().Topics["t"]
	if topic == nil || topic.ID != res[0].ID || len(topic.Partitions) != 2 {
		t.Fatalf("the broker's image when CreateTopics returned: topic %+v, want id %v with 2 partitions", topic, res[0].ID)
	}
	if res := s.CreateTopics(ctx, []metadata.TopicSpec{spec}, false); !errors.Is(res[0].Err, kerr.TopicAlreadyExists) {
		t.Fatalf("creating t again: %v, want TOPIC_ALREADY_EXISTS", res[0].Err)
	}
	waitSameImage(t, f, tc.c)
}
