package zkmode

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// electionRequest is an ElectLeaders call handed to the term's goroutine, so that its
// writes are ordered with the term's other writes.
type electionRequest struct {
	unclean    bool
	partitions map[string][]int32
	reply      chan electionReply
}

// electionReply is ElectLeaders' answer: the results, or NOT_CONTROLLER.
type electionReply struct {
	results []metadata.ElectionResult
	err     error
}

// electionAttempts bounds how often a partition whose state znode changed under an
// election (its leader changed the ISR) is decided again from the newer state, as
// Kafka's controller retries its leader-and-ISR updates.
const electionAttempts = 3

// serveElection answers an ElectLeaders call. An error ends the term, and the caller
// is told NOT_CONTROLLER so that it asks the next controller.
func (t *controllerTerm) serveElection(req electionRequest) error {
	reason := "preferred election (admin API)"
	if req.unclean {
		reason = "unclean election (admin API)"
	}
	results, err := t.elect(req.unclean, req.partitions, reason)
	if err != nil {
		req.reply <- electionReply{err: t.c.notController()}
		return err
	}
	req.reply <- electionReply{results: results}
	return nil
}

// elect is ReplicationControlManager.electLeaders, writing state znodes: a preferred
// or unclean election on each partition asked for (nil: every partition, and then
// those that need no election are left out of the results, as in Kafka). It returns
// once the image holds what it wrote; an error ends the term.
func (t *controllerTerm) elect(unclean bool, partitions map[string][]int32, reason string) ([]metadata.ElectionResult, error) {
	all := partitions == nil
	if all {
		img := t.c.src.Tree().Image
		partitions = make(map[string][]int32, len(img.Topics))
		for name, topic := range img.Topics {
			partitions[name] = slices.Sorted(maps.Keys(topic.Partitions))
		}
	}
	var results []metadata.ElectionResult
	for _, name := range slices.Sorted(maps.Keys(partitions)) {
		for _, id := range partitions[name] {
			results = append(results, metadata.ElectionResult{Topic: name, Partition: id})
		}
	}
	todo := make([]int, len(results))
	for i := range todo {
		todo[i] = i
	}
	for attempt := 1; len(todo) > 0; attempt++ {
		img := t.c.src.Tree().Image
		var updates []stateUpdate
		var owners []int
		for _, i := range todo {
			r := &results[i]
			u, err := t.electLeader(img, r.Topic, r.Partition, unclean)
			r.Err = err
			if u != nil {
				updates = append(updates, *u)
				owners = append(owners, i)
			}
		}
		if len(updates) == 0 {
			break
		}
		_, errs, err := t.writeStates(reason, updates)
		if err != nil {
			return nil, err
		}
		todo = todo[:0]
		for j, werr := range errs {
			if werr == nil {
				continue
			}
			r := &results[owners[j]]
			r.Err = fmt.Errorf("elect leader of %s-%d: %w", r.Topic, r.Partition, werr)
			if errors.Is(werr, zk.ErrBadVersion) && attempt < electionAttempts {
				todo = append(todo, owners[j])
			}
		}
		t.c.src.waitReload(t.ctx)
	}
	if all {
		results = slices.DeleteFunc(results, func(r metadata.ElectionResult) bool { return errors.Is(r.Err, kerr.ElectionNotNeeded) })
	}
	return results, nil
}

// electLeader is ReplicationControlManager.electLeader for one partition, live
// brokers being those registered: the state to write, or why there is none.
func (t *controllerTerm) electLeader(img *metadata.Image, topic string, id int32, unclean bool) (*stateUpdate, error) {
	tp, ok := img.Topics[topic]
	if !ok {
		return nil, metadata.Errorf(kerr.UnknownTopicOrPartition, "No such topic as %s", topic)
	}
	p, ok := tp.Partitions[id]
	if !ok {
		return nil, metadata.Errorf(kerr.UnknownTopicOrPartition, "No such partition as %s-%d", topic, id)
	}
	if (!unclean && len(p.Replicas) > 0 && p.Leader == p.Replicas[0]) || (unclean && p.Leader != metadata.NoLeader) {
		return nil, kerr.ElectionNotNeeded
	}
	notAvailable := kerr.PreferredLeaderNotAvailable
	if unclean {
		notAvailable = kerr.EligibleLeadersNotAvailable
	}
	if !hasStateZNode(p) {
		// Its first leader comes with its state znode, once a replica is live.
		return nil, metadata.Errorf(notAvailable, "Partition %s-%d has no leader and ISR yet", topic, id)
	}
	pc := metadata.NewPartitionChange(img.MetadataVersion(), tp.ID, p, liveBrokers(img))
	pc.Election = metadata.ElectPreferred
	if unclean {
		pc.Election = metadata.ElectUnclean
	}
	rec := pc.Build()
	if rec == nil {
		return nil, notAvailable
	}
	u := t.newStateUpdate(topic, p, rec)
	return &u, nil
}
