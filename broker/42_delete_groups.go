package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// DeleteGroups: v0-2
//
// Behavior:
// * Only Empty groups (NON_EMPTY_GROUP otherwise; GROUP_ID_NOT_FOUND if unknown).
// * Tombstones are written for the group's metadata key and every offset key.
// Version notes:
// * v1: throttle time
// * v2: flexible

func init() { regKey(42, 0, 2, handleDeleteGroups) }

func handleDeleteGroups(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.DeleteGroups(kreq.(*kmsg.DeleteGroupsRequest)), nil
}
