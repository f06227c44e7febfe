package metrics

import "github.com/prometheus/client_golang/prometheus"

// GroupMetadataStats are a broker's kafka.coordinator.group:type=GroupMetadataManager
// gauges: the groups this broker coordinates, by state, and their committed offsets.
type GroupMetadataStats struct {
	NumOffsets                   int // committed offsets, one per group and partition
	NumGroups                    int
	NumGroupsPreparingRebalance  int
	NumGroupsCompletingRebalance int
	NumGroupsStable              int
	NumGroupsDead                int
	NumGroupsEmpty               int
}

// GroupMetadataManagerCollector reports GroupMetadataStats as
// kafka_coordinator_group_groupmetadatamanager_*.
func GroupMetadataManagerCollector(read func() GroupMetadataStats) prometheus.Collector {
	const p = "kafka_coordinator_group_groupmetadatamanager_"
	return &statsCollector[GroupMetadataStats]{read: always(read), gauges: []gaugeDesc[GroupMetadataStats]{
		gauge(p+"numoffsets", "Committed offsets of the groups this broker coordinates (GroupMetadataManager NumOffsets).", func(s *GroupMetadataStats) float64 { return float64(s.NumOffsets) }),
		gauge(p+"numgroups", "Groups this broker coordinates (GroupMetadataManager NumGroups).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroups) }),
		gauge(p+"numgroupspreparingrebalance", "Of which in PreparingRebalance (GroupMetadataManager NumGroupsPreparingRebalance).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroupsPreparingRebalance) }),
		gauge(p+"numgroupscompletingrebalance", "Of which in CompletingRebalance (GroupMetadataManager NumGroupsCompletingRebalance).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroupsCompletingRebalance) }),
		gauge(p+"numgroupsstable", "Of which Stable (GroupMetadataManager NumGroupsStable).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroupsStable) }),
		gauge(p+"numgroupsdead", "Of which Dead (GroupMetadataManager NumGroupsDead).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroupsDead) }),
		gauge(p+"numgroupsempty", "Of which Empty (GroupMetadataManager NumGroupsEmpty).", func(s *GroupMetadataStats) float64 { return float64(s.NumGroupsEmpty) }),
	}}
}
