package znode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func TestPartitionStateReferenceExamples(t *testing.T) {
	for _, c := range []struct {
		ref  string
		want PartitionState
	}{
		{`{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1,2,3]}`,
			PartitionState{Leader: 1, ControllerEpoch: 1, ISR: []int32{1, 2, 3}}},
		{`{"version":1,"leader":2,"leader_epoch":7,"controller_epoch":3,"isr":[2],"leader_recovery_state":1}`,
			PartitionState{Leader: 2, LeaderEpoch: 7, ControllerEpoch: 3, ISR: []int32{2}, LeaderRecoveryState: metadata.LeaderRecoveryStateRecovering}},
		{`{"version":1,"leader":-1,"leader_epoch":4,"controller_epoch":3,"isr":[]}`,
			PartitionState{Leader: metadata.NoLeader, LeaderEpoch: 4, ControllerEpoch: 3}},
	} {
		if got := string(EncodePartitionState(c.want)); got != c.ref {
			t.Errorf("EncodePartitionState:\n got %s\nwant %s", got, c.ref)
		}
		got, err := DecodePartitionState([]byte(c.ref))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodePartitionState(%s) = %+v, want %+v", c.ref, got, c.want)
		}
	}
}

func TestDecodePartitionState(t *testing.T) {
	// Kafka's own output, in its hash order; an explicit RECOVERED and a null state.
	for _, c := range []struct {
		data string
		want PartitionState
	}{
		{`{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0]}`, PartitionState{ControllerEpoch: 1, ISR: []int32{0}}},
		{`{"version":1,"leader":1,"leader_epoch":2,"controller_epoch":3,"isr":[1],"leader_recovery_state":0}`,
			PartitionState{Leader: 1, LeaderEpoch: 2, ControllerEpoch: 3, ISR: []int32{1}}},
		{`{"version":1,"leader":1,"leader_epoch":2,"controller_epoch":3,"isr":[1],"leader_recovery_state":null}`,
			PartitionState{Leader: 1, LeaderEpoch: 2, ControllerEpoch: 3, ISR: []int32{1}}},
	} {
		got, err := DecodePartitionState([]byte(c.data))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodePartitionState(%s) = %+v, want %+v", c.data, got, c.want)
		}
	}
	for _, c := range []struct{ data, want string }{
		{``, "not a JSON object"},
		{`{"version":2,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[]}`, "unsupported version 2"},
		{`{"version":1,"leader_epoch":0,"controller_epoch":1,"isr":[]}`, `field "leader" is missing`},
		{`{"version":1,"leader":null,"leader_epoch":0,"controller_epoch":1,"isr":[]}`, `field "leader" is null`},
		{`{"version":1,"leader":1,"leader_epoch":0,"isr":[]}`, `field "controller_epoch" is missing`},
		{`{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1}`, `field "isr" is missing`},
		{`{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[2147483648]}`, "does not fit in 32 bits"},
		{`{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1],"leader_recovery_state":2}`, "unknown state 2"},
	} {
		_, err := DecodePartitionState([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodePartitionState(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}
