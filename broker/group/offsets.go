package group

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// OffsetCommit serves OffsetCommit v0-9. Members of a managed group must commit with
// the current generation; a "simple" consumer (generation -1, no member id) may commit
// to an Empty group or create one. The response is sent once the records are
// committed to the group's __consumer_offsets partition. exists reports whether a
// topic partition exists (UNKNOWN_TOPIC_OR_PARTITION otherwise).
func (c *Coordinator) OffsetCommit(req *kmsg.OffsetCommitRequest, exists func(topic string, partition int32) bool) *kmsg.OffsetCommitResponse {
	resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
	codes := make(partitionCodes, len(req.Topics))
	for i, t := range req.Topics {
		codes[i] = make([]int16, len(t.Partitions))
	}
	defer func() {
		for i, t := range req.Topics {
			rt := kmsg.NewOffsetCommitResponseTopic()
			rt.Topic = t.Topic
			for j, p := range t.Partitions {
				rp := kmsg.NewOffsetCommitResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, codes[i][j]
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
	}()
	if req.Group == "" {
		codes.setUnset(kerr.InvalidGroupID.Code)
		return resp
	}
	mu := c.appendLock(c.PartitionFor(req.Group))
	mu.Lock()
	defer mu.Unlock()

	g, recs, keys, err := c.prepareCommit(req, exists, codes)
	if err != nil {
		codes.setUnset(err.Code)
		return resp
	}
	if len(recs) == 0 {
		return resp
	}
	werr := c.appendRecords(g.partition, recs)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(g.writing, k.tp)
	}
	if werr != nil {
		c.slog.Warn("failed to store offsets", "group", g.id, "err", werr)
		codes.setUnset(storeErrorCode(werr))
		return resp
	}
	position := c.takePositionLocked(g.partition)
	for _, k := range keys {
		g.offsets[k.tp] = loggedOffset{k.offset, position}
	}
	return resp
}

// partitionCodes are a commit's error codes, by the request's topic and partition
// indexes.
type partitionCodes [][]int16

// setUnset answers code for every partition that has no error yet.
func (pc partitionCodes) setUnset(code int16) {
	for i := range pc {
		for j := range pc[i] {
			if pc[i][j] == 0 {
				pc[i][j] = code
			}
		}
	}
}

type pendingOffset struct {
	tp     topicPartition
	offset CommittedOffset
}

func (c *Coordinator) prepareCommit(req *kmsg.OffsetCommitRequest, exists func(string, int32) bool, codes [][]int16) (*group, []coordlog.Record, []pendingOffset, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkOwner(req.Group); err != nil {
		return nil, nil, nil, err
	}
	g := c.groups[req.Group]
	if g == nil {
		if req.Generation >= 0 {
			// A member of a generation that no longer exists (e.g. after the coordinator moved).
			return nil, nil, nil, kerr.IllegalGeneration
		}
		g = c.getOrCreate(req.Group, true)
	}
	if err := c.validateCommit(g, req); err != nil {
		return nil, nil, nil, err
	}
	now := c.clock.Now().UnixMilli()
	var recs []coordlog.Record
	var keys []pendingOffset
	for i, t := range req.Topics {
		for j, p := range t.Partitions {
			switch {
			case !exists(t.Topic, p.Partition):
				codes[i][j] = kerr.UnknownTopicOrPartition.Code
				continue
			case p.Metadata != nil && len(*p.Metadata) > c.cfg.MaxMetadataSize:
				codes[i][j] = kerr.OffsetMetadataTooLarge.Code
				continue
			}
			o := CommittedOffset{Offset: p.Offset, LeaderEpoch: p.LeaderEpoch, CommitTimestamp: now, ExpireTimestamp: -1}
			if p.Metadata != nil {
				o.Metadata = *p.Metadata
			}
			if req.Version == 1 && p.Timestamp != -1 {
				o.CommitTimestamp = p.Timestamp // v1's explicit commit timestamp
			}
			if req.Version >= 2 && req.Version <= 4 && req.RetentionTimeMillis != -1 {
				o.ExpireTimestamp = now + req.RetentionTimeMillis // v2-v4's explicit retention
			}
			key := OffsetKey{Group: g.id, Topic: t.Topic, Partition: p.Partition}
			tp := topicPartition{t.Topic, p.Partition}
			recs = append(recs, coordlog.Record{Key: EncodeOffsetKey(key), Value: EncodeOffsetValue(o)})
			keys = append(keys, pendingOffset{tp: tp, offset: o})
			g.writing[tp] = struct{}{}
		}
	}
	return g, recs, keys, nil
}

// validateCommit is Kafka's doCommitOffsets check: simple commits only to an Empty
// group; a member's commit needs the current generation, and none is accepted while
// the group waits for the leader's assignment.
func (c *Coordinator) validateCommit(g *group, req *kmsg.OffsetCommitRequest) *kerr.Error {
	if g.state == Dead {
		return kerr.CoordinatorNotAvailable
	}
	if req.InstanceID != nil {
		if cur, ok := g.instances[*req.InstanceID]; ok && cur != req.MemberID {
			return kerr.FencedInstanceID
		}
	}
	if req.Generation < 0 && g.state == Empty {
		return nil
	}
	if g.state == CompletingRebalance {
		return kerr.RebalanceInProgress
	}
	m, ok := g.members[req.MemberID]
	if !ok {
		return kerr.UnknownMemberID
	}
	if req.Generation != g.generation {
		return kerr.IllegalGeneration
	}
	c.scheduleHeartbeat(g, m)
	return nil
}

// OffsetFetch serves OffsetFetch v0-9 (v8+ batches groups). Partitions without a
// committed offset answer offset -1; a null topic list (v2+) asks for every offset
// the group has. With RequireStable (v7+, KIP-447) a partition whose commit is being
// written or awaits its transaction's end answers UNSTABLE_OFFSET_COMMIT, so a
// consumer taking over does not start from an offset about to change.
func (c *Coordinator) OffsetFetch(req *kmsg.OffsetFetchRequest) *kmsg.OffsetFetchResponse {
	resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
	requireStable := req.Version >= 7 && req.RequireStable
	if req.Version >= 8 {
		for _, rg := range req.Groups {
			var topics []kmsg.OffsetFetchRequestTopic
			if rg.Topics != nil {
				topics = make([]kmsg.OffsetFetchRequestTopic, 0, len(rg.Topics))
				for _, t := range rg.Topics {
					topics = append(topics, kmsg.OffsetFetchRequestTopic{Topic: t.Topic, Partitions: t.Partitions})
				}
			}
			fetched, err := c.fetchOffsets(rg.Group, topics, requireStable)
			sg := kmsg.NewOffsetFetchResponseGroup()
			sg.Group = rg.Group
			if err != nil {
				sg.ErrorCode = err.Code
			}
			for _, t := range fetched {
				st := kmsg.NewOffsetFetchResponseGroupTopic()
				st.Topic = t.Topic
				for _, p := range t.Partitions {
					st.Partitions = append(st.Partitions, kmsg.OffsetFetchResponseGroupTopicPartition{
						Partition: p.Partition, Offset: p.Offset, LeaderEpoch: p.LeaderEpoch,
						Metadata: p.Metadata, ErrorCode: p.ErrorCode,
					})
				}
				sg.Topics = append(sg.Topics, st)
			}
			resp.Groups = append(resp.Groups, sg)
		}
		return resp
	}
	topics := req.Topics
	if req.Version < 2 && topics == nil {
		topics = []kmsg.OffsetFetchRequestTopic{} // only v2+ may ask for all offsets
	}
	fetched, err := c.fetchOffsets(req.Group, topics, requireStable)
	if err == nil {
		resp.Topics = fetched
		return resp
	}
	if req.Version >= 2 {
		resp.ErrorCode = err.Code
		return resp
	}
	// v0-1 have no group-level error: every requested partition carries it.
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetFetchResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetFetchResponseTopicPartition()
			rp.Partition, rp.Offset, rp.ErrorCode = p, -1, err.Code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

// fetchOffsets answers one group's offsets; a nil topics list means all of them, that
// is all it has committed.
func (c *Coordinator) fetchOffsets(groupID string, topics []kmsg.OffsetFetchRequestTopic, requireStable bool) ([]kmsg.OffsetFetchResponseTopic, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkOwner(groupID); err != nil {
		return nil, err
	}
	g := c.groups[groupID]
	if topics == nil {
		if g == nil {
			return nil, nil
		}
		byTopic := map[string][]int32{}
		for tp := range g.offsets {
			byTopic[tp.topic] = append(byTopic[tp.topic], tp.partition)
		}
		for t, ps := range byTopic {
			sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
			topics = append(topics, kmsg.OffsetFetchRequestTopic{Topic: t, Partitions: ps})
		}
		sort.Slice(topics, func(i, j int) bool { return topics[i].Topic < topics[j].Topic })
	}
	out := make([]kmsg.OffsetFetchResponseTopic, 0, len(topics))
	for _, t := range topics {
		rt := kmsg.NewOffsetFetchResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetFetchResponseTopicPartition()
			rp.Partition, rp.Offset, rp.LeaderEpoch = p, -1, -1
			empty := ""
			rp.Metadata = &empty
			tp := topicPartition{t.Topic, p}
			switch {
			case g == nil: // nothing committed
			case requireStable && g.hasUnstableOffset(tp):
				rp.ErrorCode = kerr.UnstableOffsetCommit.Code
			default:
				if o, ok := g.offsets[tp]; ok {
					md := o.Metadata
					rp.Offset, rp.LeaderEpoch, rp.Metadata = o.Offset, o.LeaderEpoch, &md
				}
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out, nil
}
