package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// InitProducerId: v0-5
//
// Behavior:
// * Authorization: Write on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
//   an idempotent producer needs IdempotentWrite on the cluster or Write on some topic
//   (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
// * Idempotent producers (null transactional id) get a new producer id at epoch 0,
//   from blocks of 1000 the metadata source allocates to this broker.
// * Transactional ids go to this broker's transaction coordinator (broker/txn), which
//   answers NOT_COORDINATOR unless it owns the id's __transaction_state partition:
//   a new id gets a fresh producer id at epoch 0, a known one its epoch bumped, an
//   ongoing transaction is fenced and aborted (CONCURRENT_TRANSACTIONS until then).
// Version notes:
// * v2: flexible
// * v3: producer id and epoch for an existing producer (KIP-360)

func init() { regKey(22, 0, 5, handleInitProducerID) }

func handleInitProducerID(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.InitProducerIDRequest)
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID = -1
	resp.ProducerEpoch = -1
	img := b.Image()
	if req.TransactionalID != nil && !c.authorized(img, metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, *req.TransactionalID) {
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		return resp, nil
	}
	if req.TransactionalID == nil && !c.authorizedCluster(img, metadata.ACLOperationIdempotentWrite) &&
		!b.authz.AuthorizeAny(img, c.session(), metadata.ACLOperationWrite, metadata.ACLResourceTopic) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil
	}
	if req.TransactionalID != nil {
		ctx, cancel := requestContext(0)
		defer cancel()
		return b.txns.InitProducerID(ctx, req), nil
	}
	ctx, cancel := requestContext(req.TransactionTimeoutMillis)
	defer cancel()
	id, err := b.pids.nextID(ctx, b)
	if err != nil {
		b.log.Warn("allocate producer id", "err", err)
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	resp.ProducerID = id
	resp.ProducerEpoch = 0
	return resp, nil
}
