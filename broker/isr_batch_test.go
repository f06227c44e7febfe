package broker

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestISRExpansionsBatched: a follower found caught up on many partitions at once (a
// broker back after a network partition) rejoins their ISRs in a few AlterPartition
// calls, the expansions found while one call is in flight going out together in the
// next, as Kafka's AlterPartitionManager batches them. One call per partition, each
// waiting for its own controller commit, kept a returning broker out of 1,050 ISRs for
// about 25 s in the migration network-fault scenario.
func TestISRExpansionsBatched(t *testing.T) {
	const partitions = 40
	c := newCluster(t, 2)
	topics := make([]string, partitions)
	for i := range topics {
		topics[i] = fmt.Sprintf("t%02d", i)
		c.createTopic(topics[i], all3, 1, []int32{1, 2}, nil)
	}
	c.src.alterDelay.Store(int64(100 * time.Millisecond))
	calls := c.src.alterCalls.Load()
	c.start(3)
	for _, topic := range topics {
		waitFor(t, "broker 3 back in the ISR of "+topic, func() bool { return slices.Equal(c.src.partition(topic).ISR, all3) })
	}
	if n := c.src.alterCalls.Load() - calls; n > partitions/4 {
		t.Fatalf("%d AlterPartition calls to bring broker 3 into %d ISRs, want the expansions batched", n, partitions)
	}
}
