package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// EndTxn: v0-4
//
// Behavior:
// * Commits or aborts the producer's ongoing transaction: the coordinator writes
//   PrepareCommit or PrepareAbort to __transaction_state, answers, then has the
//   markers written to every partition of the transaction (txn_markers.go) and
//   writes CompleteCommit or CompleteAbort. A retried EndTxn of a completed
//   transaction answers success, a mismatched one INVALID_TXN_STATE.
// * Authorization: Write on the transactional id, else
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
// Version notes:
// * v1: same as v0
// * v2: PRODUCER_FENCED
// * v3: flexible
// * v4: the client handles TRANSACTION_ABORTABLE (KIP-890); nothing else changes

func init() { regKey(26, 0, 4, handleEndTxn) }

func handleEndTxn(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.EndTxnRequest)
	if !c.authorized(b.Image(), metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, req.TransactionalID) {
		resp := req.ResponseKind().(*kmsg.EndTxnResponse)
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		return resp, nil
	}
	return b.txns.EndTxn(req), nil
}
