package migrate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// DiffSummary counts the differences between ZooKeeper and the metadata log, by kind.
type DiffSummary struct {
	Total       int `json:"total"`
	Topics      int `json:"topics"`
	Partitions  int `json:"partitions"`
	Configs     int `json:"configs"`
	Quotas      int `json:"quotas"`
	Scram       int `json:"scram"`
	ACLs        int `json:"acls"`
	ProducerIDs int `json:"producer_ids"`
	// DelegationTokens counts tokens missing on one side or differing (KIP-900).
	DelegationTokens int `json:"delegation_tokens"`
}

// diffFix is what to do about any difference: until finalization ZooKeeper is the
// rollback target, so it must mirror the log.
const diffFix = "Do not roll back until they agree: check the active controller's ZooKeeper write lag and errors. " +
	"A controller failover makes the new leader reconcile all of ZooKeeper with the log."

// differ collects the differences of one diff.
type differ struct {
	findings []Finding
	sum      DiffSummary
}

func (d *differ) add(count *int, entity, format string, args ...any) {
	*count++
	d.sum.Total++
	d.findings = append(d.findings, Finding{
		Code: CodeZkKRaftDiff, Severity: SeverityWarning,
		Message: fmt.Sprintf(format, args...), Fix: diffFix, Entities: []string{entity},
	})
}

// diffZooKeeper compares what ZooKeeper holds (the tree's image) with the metadata log
// entity by entity, for everything the copy and dual-write keep in step: topics and
// partitions, topic and broker configs, client quotas, SCRAM credentials, ACLs, the
// producer-id block and delegation tokens. Broker registrations and features are not
// compared: Kafka never copies them. Config values and credentials are never printed,
// as they may be secrets. With no difference it returns one info finding saying so.
func diffZooKeeper(tree *zkmode.Tree, log *metadata.Image) ([]Finding, DiffSummary) {
	d := &differ{}
	d.topics(tree, log)
	d.configs(tree.Image, log)
	d.quotas(tree.Image, log)
	d.scram(tree.Image, log)
	d.acls(tree.Image, log)
	d.producerIDs(tree, log)
	d.delegationTokens(tree.Image, log)
	if d.sum.Total == 0 {
		d.findings = append(d.findings, Finding{
			Code: CodeZkKRaftInSync, Severity: SeverityInfo,
			Message: fmt.Sprintf("ZooKeeper and the metadata log agree: %d topics, %d config entities, %d quota entities, "+
				"%d SCRAM credentials, %d ACLs, the producer-id block and %d delegation tokens compared.",
				len(log.Topics), len(log.Configs), len(log.Quotas), len(log.Scram), len(log.ACLs), len(log.DelegationTokens)),
		})
	}
	return d.findings, d.sum
}

func (d *differ) topics(tree *zkmode.Tree, log *metadata.Image) {
	zk := tree.Image
	noState := map[string]bool{}
	for _, tp := range tree.PartitionsWithoutState {
		noState[partitionName(tp.Topic, tp.Partition)] = true
	}
	for _, name := range sortedUnion(zk.Topics, log.Topics) {
		zt, lt := zk.Topics[name], log.Topics[name]
		switch {
		case lt == nil:
			d.add(&d.sum.Topics, name, "Topic %s is in ZooKeeper but not in the metadata log.", name)
		case zt == nil && slices.Contains(tree.PendingDeletions, name):
			d.add(&d.sum.Topics, name, "Topic %s is in the metadata log but pending deletion in ZooKeeper.", name)
		case zt == nil:
			d.add(&d.sum.Topics, name, "Topic %s is in the metadata log but not in ZooKeeper.", name)
		case zt.ID != lt.ID:
			d.add(&d.sum.Topics, name, "Topic %s: topic id %s in ZooKeeper, %s in the metadata log.", name, zt.ID, lt.ID)
		default:
			for _, id := range sortedUnion(zt.Partitions, lt.Partitions) {
				tp := partitionName(name, id)
				d.partition(tp, zt.Partitions[id], lt.Partitions[id], noState[tp])
			}
		}
	}
}

