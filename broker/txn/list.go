package txn

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListTransactions lists the transactional ids this coordinator holds, filtered by
// state, by producer id and (v1+, KIP-994) by running longer than a duration, as
// Kafka does: a transaction never started counts as running since the epoch.
// State filters Kafka does not know are answered back in UnknownStateFilters. The
// broker drops the ids the principal may not describe.
func (c *Coordinator) ListTransactions(req *kmsg.ListTransactionsRequest) *kmsg.ListTransactionsResponse {
	resp := req.ResponseKind().(*kmsg.ListTransactionsResponse)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		return resp
	}
	for _, op := range c.parts {
		if op.loading {
			resp.ErrorCode = kerr.CoordinatorLoadInProgress.Code
			return resp
		}
	}
	states := map[txnState]bool{}
	unknown := map[string]bool{}
	for _, name := range req.StateFilters {
		if s, ok := stateNamed(name); ok {
			states[s] = true
		} else if !unknown[name] {
			unknown[name] = true
			resp.UnknownStateFilters = append(resp.UnknownStateFilters, name)
		}
	}
	producers := map[int64]bool{}
	for _, id := range req.ProducerIDFilters {
		producers[id] = true
	}
	duration := int64(-1)
	if req.Version >= 1 {
		duration = req.DurationFilterMillis
	}
	nowMs := c.clock.Now().UnixMilli()
	for _, op := range c.parts {
		for _, m := range op.txns {
			switch {
			case len(producers) > 0 && !producers[m.producerID]:
			case len(req.StateFilters) > 0 && !states[m.state]:
			case duration >= 0 && nowMs-m.startMs <= duration:
			default:
				resp.TransactionStates = append(resp.TransactionStates, kmsg.ListTransactionsResponseTransactionState{
					TransactionalID: m.id, ProducerID: m.producerID, TransactionState: m.state.String(),
				})
			}
		}
	}
	sort.Slice(resp.TransactionStates, func(i, j int) bool {
		return resp.TransactionStates[i].TransactionalID < resp.TransactionStates[j].TransactionalID
	})
	return resp
}
