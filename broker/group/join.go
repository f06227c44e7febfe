package group

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// JoinGroup serves JoinGroup v0-9. It returns at once for errors, MEMBER_ID_REQUIRED
// and rejoins that need no rebalance; otherwise the response waits until the
// rebalance completes, as Kafka parks the request in its join purgatory.
func (c *Coordinator) JoinGroup(ctx context.Context, req *kmsg.JoinGroupRequest, clientID, clientHost string) *kmsg.JoinGroupResponse {
	wait, resp := c.join(req, clientID, clientHost)
	if resp != nil {
		return resp
	}
	select {
	case r := <-wait:
		return r
	case <-ctx.Done():
		return joinError(req.Version, kerr.CoordinatorNotAvailable, req.MemberID)
	}
}

func joinError(version int16, err *kerr.Error, memberID string) *kmsg.JoinGroupResponse {
	r := kmsg.NewPtrJoinGroupResponse()
	r.Version = version
	r.ErrorCode = err.Code
	r.Generation = -1
	r.MemberID = memberID
	return r
}

func (c *Coordinator) join(req *kmsg.JoinGroupRequest, clientID, clientHost string) (<-chan *kmsg.JoinGroupResponse, *kmsg.JoinGroupResponse) {
	fail := func(err *kerr.Error) (<-chan *kmsg.JoinGroupResponse, *kmsg.JoinGroupResponse) {
		return nil, joinError(req.Version, err, req.MemberID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Group == "" {
		return fail(kerr.InvalidGroupID)
	}
	if err := c.checkOwner(req.Group); err != nil {
		return fail(err)
	}
	session := time.Duration(req.SessionTimeoutMillis) * time.Millisecond
	if session < c.cfg.MinSessionTimeout || session > c.cfg.MaxSessionTimeout {
		return fail(kerr.InvalidSessionTimeout)
	}
	rebalance := time.Duration(req.RebalanceTimeoutMillis) * time.Millisecond
	if req.Version == 0 {
		rebalance = session // v0 has no rebalance timeout; Kafka uses the session timeout
	}
	protocols := make([]protocol, len(req.Protocols))
	for i, p := range req.Protocols {
		protocols[i] = protocol{name: p.Name, metadata: p.Metadata}
	}
	_, existed := c.groups[req.Group]
	g := c.getOrCreate(req.Group, req.MemberID == "")
	if g == nil {
		return fail(kerr.UnknownMemberID)
	}
	ch, resp := c.joinGroup(g, req, protocols, session, rebalance, clientID, clientHost)
	if resp != nil && !existed && len(g.members) == 0 && len(g.pending) == 0 && len(g.offsets) == 0 {
		delete(c.groups, g.id) // an error left the new group as nothing but a name
	}
	return ch, resp
}

func (c *Coordinator) joinGroup(g *group, req *kmsg.JoinGroupRequest, protocols []protocol, session, rebalance time.Duration, clientID, clientHost string) (<-chan *kmsg.JoinGroupResponse, *kmsg.JoinGroupResponse) {
	fail := func(err *kerr.Error) (<-chan *kmsg.JoinGroupResponse, *kmsg.JoinGroupResponse) {
		return nil, joinError(req.Version, err, req.MemberID)
	}
	_, isMember := g.members[req.MemberID]
	_, isPending := g.pending[req.MemberID]
	switch {
	case g.state == Dead:
		// Another request just removed the group: the client looks up the coordinator again.
		return fail(kerr.CoordinatorNotAvailable)
	case !isMember && !isPending && g.state != Empty && len(g.members)+len(g.pending) >= c.cfg.MaxSize:
		return fail(kerr.GroupMaxSizeReached)
	case !g.supportsProtocols(req.ProtocolType, protocols):
		return fail(kerr.InconsistentGroupProtocol)
	}
	m := &member{
		instanceID: req.InstanceID, clientID: clientID, clientHost: clientHost,
		protocolType: req.ProtocolType, protocols: protocols,
		rebalanceTimeout: rebalance, sessionTimeout: session, joinVersion: req.Version,
	}
	if isPending {
		c.stopPending(g, req.MemberID)
		m.id = req.MemberID
		return c.addMemberAndRebalance(g, m), nil
	}
	if req.MemberID == "" {
		m.id = newMemberID(clientID)
		if req.InstanceID != nil {
			if old, ok := g.instances[*req.InstanceID]; ok {
				return c.replaceStaticMember(g, g.members[old], m)
			}
			return c.addMemberAndRebalance(g, m), nil
		}
		if req.Version >= 4 {
			// KIP-394: hand out the id first, so a client that dies before its first
			// real join leaves no member behind, only this pending id.
			g.pending[m.id] = c.clock.AfterFunc(session, func() { c.expirePending(g, m.id) })
			return nil, joinError(req.Version, kerr.MemberIDRequired, m.id)
		}
		return c.addMemberAndRebalance(g, m), nil
	}
	if err := g.validateMember(req.MemberID, req.InstanceID); err != nil {
		return fail(err)
	}
	cur := g.members[req.MemberID]
	switch g.state {
	case PreparingRebalance:
		return c.updateMemberAndRebalance(g, cur, m), nil
	case CompletingRebalance:
		if cur.matches(protocols) {
			// A retried join of a member whose join already completed: same answer.
			return nil, g.joinResult(cur, req.Version, false)
		}
		return c.updateMemberAndRebalance(g, cur, m), nil
	case Stable:
		if cur.id == g.leader || !cur.matches(protocols) {
			// A rejoining leader wants a new assignment (e.g. the topics changed).
			return c.updateMemberAndRebalance(g, cur, m), nil
		}
		return nil, g.joinResult(cur, req.Version, false)
	default:
		return fail(kerr.UnknownMemberID)
	}
}

// validateMember is the member check shared by every group request: a static member
// whose instance id now belongs to a newer member id is fenced (KIP-345).
func (g *group) validateMember(memberID string, instanceID *string) *kerr.Error {
	if instanceID != nil {
		cur, ok := g.instances[*instanceID]
		if ok && cur != memberID {
			return kerr.FencedInstanceID
		}
		if !ok {
			return kerr.UnknownMemberID
		}
	}
	if _, ok := g.members[memberID]; !ok {
		return kerr.UnknownMemberID
	}
	return nil
}

// newMemberID is Kafka's clientId + "-" + UUID.
func newMemberID(clientID string) string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return clientID + "-" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// joinResult is the JoinGroup answer of the current generation; only the leader gets
// the members and their subscriptions.
func (g *group) joinResult(m *member, version int16, skipAssignment bool) *kmsg.JoinGroupResponse {
	r := kmsg.NewPtrJoinGroupResponse()
	r.Version = version
	r.Generation = g.generation
	pt, p := g.protocolType, g.protocol
	r.ProtocolType, r.Protocol = &pt, &p
	r.LeaderID = g.leader
	r.MemberID = m.id
	r.SkipAssignment = skipAssignment
	if m.id == g.leader && (version >= 9 || !skipAssignment) {
		// Before v9 a static leader that rejoins without a rebalance gets no members,
		// so it cannot send an assignment that would overwrite the current one (KIP-814).
		for _, o := range g.sortedMembers() {
			jm := kmsg.NewJoinGroupResponseMember()
			jm.MemberID = o.id
			jm.InstanceID = o.instanceID
			jm.ProtocolMetadata = o.metadataFor(g.protocol)
			r.Members = append(r.Members, jm)
		}
	}
	return r
}

func (c *Coordinator) addMemberAndRebalance(g *group, m *member) <-chan *kmsg.JoinGroupResponse {
	if g.state == PreparingRebalance && g.generation == 0 {
		g.newMemberAdded = true
	}
	ch := make(chan *kmsg.JoinGroupResponse, 1)
	m.awaitingJoin = ch
	g.add(m)
	c.scheduleHeartbeat(g, m)
	c.maybePrepareRebalance(g, "member "+m.id+" joined")
	c.maybeCompleteJoin(g)
	return ch
}

func (c *Coordinator) updateMemberAndRebalance(g *group, cur, upd *member) <-chan *kmsg.JoinGroupResponse {
	ch := make(chan *kmsg.JoinGroupResponse, 1)
	if cur.awaitingJoin != nil {
		// A client that retried a join it gave up on: the older request gets the
		// same error Kafka gives a replaced callback.
		cur.awaitingJoin <- joinError(cur.joinVersion, kerr.UnknownMemberID, cur.id)
	}
	cur.protocols, cur.rebalanceTimeout, cur.sessionTimeout = upd.protocols, upd.rebalanceTimeout, upd.sessionTimeout
	cur.clientID, cur.clientHost, cur.joinVersion = upd.clientID, upd.clientHost, upd.joinVersion
	cur.awaitingJoin = ch
	c.maybePrepareRebalance(g, "member "+cur.id+" rejoined")
	c.maybeCompleteJoin(g)
	return ch
}

// replaceStaticMember gives a static member's place to a new member id (a restarted
// client with the same group.instance.id); requests of the old id are fenced.
func (c *Coordinator) replaceStaticMember(g *group, old, upd *member) (<-chan *kmsg.JoinGroupResponse, *kmsg.JoinGroupResponse) {
	old.failParked(kerr.FencedInstanceID)
	delete(g.members, old.id)
	oldID := old.id
	old.id = upd.id
	g.members[old.id] = old
	g.instances[*old.instanceID] = old.id
	if g.leader == oldID {
		g.leader = old.id
	}
	old.protocols, old.rebalanceTimeout, old.sessionTimeout = upd.protocols, upd.rebalanceTimeout, upd.sessionTimeout
	old.clientID, old.clientHost, old.joinVersion = upd.clientID, upd.clientHost, upd.joinVersion
	c.scheduleHeartbeat(g, old)
	switch g.state {
	case Stable:
		if g.selectProtocol() == g.protocol {
			// Same protocol: no rebalance, the new id takes over the old assignment.
			c.storeGroupAsync(g)
			return nil, g.joinResult(old, upd.joinVersion, old.id == g.leader)
		}
		return c.updateMemberAndRebalance(g, old, upd), nil
	case CompletingRebalance:
		return c.updateMemberAndRebalance(g, old, upd), nil
	default: // PreparingRebalance: the new id joins the rebalance under way
		ch := make(chan *kmsg.JoinGroupResponse, 1)
		old.awaitingJoin = ch
		c.maybeCompleteJoin(g)
		return ch, nil
	}
}

// maybePrepareRebalance starts a rebalance unless one is already under way.
func (c *Coordinator) maybePrepareRebalance(g *group, reason string) {
	if g.state == Stable || g.state == CompletingRebalance || g.state == Empty {
		c.prepareRebalance(g, reason)
	}
}

func (c *Coordinator) prepareRebalance(g *group, reason string) {
	if g.state == CompletingRebalance {
		c.resetAssignments(g, kerr.RebalanceInProgress)
	}
	if g.syncTimer != nil {
		g.syncTimer.Stop()
		g.syncTimer = nil
	}
	g.initialJoin = g.state == Empty
	g.transition(PreparingRebalance, c.clock.Now())
	c.slog.Info("preparing to rebalance group", "group", g.id, "generation", g.generation, "reason", reason)
	if g.initialJoin {
		// The first rebalance of an empty group waits group.initial.rebalance.delay.ms
		// for more members, extended while they keep coming, up to the rebalance timeout.
		remaining := max(g.maxRebalanceTimeout()-c.cfg.InitialRebalanceDelay, 0)
		c.armInitialJoin(g, c.cfg.InitialRebalanceDelay, remaining)
		return
	}
	c.armJoin(g, g.maxRebalanceTimeout())
	c.maybeCompleteJoin(g)
}

func (c *Coordinator) armInitialJoin(g *group, delay, remaining time.Duration) {
	g.newMemberAdded = false
	c.armRebalanceTimer(g, delay, func() {
		if g.newMemberAdded && remaining > 0 {
			d := min(c.cfg.InitialRebalanceDelay, remaining)
			c.armInitialJoin(g, d, max(remaining-d, 0))
			return
		}
		c.completeJoin(g)
	})
}

func (c *Coordinator) armJoin(g *group, timeout time.Duration) {
	c.armRebalanceTimer(g, timeout, func() { c.completeJoin(g) })
}

// armRebalanceTimer runs fn under the lock after d, unless the group moved on.
func (c *Coordinator) armRebalanceTimer(g *group, d time.Duration, fn func()) {
	if g.rebalanceTimer != nil {
		g.rebalanceTimer.Stop()
	}
	g.rebalanceSeq++
	seq := g.rebalanceSeq
	g.rebalanceTimer = c.clock.AfterFunc(d, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.groups[g.id] == g && g.rebalanceSeq == seq && g.state == PreparingRebalance {
			fn()
		}
	})
}

// maybeCompleteJoin ends the join phase early once every member has rejoined; the
// initial delayed join of an empty group always waits its delay.
func (c *Coordinator) maybeCompleteJoin(g *group) {
	if g.state == PreparingRebalance && !g.initialJoin && g.hasAllMembersJoined() {
		c.completeJoin(g)
	}
}

// completeJoin is Kafka's onCompleteJoin: members that did not rejoin in time are
// removed, the next generation starts, and every parked join gets its answer.
func (c *Coordinator) completeJoin(g *group) {
	if g.rebalanceTimer != nil {
		g.rebalanceTimer.Stop()
		g.rebalanceTimer = nil
	}
	g.rebalanceSeq++
	for _, m := range g.sortedMembers() {
		if m.awaitingJoin == nil {
			c.slog.Info("removing member that did not rejoin in time", "group", g.id, "member", m.id)
			g.remove(m)
		}
	}
	if _, ok := g.members[g.leader]; !ok {
		g.leader = ""
		if ms := g.sortedMembers(); len(ms) > 0 {
			g.leader = ms[0].id
		}
	}
	g.generation++
	now := c.clock.Now()
	if len(g.members) == 0 {
		g.protocol = ""
		g.transition(Empty, now)
		c.slog.Info("group is empty", "group", g.id, "generation", g.generation)
		c.storeGroupAsync(g)
		return
	}
	g.protocol = g.selectProtocol()
	g.transition(CompletingRebalance, now)
	c.slog.Info("group completed join", "group", g.id, "generation", g.generation, "members", len(g.members), "protocol", g.protocol)
	for _, m := range g.members {
		m.awaitingJoin <- g.joinResult(m, m.joinVersion, false)
		m.awaitingJoin = nil
		m.syncedThisRound = false
		c.scheduleHeartbeat(g, m)
	}
	c.schedulePendingSync(g)
}

// schedulePendingSync removes members that got their join answer but never sent
// SyncGroup within the rebalance timeout, so one stuck member cannot hold the group.
func (c *Coordinator) schedulePendingSync(g *group) {
	gen := g.generation
	g.syncTimer = c.clock.AfterFunc(g.maxRebalanceTimeout(), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.groups[g.id] != g || g.generation != gen || (g.state != CompletingRebalance && g.state != Stable) {
			return
		}
		var late []*member
		for _, m := range g.members {
			if !m.syncedThisRound {
				late = append(late, m)
			}
		}
		if len(late) == 0 {
			return
		}
		for _, m := range late {
			c.slog.Info("removing member that did not sync in time", "group", g.id, "member", m.id)
			g.remove(m)
		}
		c.prepareRebalance(g, "members did not sync in time")
	})
}

