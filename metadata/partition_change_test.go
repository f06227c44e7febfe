package metadata

import (
	"reflect"
	"slices"
	"testing"
)

func TestPartitionChangeBuild(t *testing.T) {
	p := &Partition{ID: 0, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}, Leader: 1}
	alive := func(dead ...int32) func(int32) bool {
		return func(id int32) bool { return !slices.Contains(dead, id) }
	}
	for _, tc := range []struct {
		name     string
		mv       int16
		isr      []int32
		election Election
		mayLead  func(int32) bool
		part     *Partition
		leader   int32
		wantISR  []int32
		lrs      int8
		noChange bool
	}{
		{name: "nothing changes", mv: 21, isr: []int32{1, 2, 3}, mayLead: alive(), noChange: true},
		{name: "shrink keeps the leader", mv: 21, isr: []int32{1, 3}, mayLead: alive(), leader: NoLeaderChange, wantISR: []int32{1, 3}},
		{name: "shrink before 3.6 bumps the leader epoch", mv: 11, isr: []int32{1, 3}, mayLead: alive(), leader: 1, wantISR: []int32{1, 3}},
		{name: "expansion never bumps it", mv: 11, isr: []int32{1, 2, 3}, mayLead: alive(),
			part: &Partition{Replicas: []int32{1, 2, 3}, ISR: []int32{1}, Leader: 1}, leader: NoLeaderChange, wantISR: []int32{1, 2, 3}},
		{name: "dead leader: next ISR member in replica order", mv: 21, isr: []int32{3, 2}, mayLead: alive(1), leader: 2, wantISR: []int32{3, 2}},
		{name: "no ISR member left: no leader, last member kept", mv: 21, isr: []int32{}, mayLead: alive(1),
			part: &Partition{Replicas: []int32{1, 2, 3}, ISR: []int32{1}, Leader: 1}, leader: NoLeader},
		{name: "unclean: any live replica, alone in the ISR, recovering", mv: 21, isr: []int32{}, election: ElectUnclean, mayLead: alive(1),
			part: &Partition{Replicas: []int32{1, 2, 3}, ISR: []int32{1}, Leader: 1}, leader: 2, wantISR: []int32{2}, lrs: LeaderRecoveryStateRecovering},
		{name: "unclean before 3.2 does not mark recovery", mv: 2, isr: []int32{}, election: ElectUnclean, mayLead: alive(1),
			part: &Partition{Replicas: []int32{1, 2, 3}, ISR: []int32{1}, Leader: 1}, leader: 2, wantISR: []int32{2}},
		{name: "preferred replica takes over", mv: 21, isr: []int32{2, 1}, election: ElectPreferred, mayLead: alive(),
			part: &Partition{Replicas: []int32{1, 2}, ISR: []int32{2, 1}, Leader: 2}, leader: 1},
		{name: "preferred replica out of the ISR", mv: 21, isr: []int32{2}, election: ElectPreferred, mayLead: alive(),
			part: &Partition{Replicas: []int32{1, 2}, ISR: []int32{2}, Leader: 2}, noChange: true},
	} {
		part := p
		if tc.part != nil {
			part = tc.part
		}
		pc := NewPartitionChange(tc.mv, Uuid{}, part, tc.mayLead)
		pc.TargetISR = tc.isr
		pc.Election = tc.election
		rec := pc.Build()
		if tc.noChange {
			if rec != nil {
				t.Errorf("%s: record %+v, want none", tc.name, rec)
			}
			continue
		}
		if rec == nil {
			t.Errorf("%s: no record", tc.name)
			continue
		}
		lrs := tc.lrs
		if lrs == 0 {
			lrs = LeaderRecoveryStateNoChange
		}
		if rec.Leader != tc.leader || !reflect.DeepEqual(rec.ISR, tc.wantISR) || rec.LeaderRecoveryState != lrs {
			t.Errorf("%s: leader %d isr %v lrs %d; want leader %d isr %v lrs %d", tc.name, rec.Leader, rec.ISR, rec.LeaderRecoveryState, tc.leader, tc.wantISR, lrs)
		}
	}
}

func TestUncleanElectionConfigResolution(t *testing.T) {
	img := NewImage()
	if !UncleanElectionEnabled(img, "t", 3, true) {
		t.Errorf("static default ignored")
	}
	img.Configs[ConfigResource{Type: ConfigResourceBroker}] = map[string]string{UncleanLeaderElectionConfig: "false"}
	if UncleanElectionEnabled(img, "t", 3, true) {
		t.Errorf("cluster-wide dynamic default ignored")
	}
	img.Configs[ConfigResource{Type: ConfigResourceBroker, Name: "3"}] = map[string]string{UncleanLeaderElectionConfig: "TRUE"}
	if !UncleanElectionEnabled(img, "t", 3, true) {
		t.Errorf("this controller's broker config ignored")
	}
	img.Configs[ConfigResource{Type: ConfigResourceTopic, Name: "t"}] = map[string]string{UncleanLeaderElectionConfig: "false"}
	if UncleanElectionEnabled(img, "t", 3, true) {
		t.Errorf("topic config ignored")
	}
}
