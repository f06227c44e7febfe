package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// LeaveGroup: v0-5
//
// Behavior:
// * Authorization: Read on the group, else GROUP_AUTHORIZATION_FAILED.
// * Removes members at once (no session timeout wait) and starts a rebalance.
// * A static member may be removed by group.instance.id alone (admin removal).
// Version notes:
// * v1: throttle time
// * v3: batched members with per-member errors (KIP-345)
// * v4: flexible
// * v5: reason

func init() { regKey(13, 0, 5, handleLeaveGroup) }

func handleLeaveGroup(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.LeaveGroupRequest)
	if !c.mayGroup(b.Image(), metadata.ACLOperationRead, req.Group) {
		resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		return resp, nil
	}
	return b.groups.LeaveGroup(req), nil
}
