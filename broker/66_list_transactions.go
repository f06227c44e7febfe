package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// ListTransactions: v0-1
//
// Behavior:
// * The transactional ids this broker's coordinator holds, filtered by state and
//   producer id (KIP-664) and, from v1, by running longer than DurationFilterMillis
//   (KIP-994); unknown state names come back in UnknownStateFilters.
// * Authorization: ids the principal may not Describe are left out.
// Version notes:
// * v1: duration filter

func init() { regKey(66, 0, 1, handleListTransactions) }

func handleListTransactions(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	resp := b.txns.ListTransactions(kreq.(*kmsg.ListTransactionsRequest))
	img := b.Image()
	kept := resp.TransactionStates[:0]
	for _, st := range resp.TransactionStates {
		if c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTransactionalID, st.TransactionalID) {
			kept = append(kept, st)
		}
	}
	resp.TransactionStates = kept
	return resp, nil
}
