package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// ListGroups: v0-5
//
// Behavior:
// * The groups this broker coordinates; clients ask every broker and merge.
// * COORDINATOR_LOAD_IN_PROGRESS (with the groups found so far) while a partition loads.
// Version notes:
// * v1: throttle time
// * v3: flexible
// * v4: states filter (KIP-518)
// * v5: types filter (KIP-848); every group here is "classic"

func init() { regKey(16, 0, 5, handleListGroups) }

func handleListGroups(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.ListGroups(kreq.(*kmsg.ListGroupsRequest)), nil
}
