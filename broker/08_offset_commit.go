package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetCommit: v0-9
//
// Behavior:
// * Authorization: Read on the group (GROUP_AUTHORIZATION_FAILED for every
//   partition) and on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions).
// * Offsets are written as OffsetCommitKey v1 / OffsetCommitValue v3 records to the
//   group's __consumer_offsets partition; the response waits until the high
//   watermark covers them (acks=all).
// * Members commit with the current generation; simple consumers (generation -1, no
//   member id) may commit to an Empty group.
// * Unknown topics or partitions: UNKNOWN_TOPIC_OR_PARTITION; metadata over 4096
//   bytes: OFFSET_METADATA_TOO_LARGE.
// Version notes:
// * v1: generation, member id, commit timestamp
// * v2-4: retention time (an explicit expire timestamp)
// * v6: leader epoch
// * v7: group.instance.id
// * v8: flexible
// * v9: KIP-848 member epochs, the same as the generation for classic groups

func init() { regKey(8, 0, 9, handleOffsetCommit) }

func handleOffsetCommit(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	img := b.Image()
	exists := func(topic string, partition int32) bool {
		t, ok := img.Topics[topic]
		return ok && t.Partitions[partition] != nil
	}
	req, denied, refused := c.authorizeOffsetCommit(img, kreq.(*kmsg.OffsetCommitRequest))
	if refused {
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		resp.Topics = denied
		return resp, nil
	}
	resp := b.groups.OffsetCommit(req, exists)
	resp.Topics = append(resp.Topics, denied...)
	return resp, nil
}
