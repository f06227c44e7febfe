package group

import (
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metrics"
)

// TestStatsAndCommittedOffsets: the GroupMetadataManager counts follow the group's
// state, count committed offsets but not a transactional commit awaiting its marker,
// and the lag metrics get each committed offset with the group's member count.
func TestStatsAndCommittedOffsets(t *testing.T) {
	c, clk, _ := newTestCoordinator(t)
	if got := c.Stats(); got != (metrics.GroupMetadataStats{}) {
		t.Fatalf("stats without groups: %+v", got)
	}
	plainCommit(t, c, 1, 40)
	if got := c.Stats(); got != (metrics.GroupMetadataStats{NumGroups: 1, NumGroupsEmpty: 1, NumOffsets: 1}) {
		t.Fatalf("stats of a simple consumer's group: %+v", got)
	}
	ids := stableGroup(t, c, clk, 2)
	if p := c.OffsetCommit(commitReq(1, ids[0], 5), exists).Topics[0].Partitions[0]; p.ErrorCode != 0 {
		t.Fatalf("commit: error %d", p.ErrorCode)
	}
	if codes := txnCommit(c, txnReq(3, 77, 2, 9)); codes[0] != 0 {
		t.Fatalf("transactional commit: error %d", codes[0])
	}
	if got := c.Stats(); got != (metrics.GroupMetadataStats{NumGroups: 1, NumGroupsStable: 1, NumOffsets: 2}) {
		t.Fatalf("stats of a stable group with two offsets and a pending one: %+v", got)
	}
	groups := c.CommittedOffsets()
	if len(groups) != 1 || groups[0].Group != testGroup || groups[0].Members != 2 {
		t.Fatalf("committed offsets: %+v", groups)
	}
	offsets := map[int32]metrics.PartitionOffset{}
	for _, o := range groups[0].Offsets {
		offsets[o.Partition] = o
	}
	want := map[int32]metrics.PartitionOffset{
		0: {Topic: "t", Partition: 0, Committed: 5, HighWatermark: -1},
		1: {Topic: "t", Partition: 1, Committed: 40, HighWatermark: -1},
	}
	if !reflect.DeepEqual(offsets, want) {
		t.Fatalf("committed offsets %+v, want %+v", offsets, want)
	}

	first := recv(t, joinAsync(c, joinReq("", nil)))
	if first.ErrorCode != kerr.MemberIDRequired.Code {
		t.Fatalf("new member: error %d", first.ErrorCode)
	}
	parked(t, joinAsync(c, joinReq(first.MemberID, nil)))
	if got := c.Stats(); got.NumGroupsPreparingRebalance != 1 || got.NumGroupsStable != 0 || got.NumGroups != 1 {
		t.Fatalf("stats while a new member rebalances the group: %+v", got)
	}
}
