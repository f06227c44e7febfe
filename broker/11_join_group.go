package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// JoinGroup: v0-9
//
// Behavior:
// * Authorization: Read on the group, else GROUP_AUTHORIZATION_FAILED.
// * Kafka's classic group protocol: Empty, PreparingRebalance, CompletingRebalance,
//   Stable, Dead; the request waits until the rebalance it joins completes.
// * The first rebalance of an empty group waits group.initial.rebalance.delay.ms;
//   members that do not rejoin within the rebalance timeout are removed.
// * Session timeouts outside group.min/max.session.timeout.ms are
//   INVALID_SESSION_TIMEOUT; more than group.max.size members GROUP_MAX_SIZE_REACHED.
// * The protocol is the one every member supports, chosen by the members' votes.
// Version notes:
// * v1: rebalance timeout (v0 uses the session timeout)
// * v4: MEMBER_ID_REQUIRED on the first join of a dynamic member (KIP-394)
// * v5: group.instance.id, static membership (KIP-345)
// * v6: flexible
// * v7: protocol type in the response
// * v8: reason
// * v9: skip assignment for a static leader rejoining a stable group (KIP-814)

func init() { regKey(11, 0, 9, handleJoinGroup) }

func handleJoinGroup(b *Broker, c *clientConn, hdr *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.JoinGroupRequest)
	if !c.mayGroup(b.Image(), metadata.ACLOperationRead, req.Group) {
		resp := req.ResponseKind().(*kmsg.JoinGroupResponse)
		resp.ErrorCode, resp.Generation = kerr.GroupAuthorizationFailed.Code, -1
		return resp, nil
	}
	ctx, cancel := b.stopContext()
	defer cancel()
	return b.groups.JoinGroup(ctx, req, hdr.ClientID, clientHost(c)), nil
}

// clientHost is the member's host as Kafka reports it: "/" and the peer address
// (identify parsed it).
func clientHost(c *clientConn) string {
	if c.host == "" {
		return "/" + c.conn.RemoteAddr().String()
	}
	return "/" + c.host
}
