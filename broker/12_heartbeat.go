package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// Heartbeat: v0-4
//
// Behavior:
// * Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
// * Fencing: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID.
// Version notes:
// * v1: throttle time
// * v3: group.instance.id
// * v4: flexible

func init() { regKey(12, 0, 4, handleHeartbeat) }

func handleHeartbeat(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.Heartbeat(kreq.(*kmsg.HeartbeatRequest)), nil
}
