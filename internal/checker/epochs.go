package checker

import (
	"fmt"
	"slices"
)

// CheckEpochLeaders finds two brokers acknowledging writes to one partition in one
// leader epoch: an epoch has one leader, so a second means a broker acted as leader
// after it was replaced. It needs acks that name their broker (Broker >= 0); an ack's
// epoch is its own LeaderEpoch or, when unknown, that of a read of the same record at
// the same offset.
func CheckEpochLeaders(ops []Op) []Violation {
	readEpoch := map[offsetKey]map[string]int32{}
	for _, op := range ops {
		if op.Kind == Read && op.LeaderEpoch >= 0 {
			k := keyOf(op)
			if readEpoch[k] == nil {
				readEpoch[k] = map[string]int32{}
			}
			readEpoch[k][op.Value] = op.LeaderEpoch
		}
	}
	type epochKey struct {
		partitionKey
		epoch int32
	}
	leaders := newFirstOps[epochKey, int32]()
	for _, op := range ops {
		if op.Kind != Ack || op.Broker < 0 {
			continue
		}
		epoch := op.LeaderEpoch
		if epoch < 0 {
			e, ok := readEpoch[keyOf(op)][op.Value]
			if !ok {
				continue
			}
			epoch = e
		}
		leaders.add(epochKey{partitionKey{op.Topic, op.Partition}, epoch}, op.Broker, op)
	}
	var out []Violation
	for _, k := range leaders.keys {
		evidence := leaders.variants(k)
		if len(evidence) < 2 {
			continue
		}
		var brokers []int32
		for _, op := range evidence {
			brokers = append(brokers, op.Broker)
		}
		slices.Sort(brokers)
		out = append(out, Violation{Anomaly: EpochLeaders, Ops: evidence,
			Summary: fmt.Sprintf("brokers %v all acknowledged writes to %s/%d in leader epoch %d", brokers, k.topic, k.partition, k.epoch)})
	}
	return out
}
