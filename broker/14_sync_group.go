package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// SyncGroup: v0-5
//
// Behavior:
// * Followers wait for the leader's assignment; the assignment is written to
//   __consumer_offsets (GroupMetadataValue v3) before anyone receives it.
// * REBALANCE_IN_PROGRESS while the group is preparing a rebalance.
// Version notes:
// * v1: throttle time
// * v3: group.instance.id
// * v4: flexible
// * v5: protocol type and name, checked against the group (INCONSISTENT_GROUP_PROTOCOL)

func init() { regKey(14, 0, 5, handleSyncGroup) }

func handleSyncGroup(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	ctx, cancel := b.stopContext()
	defer cancel()
	return b.groups.SyncGroup(ctx, kreq.(*kmsg.SyncGroupRequest)), nil
}
