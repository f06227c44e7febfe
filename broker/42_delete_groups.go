package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DeleteGroups: v0-2
//
// Behavior:
// * Authorization: Delete on each group, else GROUP_AUTHORIZATION_FAILED for it.
// * Only Empty groups (NON_EMPTY_GROUP otherwise; GROUP_ID_NOT_FOUND if unknown).
// * Tombstones are written for the group's metadata key and every offset key.
// Version notes:
// * v1: throttle time
// * v2: flexible

func init() { regKey(42, 0, 2, handleDeleteGroups) }

func handleDeleteGroups(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := *kreq.(*kmsg.DeleteGroupsRequest)
	var denied []kmsg.DeleteGroupsResponseGroup
	req.Groups, denied = c.authorizeDeleteGroups(b.Image(), req.Groups)
	resp := b.groups.DeleteGroups(&req)
	resp.Groups = append(resp.Groups, denied...)
	return resp, nil
}
