package zkmode

import (
	"errors"
	"maps"
	"slices"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// preferredFromAdmin carries out a preferred replica election requested through
// /admin/preferred_replica_election, as the legacy kafka-preferred-replica-election.sh
// and older tools write it: a preferred election on the partitions listed,
// then the znode is deleted, as Kafka's controller deletes it once the election ran
// (a request the controller cannot decode is deleted too, with an error logged, so it
// does not block the next one). The Source does not read the znode, so the term
// watches it itself; a request left by an earlier controller is found on term start.
func (t *controllerTerm) preferredFromAdmin(*Tree) (outcome, error) {
	if t.preferredWatch == nil {
		exists, _, watch, err := t.w.conn.ExistsW(t.ctx, znode.PreferredReplicaElectionPath)
		if err != nil {
			return outcome{failed: true}, t.readFailed(err, "cannot watch "+znode.PreferredReplicaElectionPath)
		}
		t.preferredWatch, t.preferredPending = watch, exists
	}
	if !t.preferredPending {
		return outcome{}, nil
	}
	data, stat, err := t.w.conn.Get(t.ctx, znode.PreferredReplicaElectionPath)
	if errors.Is(err, zk.ErrNoNode) {
		t.preferredPending = false
		return outcome{}, nil
	}
	if err != nil {
		return outcome{failed: true}, t.readFailed(err, "cannot read "+znode.PreferredReplicaElectionPath)
	}
	if tps, err := znode.DecodePartitions(data); err != nil {
		t.log.Error("cannot decode "+znode.PreferredReplicaElectionPath+"; deleting it", "err", err)
	} else if err := t.electPreferred(tps); err != nil {
		return outcome{}, err
	}
	errs, err := t.write([]writeUnit{{&zk.DeleteRequest{Path: znode.PreferredReplicaElectionPath, Version: stat.Version}}})
	if err != nil {
		return outcome{}, err
	}
	if errs[0] != nil {
		// A new request written meanwhile fires the watch and is read afresh.
		t.log.Warn("cannot delete "+znode.PreferredReplicaElectionPath+"; trying again", "err", errs[0])
		return outcome{failed: true}, nil
	}
	t.preferredPending = false
	return outcome{}, nil
}

// electPreferred runs the election of a /admin/preferred_replica_election request,
// each partition once however often it is listed, and logs the outcome.
func (t *controllerTerm) electPreferred(tps []znode.TopicPartition) error {
	partitions := map[string][]int32{}
	for _, tp := range tps {
		partitions[tp.Topic] = append(partitions[tp.Topic], tp.Partition)
	}
	for name, ids := range partitions {
		slices.Sort(ids)
		partitions[name] = slices.Compact(ids)
	}
	results, err := t.elect(false, partitions, "preferred election ("+znode.PreferredReplicaElectionPath+")")
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			t.log.Info("preferred election requested in "+znode.PreferredReplicaElectionPath+" not carried out",
				"topic", r.Topic, "partition", r.Partition, "reason", r.Err)
		}
	}
	t.log.Info("ran the preferred election requested in "+znode.PreferredReplicaElectionPath, "partitions", len(results), "elected", electedCount(results))
	return nil
}

// rebalanceLeaders is auto.leader.rebalance.enable's periodic task, as the KRaft
// controller runs it (kraftmode's rebalanceLeaders): a preferred election on every
// partition whose leader is not its first replica. Like Kafka's KRaft controller, and
// unlike its ZooKeeper controller, it ignores leader.imbalance.per.broker.percentage,
// so that a cluster balances its leaders the same way in both modes. Leadership moves
// only where the preferred replica is live and in the ISR.
func (t *controllerTerm) rebalanceLeaders() error {
	img := t.c.src.Tree().Image
	partitions := map[string][]int32{}
	for _, name := range slices.Sorted(maps.Keys(img.Topics)) {
		topic := img.Topics[name]
		for _, id := range slices.Sorted(maps.Keys(topic.Partitions)) {
			p := topic.Partitions[id]
			if hasStateZNode(p) && len(p.Replicas) > 0 && p.Leader != p.Replicas[0] {
				partitions[name] = append(partitions[name], id)
			}
		}
	}
	if len(partitions) == 0 {
		return nil
	}
	results, err := t.elect(false, partitions, "auto leader rebalance")
	if err != nil {
		return err
	}
	if n := electedCount(results); n > 0 {
		t.log.Info("preferred leader rebalance elected leaders", "partitions", n)
	}
	return nil
}

// electedCount counts the partitions of an election that got a new leader.
func electedCount(results []metadata.ElectionResult) int {
	n := 0
	for _, r := range results {
		if r.Err == nil {
			n++
		}
	}
	return n
}
