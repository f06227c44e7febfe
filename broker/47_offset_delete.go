package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// OffsetDelete: v0
//
// Behavior:
// * KIP-496: an Empty group's offsets may all be deleted; a consumer group's only for
//   topics no member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise), and a
//   non-empty group of another protocol type not at all (NON_EMPTY_GROUP).
// * Deleted offsets get tombstones in __consumer_offsets.

func init() { regKey(47, 0, 0, handleOffsetDelete) }

func handleOffsetDelete(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	return b.groups.OffsetDelete(kreq.(*kmsg.OffsetDeleteRequest)), nil
}
