package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// LeaveGroup: v0-5
//
// Behavior:
// * Removes members at once (no session timeout wait) and starts a rebalance.
// * A static member may be removed by group.instance.id alone (admin removal).
// Version notes:
// * v1: throttle time
// * v3: batched members with per-member errors (KIP-345)
// * v4: flexible
// * v5: reason

func init() { regKey(13, 0, 5, handleLeaveGroup) }

func handleLeaveGroup(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.LeaveGroup(kreq.(*kmsg.LeaveGroupRequest)), nil
}
