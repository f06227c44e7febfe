package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeTransactions: v0
//
// Behavior:
// * Each transactional id's state as its coordinator holds it (KIP-664): state,
//   producer id and epoch, timeout, start time and the partitions of the ongoing
//   transaction; NOT_COORDINATOR for ids of __transaction_state partitions another
//   broker leads, TRANSACTIONAL_ID_NOT_FOUND for unknown ids.
// * Authorization: Describe on each transactional id, else
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED for it; topics the principal may not
//   Describe are left out of the partitions.

func init() { regKey(65, 0, 0, handleDescribeTransactions) }

func handleDescribeTransactions(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeTransactionsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeTransactionsResponse)
	img := b.Image()
	for _, id := range req.TransactionalIDs {
		if !c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTransactionalID, id) {
			st := kmsg.NewDescribeTransactionsResponseTransactionState()
			st.TransactionalID = id
			st.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
			resp.TransactionStates = append(resp.TransactionStates, st)
			continue
		}
		st := b.txns.DescribeTransaction(id)
		topics := st.Topics[:0]
		for _, t := range st.Topics {
			if c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTopic, t.Topic) {
				topics = append(topics, t)
			}
		}
		st.Topics = topics
		resp.TransactionStates = append(resp.TransactionStates, st)
	}
	return resp, nil
}
