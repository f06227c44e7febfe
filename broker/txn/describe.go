package txn

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeTransactions describes every transactional id of the request, in order;
// see DescribeTransaction.
func (c *Coordinator) DescribeTransactions(req *kmsg.DescribeTransactionsRequest) *kmsg.DescribeTransactionsResponse {
	resp := req.ResponseKind().(*kmsg.DescribeTransactionsResponse)
	for _, id := range req.TransactionalIDs {
		resp.TransactionStates = append(resp.TransactionStates, c.DescribeTransaction(id))
	}
	return resp
}

// DescribeTransaction is one transactional id's entry of a DescribeTransactions
// answer, for a broker that answers ids it does not authorize itself (and drops
// the topics the principal may not describe, as Kafka does).
func (c *Coordinator) DescribeTransaction(transactionalID string) kmsg.DescribeTransactionsResponseTransactionState {
	st := kmsg.NewDescribeTransactionsResponseTransactionState()
	st.TransactionalID = transactionalID
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		st.ErrorCode = kerr.CoordinatorNotAvailable.Code
		return st
	}
	if transactionalID == "" {
		st.ErrorCode = kerr.InvalidRequest.Code
		return st
	}
	_, m, kerrr := c.lookupLocked(transactionalID)
	switch {
	case kerrr != nil:
		st.ErrorCode = kerrr.Code
		return st
	case m == nil:
		st.ErrorCode = kerr.TransactionalIDNotFound.Code
		return st
	}
	st.State = m.state.String()
	st.ProducerID = m.producerID
	st.ProducerEpoch = m.producerEpoch
	st.TimeoutMillis = m.timeoutMs
	st.StartTimestamp = m.startMs
	for _, tp := range m.partitions.sorted() {
		if n := len(st.Topics); n == 0 || st.Topics[n-1].Topic != tp.Topic {
			st.Topics = append(st.Topics, kmsg.DescribeTransactionsResponseTransactionStateTopic{Topic: tp.Topic})
		}
		last := &st.Topics[len(st.Topics)-1]
		last.Partitions = append(last.Partitions, tp.Partition)
	}
	return st
}
