package kraftmode

import (
	"math/rand/v2"

	"github.com/kbridge/kbridge/metadata"
)

// placeReplicas assigns replicas to partitions startPartition..startPartition+count-1
// the way Kafka's rack-unaware AdminUtils.assignReplicasToBrokers does: leaders round-robin
// over the brokers from a random start, and each follower offset by a shift that grows
// every time the partitions wrap around the broker list, so that leaders and followers
// spread evenly even when topics are created one after another.
// brokers must be sorted and rf must be between 1 and len(brokers).
func placeReplicas(brokers []int32, startPartition, count int32, rf int16) [][]int32 {
	n := int32(len(brokers))
	startIndex := rand.Int32N(n)
	shift := rand.Int32N(n)
	out := make([][]int32, 0, count)
	for p := startPartition; p < startPartition+count; p++ {
		if p > 0 && p%n == 0 {
			shift++
		}
		first := (p + startIndex) % n
		replicas := make([]int32, 0, rf)
		replicas = append(replicas, brokers[first])
		for j := int32(0); j < int32(rf)-1; j++ {
			replicas = append(replicas, brokers[followerIndex(first, shift, j, n)])
		}
		out = append(out, replicas)
	}
	return out
}

// followerIndex is Kafka's AdminUtils.replicaIndex: never the leader's own slot.
func followerIndex(first, shift, j, n int32) int32 {
	s := 1 + (shift+j)%(n-1)
	return (first + s) % n
}

// unfencedBrokers lists the brokers that may receive new replicas, sorted by id as
// Kafka sorts them before placing.
func unfencedBrokers(img *metadata.Image) []int32 {
	live := img.LiveBrokers()
	ids := make([]int32, len(live))
	for i, b := range live {
		ids[i] = b.ID
	}
	return ids
}
