package metadata

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

func TestRackAlternatedBrokers(t *testing.T) {
	racks := map[int32]string{0: "rack1", 1: "rack1", 2: "rack1", 3: "rack2", 4: "rack2", 5: "rack2", 6: "rack3", 7: "rack3", 8: "rack3"}
	if got := rackAlternatedBrokers(racks); !slices.Equal(got, []int32{0, 3, 6, 1, 4, 7, 2, 5, 8}) {
		t.Errorf("balanced racks: %v", got)
	}
	uneven := map[int32]string{0: "a", 1: "a", 2: "a", 3: "b"}
	if got := rackAlternatedBrokers(uneven); !slices.Equal(got, []int32{0, 3, 1, 2}) {
		t.Errorf("uneven racks: %v", got)
	}
}

func TestPlaceReplicasRackAware(t *testing.T) {
	racks := map[int32]string{1: "a", 2: "a", 3: "b", 4: "b", 5: "c", 6: "c"}
	for range 20 {
		got := placeReplicasRackAware(racks, 0, 12, 3)
		leaders := map[int32]int{}
		replicas := map[int32]int{}
		for p, rs := range got {
			seen := map[string]bool{}
			for _, r := range rs {
				seen[racks[r]] = true
				replicas[r]++
			}
			if len(rs) != 3 || len(seen) != 3 {
				t.Fatalf("partition %d = %v, want three replicas on three racks", p, rs)
			}
			leaders[rs[0]]++
		}
		for b := range racks {
			if leaders[b] != 2 || replicas[b] != 6 {
				t.Fatalf("broker %d leads %d and holds %d replicas of %v", b, leaders[b], replicas[b], got)
			}
		}
	}
	// More replicas than racks: every rack first, then distinct brokers.
	uneven := map[int32]string{1: "a", 2: "a", 3: "a", 4: "b"}
	for range 20 {
		for p, rs := range placeReplicasRackAware(uneven, 5, 8, 3) {
			sorted := slices.Sorted(slices.Values(rs))
			if len(slices.Compact(sorted)) != 3 || !slices.Contains(rs, 4) {
				t.Fatalf("partition %d = %v, want three brokers including rack b's only broker", p, rs)
			}
		}
	}
}
