package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeGroups: v0-5
//
// Behavior:
// * Authorization: Describe on each group, else GROUP_AUTHORIZATION_FAILED for it;
//   authorized operations (v3+) when asked.
// * State, protocol type, and members; subscriptions and assignments only for a
//   Stable group, as Kafka shows them.
// * An unknown group is described as Dead with no error (the classic coordinator's answer).
// Version notes:
// * v1: throttle time
// * v3: authorized operations (not computed: no ACLs are enforced)
// * v4: group.instance.id
// * v5: flexible

func init() { regKey(15, 0, 5, handleDescribeGroups) }

func handleDescribeGroups(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	img := b.Image()
	req := *kreq.(*kmsg.DescribeGroupsRequest)
	var denied []kmsg.DescribeGroupsResponseGroup
	req.Groups, denied = c.authorizeDescribeGroups(img, req.Groups)
	r := b.groups.DescribeGroups(&req)
	if req.Version >= 3 && req.IncludeAuthorizedOperations {
		for i := range r.Groups {
			if r.Groups[i].ErrorCode == 0 {
				r.Groups[i].AuthorizedOperations = b.authz.AuthorizedOperations(img, c.session(), metadata.ACLResourceGroup, r.Groups[i].Group)
			}
		}
	}
	r.Groups = append(r.Groups, denied...)
	return r, nil
}
