package group

import (
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// authorizedOperationsOmitted is Kafka's sentinel for "not requested".
const authorizedOperationsOmitted = -2147483648

// DescribeGroups serves DescribeGroups v0-5. An unknown group is described as Dead
// with no error, as Kafka's classic coordinator does; member subscriptions and
// assignments are only shown once the group is Stable.
func (c *Coordinator) DescribeGroups(req *kmsg.DescribeGroupsRequest) *kmsg.DescribeGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range req.Groups {
		dg := kmsg.NewDescribeGroupsResponseGroup()
		dg.Group = id
		dg.AuthorizedOperations = authorizedOperationsOmitted
		if err := c.checkOwner(id); err != nil {
			dg.ErrorCode = err.Code
			resp.Groups = append(resp.Groups, dg)
			continue
		}
		g := c.groups[id]
		if g == nil {
			dg.State = Dead.String()
			resp.Groups = append(resp.Groups, dg)
			continue
		}
		dg.State, dg.ProtocolType = g.state.String(), g.protocolType
		if g.state == Stable {
			dg.Protocol = g.protocol
		}
		for _, m := range g.sortedMembers() {
			dm := kmsg.NewDescribeGroupsResponseGroupMember()
			dm.MemberID, dm.InstanceID, dm.ClientID, dm.ClientHost = m.id, m.instanceID, m.clientID, m.clientHost
			dm.ProtocolMetadata, dm.MemberAssignment = []byte{}, []byte{}
			if g.state == Stable {
				dm.ProtocolMetadata, dm.MemberAssignment = m.metadataFor(g.protocol), m.assignment
			}
			dg.Members = append(dg.Members, dm)
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp
}

// ListGroups serves ListGroups v0-5: the groups of every partition this broker
// coordinates, filtered by state (v4+, case-insensitive) and type (v5+; ours are all
// "classic"). While a partition loads, the groups found so far come with
// COORDINATOR_LOAD_IN_PROGRESS.
func (c *Coordinator) ListGroups(req *kmsg.ListGroupsRequest) *kmsg.ListGroupsResponse {
	resp := req.ResponseKind().(*kmsg.ListGroupsResponse)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.parts {
		if p.loading {
			resp.ErrorCode = kerr.CoordinatorLoadInProgress.Code
		}
	}
	matches := func(filter []string, v string) bool {
		if len(filter) == 0 {
			return true
		}
		for _, f := range filter {
			if strings.EqualFold(f, v) {
				return true
			}
		}
		return false
	}
	for _, g := range c.groups {
		if g.state == Dead || !matches(req.StatesFilter, g.state.String()) || !matches(req.TypesFilter, "classic") {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = g.id, g.protocolType, g.state.String(), "classic"
		resp.Groups = append(resp.Groups, lg)
	}
	sort.Slice(resp.Groups, func(i, j int) bool { return resp.Groups[i].Group < resp.Groups[j].Group })
	return resp
}

// DeleteGroups serves DeleteGroups v0-2: only an Empty group can go; it is removed
// and tombstones for its metadata key and every offset key are written, so
// compaction erases it from __consumer_offsets.
func (c *Coordinator) DeleteGroups(req *kmsg.DeleteGroupsRequest) *kmsg.DeleteGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DeleteGroupsResponse)
	for _, id := range req.Groups {
		dg := kmsg.NewDeleteGroupsResponseGroup()
		dg.Group = id
		if err := c.deleteGroup(id); err != nil {
			dg.ErrorCode = err.Code
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp
}

func (c *Coordinator) deleteGroup(id string) *kerr.Error {
	if id == "" {
		return kerr.InvalidGroupID
	}
	mu := c.appendLock(c.PartitionFor(id))
	mu.Lock()
	defer mu.Unlock()
	c.mu.Lock()
	if err := c.checkOwner(id); err != nil {
		c.mu.Unlock()
		return err
	}
	g := c.groups[id]
	switch {
	case g == nil || g.state == Dead:
		c.mu.Unlock()
		return kerr.GroupIDNotFound
	case g.state != Empty:
		c.mu.Unlock()
		return kerr.NonEmptyGroup
	}
	recs := []coordlog.Record{{Key: EncodeGroupMetadataKey(id)}}
	for tp := range g.offsets {
		recs = append(recs, coordlog.Record{Key: EncodeOffsetKey(OffsetKey{Group: id, Topic: tp.topic, Partition: tp.partition})})
	}
	c.removeGroupLocked(g)
	c.mu.Unlock()
	if err := c.appendRecords(g.partition, recs); err != nil {
		c.slog.Warn("failed to write group tombstones", "group", id, "err", err)
		return kerr.ErrorForCode(storeErrorCode(err)).(*kerr.Error)
	}
	c.slog.Info("deleted group", "group", id, "offsets", len(recs)-1)
	return nil
}

// removeGroupLocked marks a group Dead and forgets it.
func (c *Coordinator) removeGroupLocked(g *group) {
	g.transition(Dead, c.clock.Now())
	g.stopTimers()
	delete(c.groups, g.id)
}

// OffsetDelete serves OffsetDelete v0: an Empty group's offsets can all be deleted; a
// consumer group's only for topics no member subscribes to (KIP-496).
func (c *Coordinator) OffsetDelete(req *kmsg.OffsetDeleteRequest) *kmsg.OffsetDeleteResponse {
	resp := req.ResponseKind().(*kmsg.OffsetDeleteResponse)
	if req.Group == "" {
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return resp
	}
	mu := c.appendLock(c.PartitionFor(req.Group))
	mu.Lock()
	defer mu.Unlock()
	g, recs, err := c.prepareOffsetDelete(req, resp)
	if err != nil {
		resp.ErrorCode = err.Code
		resp.Topics = nil
		return resp
	}
	if len(recs) == 0 {
		return resp
	}
	if werr := c.appendRecords(g.partition, recs); werr != nil {
		c.slog.Warn("failed to write offset tombstones", "group", g.id, "err", werr)
		code := storeErrorCode(werr)
		for i := range resp.Topics {
			for j := range resp.Topics[i].Partitions {
				resp.Topics[i].Partitions[j].ErrorCode = code
			}
		}
	}
	return resp
}

func (c *Coordinator) prepareOffsetDelete(req *kmsg.OffsetDeleteRequest, resp *kmsg.OffsetDeleteResponse) (*group, []coordlog.Record, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkOwner(req.Group); err != nil {
		return nil, nil, err
	}
	g := c.groups[req.Group]
	if g == nil || g.state == Dead {
		return nil, nil, kerr.GroupIDNotFound
	}
	var subscribed map[string]bool
	if g.state != Empty {
		topics, ok := g.subscribedTopics()
		if !ok {
			return nil, nil, kerr.NonEmptyGroup
		}
		subscribed = topics
	}
	var recs []coordlog.Record
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetDeleteResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetDeleteResponseTopicPartition()
			rp.Partition = p.Partition
			tp := topicPartition{t.Topic, p.Partition}
			if subscribed[t.Topic] {
				rp.ErrorCode = kerr.GroupSubscribedToTopic.Code
				rt.Partitions = append(rt.Partitions, rp)
				continue
			}
			g.dropTxnOffsets(tp)
			if _, has := g.offsets[tp]; has {
				delete(g.offsets, tp)
				recs = append(recs, coordlog.Record{Key: EncodeOffsetKey(OffsetKey{Group: g.id, Topic: t.Topic, Partition: p.Partition})})
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if len(recs) > 0 && g.state == Empty && !g.hasOffsets() {
		// Kafka's cleanupGroupMetadata: an Empty group without offsets is gone; a
		// producer with an open transactional commit keeps it.
		recs = append(recs, coordlog.Record{Key: EncodeGroupMetadataKey(g.id)})
		c.removeGroupLocked(g)
	}
	return g, recs, nil
}
