package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TxnOffsetCommit: v0-4
//
// Behavior:
// * Authorization: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//   for every partition), then Read on the group (GROUP_AUTHORIZATION_FAILED for
//   every partition), then Read on each topic (TOPIC_AUTHORIZATION_FAILED for its
//   partitions).
// * Unknown topics or partitions: UNKNOWN_TOPIC_OR_PARTITION; metadata over 4096
//   bytes: OFFSET_METADATA_TOO_LARGE.
// * The offsets are written as OffsetCommitKey v1 / OffsetCommitValue v3 records in
//   one transactional batch with the producer's id and epoch to the group's
//   __consumer_offsets partition (acks=all). They stay pending until the
//   transaction's marker is written there: unseen by OffsetFetch, and
//   UNSTABLE_OFFSET_COMMIT to a fetch requiring stable offsets; a commit marker makes
//   them committed unless a commit written after them already is, an abort drops
//   them.
// * An unknown group is created Empty. A producer naming no member commits to any
//   group; one naming a member must be the group's current member of the current
//   generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID).
// * The append's producer and transaction errors (INVALID_PRODUCER_EPOCH,
//   PRODUCER_FENCED, INVALID_TXN_STATE, ...) are answered as they are.
// Version notes:
// * v0-1: COORDINATOR_LOAD_IN_PROGRESS is answered as COORDINATOR_NOT_AVAILABLE,
//   which producers before 2.0 retry (KAFKA-7296)
// * v1: the same as v0
// * v2: leader epoch
// * v3: flexible; generation, member id and group.instance.id (KIP-447)
// * v4: TRANSACTION_ABORTABLE may be answered (KIP-890)

func init() { regKey(28, 0, 4, handleTxnOffsetCommit) }

func handleTxnOffsetCommit(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	img := b.Image()
	exists := func(topic string, partition int32) bool {
		t, ok := img.Topics[topic]
		return ok && t.Partitions[partition] != nil
	}
	req, denied, refused := c.authorizeTxnOffsetCommit(img, kreq.(*kmsg.TxnOffsetCommitRequest))
	if refused {
		resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
		resp.Topics = denied
		return resp, nil
	}
	resp := b.groups.TxnOffsetCommit(req, exists)
	resp.Topics = append(resp.Topics, denied...)
	return resp, nil
}
