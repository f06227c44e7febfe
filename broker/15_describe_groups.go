package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// DescribeGroups: v0-5
//
// Behavior:
// * State, protocol type, and members; subscriptions and assignments only for a
//   Stable group, as Kafka shows them.
// * An unknown group is described as Dead with no error (the classic coordinator's answer).
// Version notes:
// * v1: throttle time
// * v3: authorized operations (not computed: no ACLs are enforced)
// * v4: group.instance.id
// * v5: flexible

func init() { regKey(15, 0, 5, handleDescribeGroups) }

func handleDescribeGroups(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.DescribeGroups(kreq.(*kmsg.DescribeGroupsRequest)), nil
}
