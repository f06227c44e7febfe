package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// SyncGroup: v0-5
//
// Behavior:
// * Authorization: Read on the group, else GROUP_AUTHORIZATION_FAILED.
// * Followers wait for the leader's assignment; the assignment is written to
//   __consumer_offsets (GroupMetadataValue v3) before anyone receives it.
// * REBALANCE_IN_PROGRESS while the group is preparing a rebalance.
// Version notes:
// * v1: throttle time
// * v3: group.instance.id
// * v4: flexible
// * v5: protocol type and name, checked against the group (INCONSISTENT_GROUP_PROTOCOL)

func init() { regKey(14, 0, 5, handleSyncGroup) }

func handleSyncGroup(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.SyncGroupRequest)
	if !c.mayGroup(b.Image(), metadata.ACLOperationRead, req.Group) {
		resp := req.ResponseKind().(*kmsg.SyncGroupResponse)
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		return resp, nil
	}
	ctx, cancel := b.stopContext()
	defer cancel()
	return b.groups.SyncGroup(ctx, req), nil
}
