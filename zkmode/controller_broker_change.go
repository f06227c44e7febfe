package zkmode

import (
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
)

// electOnBrokerChange is what Kafka's controller does when brokers come and go
// (onBrokerFailure, onBrokerStartup), for every partition that has a state znode, with
// live meaning registered in /brokers/ids: offline replicas leave the ISR (Kafka's
// OfflineReplica transition), a partition whose leader is gone is led by its first
// live ISR member in replica order (or, where unclean election is enabled, by any live
// replica), and a leaderless partition is led again as soon as a member of its ISR
// returns, usually the broker that took it offline as the last ISR member. Deciding
// from the whole tree rather than from the event makes a coalesced or missed event
// harmless, and when nothing changed metadata.PartitionChange writes nothing.
func (t *controllerTerm) electOnBrokerChange(tree *Tree) (outcome, error) {
	img := tree.Image
	mv := img.MetadataVersion()
	live := liveBrokers(img)
	var updates []stateUpdate
	for _, name := range slices.Sorted(maps.Keys(img.Topics)) {
		topic := img.Topics[name]
		unclean := metadata.UncleanElectionEnabled(img, name, t.c.opts.BrokerID, t.c.opts.UncleanLeaderElection)
		for _, id := range slices.Sorted(maps.Keys(topic.Partitions)) {
			p := topic.Partitions[id]
			if !hasStateZNode(p) {
				continue
			}
			pc := metadata.NewPartitionChange(mv, topic.ID, p, live)
			pc.TargetISR = slices.DeleteFunc(slices.Clone(p.ISR), func(r int32) bool { return !live(r) })
			if unclean {
				pc.Election = metadata.ElectUnclean
			}
			if rec := pc.Build(); rec != nil {
				updates = append(updates, t.newStateUpdate(name, p, rec))
			}
		}
	}
	if len(updates) == 0 {
		return outcome{}, nil
	}
	o, _, err := t.writeStates("broker change", updates)
	return o, err
}
