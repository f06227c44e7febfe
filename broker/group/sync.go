package group

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// SyncGroup serves SyncGroup v0-5. A follower's request waits for the leader's
// assignment; the leader's assignment is written to __consumer_offsets before anyone
// gets it, so a coordinator that fails over still knows it.
func (c *Coordinator) SyncGroup(ctx context.Context, req *kmsg.SyncGroupRequest) *kmsg.SyncGroupResponse {
	wait, store, resp := c.sync(req)
	if resp != nil {
		return resp
	}
	if store != nil {
		c.completeLeaderSync(store)
	}
	select {
	case r := <-wait:
		return r
	case <-ctx.Done():
		return syncError(req.Version, kerr.CoordinatorNotAvailable)
	}
}

func syncError(version int16, err *kerr.Error) *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupResponse()
	r.Version = version
	r.ErrorCode = err.Code
	return r
}

// pendingAssignment is a leader's assignment on its way to the log.
type pendingAssignment struct {
	g          *group
	generation int32
	assignment map[string][]byte
	record     coordlog.Record
}

func (c *Coordinator) sync(req *kmsg.SyncGroupRequest) (<-chan *kmsg.SyncGroupResponse, *pendingAssignment, *kmsg.SyncGroupResponse) {
	fail := func(err *kerr.Error) (<-chan *kmsg.SyncGroupResponse, *pendingAssignment, *kmsg.SyncGroupResponse) {
		return nil, nil, syncError(req.Version, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Group == "" {
		return fail(kerr.InvalidGroupID)
	}
	if err := c.checkOwner(req.Group); err != nil {
		return fail(err)
	}
	g := c.groups[req.Group]
	switch {
	case g == nil:
		return fail(kerr.UnknownMemberID)
	case g.state == Dead:
		return fail(kerr.CoordinatorNotAvailable)
	}
	if err := g.validateMember(req.MemberID, req.InstanceID); err != nil {
		return fail(err)
	}
	switch {
	case req.Generation != g.generation:
		return fail(kerr.IllegalGeneration)
	case req.ProtocolType != nil && *req.ProtocolType != g.protocolType,
		req.Protocol != nil && *req.Protocol != g.protocol:
		return fail(kerr.InconsistentGroupProtocol)
	}
	m := g.members[req.MemberID]
	switch g.state {
	case Empty:
		return fail(kerr.UnknownMemberID)
	case PreparingRebalance:
		return fail(kerr.RebalanceInProgress)
	case Stable:
		m.syncedThisRound = true
		c.scheduleHeartbeat(g, m)
		return nil, nil, g.syncResult(m, req.Version)
	}
	// CompletingRebalance
	ch := make(chan *kmsg.SyncGroupResponse, 1)
	if m.awaitingSync != nil {
		m.awaitingSync <- syncError(m.syncVersion, kerr.UnknownMemberID) // an abandoned earlier try
	}
	m.awaitingSync, m.syncVersion, m.syncedThisRound = ch, req.Version, true
	if m.id != g.leader {
		return ch, nil, nil
	}
	assignment := make(map[string][]byte, len(g.members))
	for _, a := range req.GroupAssignment {
		if _, ok := g.members[a.MemberID]; ok {
			assignment[a.MemberID] = a.MemberAssignment
		}
	}
	return ch, &pendingAssignment{
		g: g, generation: g.generation, assignment: assignment,
		record: coordlog.Record{Key: EncodeGroupMetadataKey(g.id), Value: g.metadataValue(assignment, c.clock.Now())},
	}, nil
}

// completeLeaderSync writes the assignment and, if the group is still in the same
// rebalance, makes it Stable and answers every parked SyncGroup.
func (c *Coordinator) completeLeaderSync(p *pendingAssignment) {
	mu := c.appendLock(p.g.partition)
	mu.Lock()
	defer mu.Unlock()
	err := c.appendRecords(p.g.partition, []coordlog.Record{p.record})
	c.mu.Lock()
	defer c.mu.Unlock()
	g := p.g
	if c.groups[g.id] != g || g.state != CompletingRebalance || g.generation != p.generation {
		return
	}
	if err != nil {
		c.slog.Warn("failed to store group assignment", "group", g.id, "generation", g.generation, "err", err)
		c.resetAssignments(g, kerr.ErrorForCode(storeErrorCode(err)).(*kerr.Error))
		c.maybePrepareRebalance(g, "storing the assignment failed")
		return
	}
	g.storedGeneration = g.generation
	for _, m := range g.members {
		m.assignment = p.assignment[m.id]
		if m.awaitingSync != nil {
			m.awaitingSync <- g.syncResult(m, m.syncVersion)
			m.awaitingSync = nil
		}
	}
	g.transition(Stable, c.clock.Now())
	c.slog.Info("group stabilized", "group", g.id, "generation", g.generation, "members", len(g.members))
}

func (g *group) syncResult(m *member, version int16) *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupResponse()
	r.Version = version
	pt, p := g.protocolType, g.protocol
	r.ProtocolType, r.Protocol = &pt, &p
	r.MemberAssignment = m.assignment
	if r.MemberAssignment == nil {
		r.MemberAssignment = []byte{}
	}
	return r
}

// resetAssignments clears the assignment of a rebalance that will not complete and
// sends err to every member waiting for it.
func (c *Coordinator) resetAssignments(g *group, err *kerr.Error) {
	for _, m := range g.members {
		m.assignment = nil
		if m.awaitingSync != nil {
			m.awaitingSync <- syncError(m.syncVersion, err)
			m.awaitingSync = nil
		}
	}
}