// partition compares one partition. Without a state znode ZooKeeper says nothing of
// its leadership, so only the assignment is compared. The partition epoch is not
// compared: ZooKeeper's is the state znode's zkVersion, which dual-writes bump once per
// write (SetData with any version) however many changes the log coalesced into it.
func (d *differ) partition(tp string, zp, lp *metadata.Partition, noState bool) {
	switch {
	case lp == nil:
		d.add(&d.sum.Partitions, tp, "Partition %s is in ZooKeeper but not in the metadata log.", tp)
		return
	case zp == nil:
		d.add(&d.sum.Partitions, tp, "Partition %s is in the metadata log but not in ZooKeeper.", tp)
		return
	}
	var diffs []string
	field := func(name string, zv, lv any, equal bool) {
		if !equal {
			diffs = append(diffs, fmt.Sprintf("%s %v in ZooKeeper, %v in the metadata log", name, zv, lv))
		}
	}
	field("replicas", zp.Replicas, lp.Replicas, slices.Equal(zp.Replicas, lp.Replicas))
	field("adding replicas", zp.AddingReplicas, lp.AddingReplicas, slices.Equal(zp.AddingReplicas, lp.AddingReplicas))
	field("removing replicas", zp.RemovingReplicas, lp.RemovingReplicas, slices.Equal(zp.RemovingReplicas, lp.RemovingReplicas))
	if !noState {
		field("leader", zp.Leader, lp.Leader, zp.Leader == lp.Leader)
		field("leader epoch", zp.LeaderEpoch, lp.LeaderEpoch, zp.LeaderEpoch == lp.LeaderEpoch)
		field("ISR", zp.ISR, lp.ISR, slices.Equal(zp.ISR, lp.ISR))
		field("leader recovery state", zp.LeaderRecoveryState, lp.LeaderRecoveryState, zp.LeaderRecoveryState == lp.LeaderRecoveryState)
	}
	if len(diffs) > 0 {
		d.add(&d.sum.Partitions, tp, "Partition %s: %s.", tp, strings.Join(diffs, "; "))
	}
}

// configs compares topic and broker config entities. A topic missing on one side is
// reported by topics, so its configs are not reported again.
func (d *differ) configs(zk, log *metadata.Image) {
	resources := unionKeys(zk.Configs, log.Configs)
	slices.SortFunc(resources, func(a, b metadata.ConfigResource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	for _, res := range resources {
		var entity string
		switch res.Type {
		case metadata.ConfigResourceTopic:
			if zk.Topics[res.Name] == nil || log.Topics[res.Name] == nil {
				continue
			}
			entity = "topic " + res.Name
		case metadata.ConfigResourceBroker:
			entity = "broker " + cmp.Or(res.Name, znode.ConfigDefaultName)
		default:
			continue
		}
		zc, lc := zk.Configs[res], log.Configs[res]
		var onlyZK, onlyLog, changed []string
		for _, key := range sortedUnion(zc, lc) {
			zv, inZK := zc[key]
			lv, inLog := lc[key]
			switch {
			case !inLog:
				onlyZK = append(onlyZK, key)
			case !inZK:
				onlyLog = append(onlyLog, key)
			case zv != lv:
				changed = append(changed, key)
			}
		}
		var parts []string
		for _, p := range []struct {
			what string
			keys []string
		}{{"only in ZooKeeper", onlyZK}, {"only in the metadata log", onlyLog}, {"different values", changed}} {
			if len(p.keys) > 0 {
				parts = append(parts, p.what+": "+strings.Join(p.keys, ", "))
			}
		}
		if len(parts) > 0 {
			d.add(&d.sum.Configs, entity, "Configs of %s: %s.", entity, strings.Join(parts, "; "))
		}
	}
}

func (d *differ) quotas(zk, log *metadata.Image) {
	for _, key := range sortedUnion(zk.Quotas, log.Quotas) {
		zq, lq := zk.Quotas[key], log.Quotas[key]
		switch {
		case lq == nil:
			d.add(&d.sum.Quotas, key, "Client quota entity %s is in ZooKeeper but not in the metadata log.", key)
		case zq == nil:
			d.add(&d.sum.Quotas, key, "Client quota entity %s is in the metadata log but not in ZooKeeper.", key)
		case !maps.Equal(zq.Values, lq.Values):
			d.add(&d.sum.Quotas, key, "Client quota entity %s: %v in ZooKeeper, %v in the metadata log.", key, zq.Values, lq.Values)
		}
	}
}

func (d *differ) scram(zk, log *metadata.Image) {
	keys := unionKeys(zk.Scram, log.Scram)
	slices.SortFunc(keys, func(a, b metadata.ScramKey) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Mechanism, b.Mechanism))
	})
	for _, k := range keys {
		zc, lc := zk.Scram[k], log.Scram[k]
		entity := fmt.Sprintf("%s (%s)", k.Name, scramMechanismName(k.Mechanism))
		switch {
		case lc == nil:
			d.add(&d.sum.Scram, entity, "SCRAM credential of %s is in ZooKeeper but not in the metadata log.", entity)
		case zc == nil:
			d.add(&d.sum.Scram, entity, "SCRAM credential of %s is in the metadata log but not in ZooKeeper.", entity)
		case !metadata.SameScram(zc, lc):
			d.add(&d.sum.Scram, entity, "SCRAM credential of %s differs between ZooKeeper and the metadata log.", entity)
		}
	}
}