// remove drops a member, answering its parked requests, and picks a new leader.
func (g *group) remove(m *member) {
	m.failParked(kerr.UnknownMemberID)
	if m.heartbeat != nil {
		m.heartbeat.Stop()
	}
	m.heartbeatSeq++
	delete(g.members, m.id)
	if m.instanceID != nil && g.instances[*m.instanceID] == m.id {
		delete(g.instances, *m.instanceID)
	}
	if g.leader == m.id {
		g.leader = ""
		if ms := g.sortedMembers(); len(ms) > 0 {
			g.leader = ms[0].id
		}
	}
}

// removeMember takes a failed or leaving member out and moves the group on: a
// rebalance for a settled group, or a chance to finish the join under way.
func (c *Coordinator) removeMember(g *group, m *member, reason string) {
	g.remove(m)
	switch g.state {
	case Stable, CompletingRebalance:
		c.maybePrepareRebalance(g, reason)
	case PreparingRebalance:
		c.maybeCompleteJoin(g)
	}
}

func (c *Coordinator) stopPending(g *group, memberID string) {
	if t, ok := g.pending[memberID]; ok {
		t.Stop()
		delete(g.pending, memberID)
	}
}

func (c *Coordinator) expirePending(g *group, memberID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := g.pending[memberID]; !ok || c.groups[g.id] != g {
		return
	}
	delete(g.pending, memberID)
	c.maybeCompleteJoin(g)
}

// failParked answers the member's parked JoinGroup and SyncGroup requests, if any, with
// err: the member was removed, fenced, or this broker stopped coordinating its group.
func (m *member) failParked(err *kerr.Error) {
	if m.awaitingJoin != nil {
		m.awaitingJoin <- joinError(m.joinVersion, err, m.id)
		m.awaitingJoin = nil
	}
	if m.awaitingSync != nil {
		m.awaitingSync <- syncError(m.syncVersion, err)
		m.awaitingSync = nil
	}
}
