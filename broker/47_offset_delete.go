package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetDelete: v0
//
// Behavior:
// * Authorization: Delete on the group (GROUP_AUTHORIZATION_FAILED) and Read on
//   each topic (TOPIC_AUTHORIZATION_FAILED for its partitions).
// * KIP-496: an Empty group's offsets may all be deleted; a consumer group's only for
//   topics no member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise), and a
//   non-empty group of another protocol type not at all (NON_EMPTY_GROUP).
// * Deleted offsets get tombstones in __consumer_offsets.

func init() { regKey(47, 0, 0, handleOffsetDelete) }

func handleOffsetDelete(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req, denied, refused := c.authorizeOffsetDelete(b.Image(), kreq.(*kmsg.OffsetDeleteRequest))
	if refused {
		resp := kreq.ResponseKind().(*kmsg.OffsetDeleteResponse)
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		return resp, nil
	}
	resp := b.groups.OffsetDelete(req)
	if resp.ErrorCode == 0 {
		resp.Topics = append(resp.Topics, denied...)
	}
	return resp, nil
}
