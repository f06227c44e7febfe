package metrics

import "testing"

// TestGroupMetadataManagerCollector: each GroupMetadataManager gauge under the JMX
// exporter's name with its value.
func TestGroupMetadataManagerCollector(t *testing.T) {
	got := seriesOf(t, GroupMetadataManagerCollector(func() GroupMetadataStats {
		return GroupMetadataStats{NumOffsets: 9, NumGroups: 5, NumGroupsPreparingRebalance: 1, NumGroupsCompletingRebalance: 3, NumGroupsStable: 2, NumGroupsDead: 4, NumGroupsEmpty: 6}
	}))
	const p = "kafka_coordinator_group_groupmetadatamanager_"
	requireSeries(t, got, map[string]float64{
		p + "numoffsets": 9, p + "numgroups": 5, p + "numgroupspreparingrebalance": 1, p + "numgroupscompletingrebalance": 3,
		p + "numgroupsstable": 2, p + "numgroupsdead": 4, p + "numgroupsempty": 6,
	})
	if len(got) != 7 {
		t.Fatalf("%d series, want 7: %v", len(got), got)
	}
}

// TestConsumerLagCollector: kafka_exporter's names and labels; the lag of a partition
// is its high watermark minus the committed offset, never below 0; a partition whose
// high watermark is unknown has its committed offset but no lag, and a topic none of
// whose lags is known has no lag_sum rather than 0.
func TestConsumerLagCollector(t *testing.T) {
	got := seriesOf(t, ConsumerLagCollector(func() []GroupOffsets {
		return []GroupOffsets{
			{Group: "g1", Members: 2, Offsets: []PartitionOffset{
				{Topic: "a", Partition: 0, Committed: 100, HighWatermark: 150},
				{Topic: "a", Partition: 1, Committed: 30, HighWatermark: 40},
				{Topic: "a", Partition: 2, Committed: 7, HighWatermark: -1},
				{Topic: "b", Partition: 0, Committed: 5, HighWatermark: -1},
				{Topic: "c", Partition: 0, Committed: 12, HighWatermark: 10},
			}},
			{Group: "idle", Members: 0},
		}
	}))
	const p = "kafka_consumergroup_"
	requireSeries(t, got, map[string]float64{
		p + `members{consumergroup="g1"}`:                                2,
		p + `members{consumergroup="idle"}`:                              0,
		p + `current_offset{consumergroup="g1",partition="0",topic="a"}`: 100,
		p + `current_offset{consumergroup="g1",partition="2",topic="a"}`: 7,
		p + `current_offset{consumergroup="g1",partition="0",topic="b"}`: 5,
		p + `current_offset_sum{consumergroup="g1",topic="a"}`:           137,
		p + `lag{consumergroup="g1",partition="0",topic="a"}`:            50,
		p + `lag{consumergroup="g1",partition="1",topic="a"}`:            10,
		p + `lag{consumergroup="g1",partition="0",topic="c"}`:            0,
		p + `lag_sum{consumergroup="g1",topic="a"}`:                      60,
		p + `lag_sum{consumergroup="g1",topic="c"}`:                      0,
	})
	for _, absent := range []string{
		p + `lag{consumergroup="g1",partition="2",topic="a"}`,
		p + `lag{consumergroup="g1",partition="0",topic="b"}`,
		p + `lag_sum{consumergroup="g1",topic="b"}`,
	} {
		if v, ok := got[absent]; ok {
			t.Errorf("%s = %v; a lag nobody could learn must be absent", absent, v)
		}
	}
}
