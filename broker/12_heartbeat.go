package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// Heartbeat: v0-4
//
// Behavior:
// * Authorization: Read on the group, else GROUP_AUTHORIZATION_FAILED.
// * Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
// * Fencing: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID.
// Version notes:
// * v1: throttle time
// * v3: group.instance.id
// * v4: flexible

func init() { regKey(12, 0, 4, handleHeartbeat) }

func handleHeartbeat(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.HeartbeatRequest)
	if !c.mayGroup(b.Image(), metadata.ACLOperationRead, req.Group) {
		resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		return resp, nil
	}
	return b.groups.Heartbeat(req), nil
}
