package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// ListGroups: v0-5
//
// Behavior:
// * Authorization: Describe on the cluster lists every group, else only the groups
//   the client may describe.
// * The groups this broker coordinates; clients ask every broker and merge.
// * COORDINATOR_LOAD_IN_PROGRESS (with the groups found so far) while a partition loads.
// Version notes:
// * v1: throttle time
// * v3: flexible
// * v4: states filter (KIP-518)
// * v5: types filter (KIP-848); every group here is "classic"

func init() { regKey(16, 0, 5, handleListGroups) }

func handleListGroups(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	r := b.groups.ListGroups(kreq.(*kmsg.ListGroupsRequest))
	img := b.Image()
	if c.authorizedCluster(img, metadata.ACLOperationDescribe) {
		return r, nil
	}
	kept := r.Groups[:0]
	for _, g := range r.Groups {
		if c.mayGroup(img, metadata.ACLOperationDescribe, g.Group) {
			kept = append(kept, g)
		}
	}
	r.Groups = kept
	return r, nil
}
