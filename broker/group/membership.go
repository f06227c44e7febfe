package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Heartbeat serves Heartbeat v0-4: it keeps a member's session alive and tells it,
// with REBALANCE_IN_PROGRESS, when it must rejoin.
func (c *Coordinator) Heartbeat(req *kmsg.HeartbeatRequest) *kmsg.HeartbeatResponse {
	resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
	if err := c.heartbeat(req); err != nil {
		resp.ErrorCode = err.Code
	}
	return resp
}

func (c *Coordinator) heartbeat(req *kmsg.HeartbeatRequest) *kerr.Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Group == "" {
		return kerr.InvalidGroupID
	}
	if err := c.checkOwner(req.Group); err != nil {
		return err
	}
	g := c.groups[req.Group]
	switch {
	case g == nil:
		return kerr.UnknownMemberID
	case g.state == Dead:
		return kerr.CoordinatorNotAvailable
	}
	if err := g.validateMember(req.MemberID, req.InstanceID); err != nil {
		return err
	}
	if req.Generation != g.generation {
		return kerr.IllegalGeneration
	}
	m := g.members[req.MemberID]
	switch g.state {
	case Empty:
		return kerr.UnknownMemberID
	case PreparingRebalance:
		c.scheduleHeartbeat(g, m)
		return kerr.RebalanceInProgress
	default:
		c.scheduleHeartbeat(g, m)
		return nil
	}
}

// scheduleHeartbeat (re)starts a member's session timer.
func (c *Coordinator) scheduleHeartbeat(g *group, m *member) {
	if m.heartbeat != nil {
		m.heartbeat.Stop()
	}
	m.heartbeatSeq++
	seq := m.heartbeatSeq
	m.heartbeat = c.clock.AfterFunc(m.sessionTimeout, func() { c.expireSession(g, m, seq) })
}

// expireSession removes a member whose session timed out. A member parked in a join
// or sync is alive by definition: the rebalance timeout governs it instead.
func (c *Coordinator) expireSession(g *group, m *member, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.groups[g.id] != g || g.members[m.id] != m || m.heartbeatSeq != seq {
		return
	}
	if m.awaitingJoin != nil || m.awaitingSync != nil {
		c.scheduleHeartbeat(g, m)
		return
	}
	c.slog.Info("member session expired", "group", g.id, "member", m.id, "session_timeout", m.sessionTimeout)
	c.removeMember(g, m, "member "+m.id+" session expired")
}

// LeaveGroup serves LeaveGroup v0-5; v3+ removes a batch of members, and an admin
// may name a static member by group.instance.id alone (KIP-345).
func (c *Coordinator) LeaveGroup(req *kmsg.LeaveGroupRequest) *kmsg.LeaveGroupResponse {
	resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
	leaving := req.Members
	if req.Version < 3 {
		leaving = []kmsg.LeaveGroupRequestMember{{MemberID: req.MemberID}}
	}
	codes, err := c.leave(req.Group, leaving)
	if err != nil {
		resp.ErrorCode = err.Code
		return resp
	}
	if req.Version < 3 {
		resp.ErrorCode = codes[0]
		return resp
	}
	for i, l := range leaving {
		rm := kmsg.NewLeaveGroupResponseMember()
		rm.MemberID, rm.InstanceID, rm.ErrorCode = l.MemberID, l.InstanceID, codes[i]
		resp.Members = append(resp.Members, rm)
	}
	return resp
}

func (c *Coordinator) leave(groupID string, leaving []kmsg.LeaveGroupRequestMember) ([]int16, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if groupID == "" {
		return nil, kerr.InvalidGroupID
	}
	if err := c.checkOwner(groupID); err != nil {
		return nil, err
	}
	g := c.groups[groupID]
	codes := make([]int16, len(leaving))
	if g == nil {
		for i := range codes {
			codes[i] = kerr.UnknownMemberID.Code
		}
		return codes, nil
	}
	if g.state == Dead {
		return nil, kerr.CoordinatorNotAvailable
	}
	for i, l := range leaving {
		if _, ok := g.pending[l.MemberID]; ok {
			c.stopPending(g, l.MemberID)
			c.maybeCompleteJoin(g)
			continue
		}
		id := l.MemberID
		if id == "" && l.InstanceID != nil {
			cur, ok := g.instances[*l.InstanceID]
			if !ok {
				codes[i] = kerr.UnknownMemberID.Code
				continue
			}
			id = cur
		} else if err := g.validateMember(id, l.InstanceID); err != nil {
			codes[i] = err.Code
			continue
		}
		c.slog.Info("member left group", "group", g.id, "member", id)
		c.removeMember(g, g.members[id], "member "+id+" left")
	}
	return codes, nil
}
