package migrate

import (
	"strings"
	"testing"
	"time"
)

// TestFinalizeRefusals: each condition that makes a rollback unsafe or premature
// refuses finalize with its own reason, all of them are reported together, and a
// migration that meets every condition is not refused.
func TestFinalizeRefusals(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	soakedSince := now.Add(-time.Hour)
	ready := Status{BrokersOnQuorum: []int32{1, 2, 3}, MetadataOffset: 500, ZooKeeperOffset: 500, AllOnQuorumSince: &soakedSince}
	cases := []struct {
		name   string
		change func(s *Status)
		soak   time.Duration
		want   []string
	}{
		{"ready", func(*Status) {}, 10 * time.Minute, nil},
		{"a broker on ZooKeeper", func(s *Status) { s.BrokersOnZooKeeper, s.AllOnQuorumSince = []int32{2}, nil }, 10 * time.Minute,
			[]string{"brokers still on ZooKeeper: 2"}},
		{"a broker not registered", func(s *Status) { s.BrokersNotRegistered, s.AllOnQuorumSince = []int32{3}, nil }, 10 * time.Minute,
			[]string{"brokers not registered with the quorum: 3"}},
		{"under-replicated", func(s *Status) { s.UnderReplicated = 7 }, 10 * time.Minute,
			[]string{"7 partitions are under-replicated"}},
		{"write lag", func(s *Status) { s.ZooKeeperOffset = 480 }, 10 * time.Minute,
			[]string{"ZooKeeper reflects offset 480, the log is at 500"}},
		{"soak too short", func(*Status) {}, 2 * time.Hour,
			[]string{"every broker has been on the quorum for 1h0m0s, less than --min-soak 2h0m0s"}},
		{"soak not started", func(s *Status) { s.AllOnQuorumSince = nil }, time.Minute,
			[]string{"the soak has not started"}},
		{"no soak asked", func(s *Status) { s.AllOnQuorumSince = nil }, 0, nil},
		{"everything at once", func(s *Status) {
			s.BrokersOnZooKeeper, s.AllOnQuorumSince, s.UnderReplicated, s.ZooKeeperOffset = []int32{1, 2}, nil, 1, 0
		}, time.Minute, []string{"brokers still on ZooKeeper: 1, 2", "1 partitions are under-replicated", "ZooKeeper reflects offset 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ready
			c.change(&s)
			got := finalizeRefusals(s, c.soak, now)
			if len(got) != len(c.want) {
				t.Fatalf("refusals %q, want %d like %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("refusal %d is %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