// acls compares ACL bindings by content: ZooKeeper stores no ACL ids, so the tree's
// are derived while the log's are whatever the controller chose.
func (d *differ) acls(zk, log *metadata.Image) {
	zkSet, logSet := aclBindings(zk), aclBindings(log)
	for _, b := range sortedUnion(zkSet, logSet) {
		switch {
		case !logSet[b]:
			d.add(&d.sum.ACLs, b, "ACL %s is in ZooKeeper but not in the metadata log.", b)
		case !zkSet[b]:
			d.add(&d.sum.ACLs, b, "ACL %s is in the metadata log but not in ZooKeeper.", b)
		}
	}
}

// producerIDs checks that ZooKeeper would never hand out a producer id the log
// already has. The two need not be equal: ZooKeeper keeps the last block handed out
// and Kafka's dual-write stores the block after the log's next id, so ZooKeeper's
// next id may run ahead of the log's, never behind it.
func (d *differ) producerIDs(tree *zkmode.Tree, log *metadata.Image) {
	const entity = znode.ProducerIDBlockPath
	logNext := log.ProducerIDs.NextProducerID
	switch b := tree.ProducerIDBlock; {
	case b == nil && logNext > 0:
		d.add(&d.sum.ProducerIDs, entity, "ZooKeeper has no producer-id block while the metadata log has handed out producer ids below %d: "+
			"after a rollback they would be handed out again.", logNext)
	case b != nil && log.ProducerIDs == (metadata.ProducerIDs{}):
		d.add(&d.sum.ProducerIDs, entity, "The metadata log has no producer-id state while ZooKeeper's next producer id is %d.", b.NextProducerID())
	case b != nil && b.NextProducerID() < logNext:
		d.add(&d.sum.ProducerIDs, entity, "ZooKeeper's next producer id %d is below the metadata log's %d: after a rollback producer ids "+
			"would be handed out twice.", b.NextProducerID(), logNext)
	}
}

// delegationTokens compares tokens by id and names the fields that differ, never
// their values.
func (d *differ) delegationTokens(zk, log *metadata.Image) {
	for _, id := range sortedUnion(zk.DelegationTokens, log.DelegationTokens) {
		zt, lt := zk.DelegationTokens[id], log.DelegationTokens[id]
		switch {
		case lt == nil:
			d.add(&d.sum.DelegationTokens, id, "Delegation token %s is in ZooKeeper but not in the metadata log.", id)
		case zt == nil:
			d.add(&d.sum.DelegationTokens, id, "Delegation token %s is in the metadata log but not in ZooKeeper.", id)
		default:
			var fields []string
			for _, f := range []struct {
				name  string
				equal bool
			}{
				{"owner", zt.Owner == lt.Owner},
				{"requester", zt.Requester == lt.Requester},
				{"renewers", slices.Equal(zt.Renewers, lt.Renewers)},
				{"issue timestamp", zt.IssueTimestamp == lt.IssueTimestamp},
				{"max timestamp", zt.MaxTimestamp == lt.MaxTimestamp},
				{"expiry timestamp", zt.ExpirationTimestamp == lt.ExpirationTimestamp},
			} {
				if !f.equal {
					fields = append(fields, f.name)
				}
			}
			if len(fields) > 0 {
				d.add(&d.sum.DelegationTokens, id, "Delegation token %s differs between ZooKeeper and the metadata log: %s.",
					id, strings.Join(fields, ", "))
			}
		}
	}
}

// aclBindings is the set of an image's ACLs described without their ids.
func aclBindings(img *metadata.Image) map[string]bool {
	out := make(map[string]bool, len(img.ACLs))
	for _, a := range img.ACLs {
		out[fmt.Sprintf("%s %s:%s %s %s %s from %s",
			kmsg.ACLPermissionType(a.PermissionType), kmsg.ACLResourceType(a.ResourceType), a.ResourceName,
			kmsg.ACLResourcePatternType(a.PatternType), a.Principal, kmsg.ACLOperation(a.Operation), a.Host)] = true
	}
	return out
}

func scramMechanismName(m int8) string {
	if name, ok := metadata.ScramMechanismName(m); ok {
		return name
	}
	return fmt.Sprintf("mechanism %d", m)
}

// sortedUnion returns the keys of a and b, sorted.
func sortedUnion[K cmp.Ordered, V any](a, b map[K]V) []K {
	return slices.Sorted(slices.Values(unionKeys(a, b)))
}

// unionKeys returns the keys of a and b in no particular order.
func unionKeys[K comparable, V any](a, b map[K]V) []K {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	return keys
}
