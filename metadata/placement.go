package metadata

import (
	"math/rand/v2"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
)

// UsableBrokers lists the brokers that may receive new replicas, sorted by id as Kafka
// sorts them before placing: unfenced and not in controlled shutdown.
func UsableBrokers(img *Image) []*Broker {
	var out []*Broker
	for _, b := range img.LiveBrokers() {
		if !b.InControlledShutdown {
			out = append(out, b)
		}
	}
	return out
}

// PlacePartitions assigns rf replicas to partitions startPartition..startPartition+count-1
// over brokers (sorted by id, at least rf of them) with Kafka's AdminUtils.assignReplicasToBrokers:
// rack-unaware when no broker has broker.rack, rack-aware when all do, and refused when
// only some do, because a rack-aware placement cannot tell where the others stand.
func PlacePartitions(brokers []*Broker, startPartition, count int32, rf int16) ([][]int32, error) {
	ids := make([]int32, len(brokers))
	racks := make(map[int32]string, len(brokers))
	for i, b := range brokers {
		ids[i] = b.ID
		if b.Rack != "" {
			racks[b.ID] = b.Rack
		}
	}
	switch len(racks) {
	case 0:
		return placeReplicas(ids, startPartition, count, rf), nil
	case len(brokers):
		return placeReplicasRackAware(racks, startPartition, count, rf), nil
	}
	// Kafka throws AdminOperationException here, which reaches the client as
	// UNKNOWN_SERVER_ERROR with this message.
	return nil, Errorf(kerr.UnknownServerError, "Not all brokers have rack information for replica rack aware assignment.")
}

// placeReplicas is Kafka's rack-unaware AdminUtils.assignReplicasToBrokers: leaders
// round-robin over the brokers from a random start, and each follower offset by a shift
// that grows every time the partitions wrap around the broker list, so that leaders
// and followers spread evenly even when topics are created one after another.
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

// placeReplicasRackAware is Kafka's AdminUtils.assignReplicasToBrokersRackAware: the
// same round-robin over a broker list that alternates racks, where a follower skips a
// broker whose rack already holds a replica of the partition while some rack holds
// none, and a broker that already holds one while some broker holds none. Replicas of
// a partition therefore land on min(rf, racks) distinct racks.
func placeReplicasRackAware(racks map[int32]string, startPartition, count int32, rf int16) [][]int32 {
	arranged := rackAlternatedBrokers(racks)
	n := int32(len(arranged))
	numRacks := int32(len(distinctRacks(racks)))
	startIndex := rand.Int32N(n)
	shift := rand.Int32N(n)
	out := make([][]int32, 0, count)
	for p := startPartition; p < startPartition+count; p++ {
		if p > 0 && p%n == 0 {
			shift++
		}
		first := (p + startIndex) % n
		leader := arranged[first]
		replicas := make([]int32, 0, rf)
		replicas = append(replicas, leader)
		racksUsed := map[string]bool{racks[leader]: true}
		brokersUsed := map[int32]bool{leader: true}
		k := int32(0)
		for range int32(rf) - 1 {
			for {
				b := arranged[followerIndex(first, shift*numRacks, k, n)]
				k++
				rack := racks[b]
				if (!racksUsed[rack] || int32(len(racksUsed)) == numRacks) && (!brokersUsed[b] || int32(len(brokersUsed)) == n) {
					replicas = append(replicas, b)
					racksUsed[rack] = true
					brokersUsed[b] = true
					break
				}
			}
		}
		out = append(out, replicas)
	}
	return out
}

// rackAlternatedBrokers is AdminUtils.getRackAlternatedBrokerList: racks in name
// order, each rack's brokers in id order, taken one per rack in turn; with racks
// a: 0,1,2  b: 3,4,5  c: 6,7,8 it is 0,3,6,1,4,7,2,5,8.
func rackAlternatedBrokers(racks map[int32]string) []int32 {
	byRack := map[string][]int32{}
	for id, rack := range racks {
		byRack[rack] = append(byRack[rack], id)
	}
	names := distinctRacks(racks)
	for _, name := range names {
		slices.Sort(byRack[name])
	}
	out := make([]int32, 0, len(racks))
	for i := 0; len(out) < len(racks); i++ {
		for _, name := range names {
			if i < len(byRack[name]) {
				out = append(out, byRack[name][i])
			}
		}
	}
	return out
}

// distinctRacks returns the rack names, sorted.
func distinctRacks(racks map[int32]string) []string {
	var names []string
	for _, rack := range racks {
		names = append(names, rack)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// followerIndex is Kafka's AdminUtils.replicaIndex: never the leader's own slot.
func followerIndex(first, shift, j, n int32) int32 {
	s := 1 + (shift+j)%(n-1)
	return (first + s) % n
}
