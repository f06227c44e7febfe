package broker

import "github.com/twmb/franz-go/pkg/kmsg"

// OffsetFetch: v0-9
//
// Behavior:
// * Committed offsets from the coordinator's cache, which is rebuilt from
//   __consumer_offsets when this broker becomes a partition's leader
//   (COORDINATOR_LOAD_IN_PROGRESS meanwhile).
// * Authorization: Describe on the group (GROUP_AUTHORIZATION_FAILED) and on each
//   topic: left out of an answer for every offset, TOPIC_AUTHORIZATION_FAILED for
//   the requested partitions of one the client may not describe.
// * Partitions without a commit answer offset -1.
// * require_stable (v7+, KIP-447): a partition with an offset commit still pending (a
//   transactional one waiting for its marker, or a plain one being written) answers
//   UNSTABLE_OFFSET_COMMIT, and the consumer asks again.
// Version notes:
// * v1: offsets from Kafka rather than ZooKeeper (the same here)
// * v2: group error code; a null topic list fetches every committed offset
// * v5: leader epoch
// * v6: flexible
// * v7: require stable
// * v8: batched groups (KIP-709)
// * v9: member id and epoch (KIP-848), not checked for classic groups

func init() { regKey(9, 0, 9, handleOffsetFetch) }

func handleOffsetFetch(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.OffsetFetchRequest)
	resp := b.groups.OffsetFetch(req)
	c.authorizeOffsetFetch(b.Image(), req, resp)
	return resp, nil
}
