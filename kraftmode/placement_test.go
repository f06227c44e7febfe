package kraftmode

import (
	"slices"
	"testing"
)

func TestPlaceReplicasSpreadsLeadersAndFollowers(t *testing.T) {
	brokers := []int32{1, 2, 3, 4}
	for range 20 {
		got := placeReplicas(brokers, 0, 8, 3)
		leaders := map[int32]int{}
		replicas := map[int32]int{}
		for p, rs := range got {
			if len(rs) != 3 {
				t.Fatalf("partition %d has %d replicas", p, len(rs))
			}
			sorted := slices.Sorted(slices.Values(rs))
			if len(slices.Compact(sorted)) != 3 {
				t.Fatalf("partition %d repeats a broker: %v", p, rs)
			}
			leaders[rs[0]]++
			for _, r := range rs {
				replicas[r]++
			}
		}
		for _, b := range brokers {
			if leaders[b] != 2 || replicas[b] != 6 {
				t.Fatalf("broker %d leads %d and holds %d replicas of %v", b, leaders[b], replicas[b], got)
			}
		}
	}
	if got := placeReplicas([]int32{5}, 3, 2, 1); !slices.EqualFunc(got, [][]int32{{5}, {5}}, slices.Equal) {
		t.Fatalf("single broker placement = %v", got)
	}
}
