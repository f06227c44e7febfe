package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// AddOffsetsToTxn: v0-4
//
// Behavior:
// * Adds the group's __consumer_offsets partition (the group coordinator's
//   PartitionFor) to the producer's transaction, so that the transaction's markers
//   commit or abort the offsets TxnOffsetCommit writes there.
// * Authorization: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
//   then Read on the group (GROUP_AUTHORIZATION_FAILED).
// * The transaction coordinator answers the rest as for AddPartitionsToTxn.
// Version notes:
// * v1: same as v0
// * v2: PRODUCER_FENCED
// * v3: flexible
// * v4: the client handles TRANSACTION_ABORTABLE (KIP-890); nothing else changes

func init() { regKey(25, 0, 4, handleAddOffsetsToTxn) }

func handleAddOffsetsToTxn(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AddOffsetsToTxnRequest)
	resp := req.ResponseKind().(*kmsg.AddOffsetsToTxnResponse)
	img := b.Image()
	switch {
	case !c.authorized(img, metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, req.TransactionalID):
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		return resp, nil
	case !c.authorized(img, metadata.ACLOperationRead, metadata.ACLResourceGroup, req.Group):
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		return resp, nil
	}
	return b.txns.AddOffsetsToTxn(req, b.groups.PartitionFor(req.Group)), nil
}
