package znode

import (
	"fmt"

	"github.com/kbridge/kbridge/metadata"
)

// /brokers/topics/<t>/partitions/<p>/state (ZkData TopicPartitionStateZNode):
//
//	{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1,2,3]}
//
// "leader_recovery_state":1 is added only while the partition is RECOVERING (KIP-704).
// The partition epoch is not in the JSON: it is the znode's zkVersion, which is what
// makes a leader's conditional ISR write fail when the controller changed the state.

// PartitionState is a partition's leadership as its state znode holds it.
type PartitionState struct {
	// Leader is the leader's broker id, metadata.NoLeader (-1) when there is none.
	Leader      int32
	LeaderEpoch int32
	// ControllerEpoch is the epoch of the controller that wrote the state; a KRaft
	// controller in dual-write mode writes its own epoch here.
	ControllerEpoch int32
	// ISR is the in-sync replica set; nil when empty.
	ISR []int32
	// LeaderRecoveryState is metadata.LeaderRecoveryStateRecovered (0) or ...Recovering (1).
	LeaderRecoveryState int8
}

// EncodePartitionState returns the state znode's data; LeaderRecoveryState must be
// RECOVERED or RECOVERING, and only the latter is written.
func EncodePartitionState(s PartitionState) []byte {
	w := newJSONWriter().
		int("version", 1).
		int("leader", int64(s.Leader)).
		int("leader_epoch", int64(s.LeaderEpoch)).
		int("controller_epoch", int64(s.ControllerEpoch)).
		raw("isr", appendJSONInt32s(nil, s.ISR))
	if s.LeaderRecoveryState != metadata.LeaderRecoveryStateRecovered {
		w.int("leader_recovery_state", int64(s.LeaderRecoveryState))
	}
	return w.bytes()
}

// DecodePartitionState reads a state znode. Like LeaderRecoveryState.of it rejects a
// recovery state other than 0 or 1.
func DecodePartitionState(data []byte) (PartitionState, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return PartitionState{}, err
	}
	if _, err := obj.version(1); err != nil {
		return PartitionState{}, err
	}
	var s PartitionState
	if s.Leader, err = obj.int32("leader"); err != nil {
		return PartitionState{}, err
	}
	if s.LeaderEpoch, err = obj.int32("leader_epoch"); err != nil {
		return PartitionState{}, err
	}
	if s.ControllerEpoch, err = obj.int32("controller_epoch"); err != nil {
		return PartitionState{}, err
	}
	if s.ISR, err = obj.int32s("isr"); err != nil {
		return PartitionState{}, err
	}
	lrs, err := obj.optInt32("leader_recovery_state", int32(metadata.LeaderRecoveryStateRecovered))
	if err != nil {
		return PartitionState{}, err
	}
	if lrs != int32(metadata.LeaderRecoveryStateRecovered) && lrs != int32(metadata.LeaderRecoveryStateRecovering) {
		return PartitionState{}, fmt.Errorf("field \"leader_recovery_state\": unknown state %d", lrs)
	}
	s.LeaderRecoveryState = int8(lrs)
	return s, nil
}
