package txn

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Refusal is the broker's own answer for one transaction of an AddPartitionsToTxn
// request, found before the coordinator is asked (KafkaApis' checks): Kafka then
// adds none of the transaction's partitions.
type Refusal struct {
	// Transaction refuses the whole transaction, every partition answered with it
	// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
	Transaction *kerr.Error
	// Partitions refuses single partitions (TOPIC_AUTHORIZATION_FAILED,
	// UNKNOWN_TOPIC_OR_PARTITION); the transaction's other partitions are answered
	// OPERATION_NOT_ATTEMPTED.
	Partitions map[TopicPartition]*kerr.Error
}

// AddPartitionsToTxn answers both forms of the request. A producer's (v0-3, and
// v4+ without VerifyOnly) adds the partitions to its transaction, opening it, and
// answers each transaction with one error for all its partitions. A partition
// leader's (v4+ with VerifyOnly, KIP-890) only checks that the partitions are in the
// producer's ongoing transaction: TRANSACTION_ABORTABLE for one that is not, which
// the leader turns into INVALID_TXN_STATE for producers too old to know it.
// refused holds the broker's answers for transactions it refused, by
// transactional id; transactions of a v4+ request are handled concurrently.
func (c *Coordinator) AddPartitionsToTxn(req *kmsg.AddPartitionsToTxnRequest, refused map[string]Refusal) *kmsg.AddPartitionsToTxnResponse {
	resp := req.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
	txns := req.Transactions
	if req.Version < 4 {
		txns = []kmsg.AddPartitionsToTxnRequestTransaction{{
			TransactionalID: req.TransactionalID, ProducerID: req.ProducerID, ProducerEpoch: req.ProducerEpoch,
		}}
		for _, t := range req.Topics {
			txns[0].Topics = append(txns[0].Topics, kmsg.AddPartitionsToTxnRequestTransactionTopic{Topic: t.Topic, Partitions: t.Partitions})
		}
	}
	results := make([]kmsg.AddPartitionsToTxnResponseTransaction, len(txns))
	var wg sync.WaitGroup
	for i := range txns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.addPartitionsResult(&txns[i], req.Version, refused)
		}()
	}
	wg.Wait()
	if req.Version >= 4 {
		resp.Transactions = results
		return resp
	}
	for _, t := range results[0].Topics {
		rt := kmsg.AddPartitionsToTxnResponseTopic{Topic: t.Topic}
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.AddPartitionsToTxnResponseTopicPartition{Partition: p.Partition, ErrorCode: p.ErrorCode})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func (c *Coordinator) addPartitionsResult(txn *kmsg.AddPartitionsToTxnRequestTransaction, version int16, refused map[string]Refusal) kmsg.AddPartitionsToTxnResponseTransaction {
	partitions := partitionSet{}
	for _, t := range txn.Topics {
		for _, p := range t.Partitions {
			partitions[TopicPartition{t.Topic, p}] = struct{}{}
		}
	}
	var codeOf func(TopicPartition) int16
	if r, ok := refused[txn.TransactionalID]; ok {
		codeOf = func(tp TopicPartition) int16 {
			if r.Transaction != nil {
				return r.Transaction.Code
			}
			if kerrr := r.Partitions[tp]; kerrr != nil {
				return kerrr.Code
			}
			return kerr.OperationNotAttempted.Code
		}
	} else if txn.VerifyOnly {
		errs := c.verifyPartitions(txn.TransactionalID, txn.ProducerID, txn.ProducerEpoch, partitions)
		codeOf = func(tp TopicPartition) int16 { return fencedCode(errs[tp], false) }
	} else {
		code := fencedCode(c.addPartitions(txn.TransactionalID, txn.ProducerID, txn.ProducerEpoch, partitions), version < 2)
		codeOf = func(TopicPartition) int16 { return code }
	}
	result := kmsg.AddPartitionsToTxnResponseTransaction{TransactionalID: txn.TransactionalID}
	for _, t := range txn.Topics {
		rt := kmsg.AddPartitionsToTxnResponseTransactionTopic{Topic: t.Topic}
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.AddPartitionsToTxnResponseTransactionTopicPartition{
				Partition: p, ErrorCode: codeOf(TopicPartition{t.Topic, p}),
			})
		}
		result.Topics = append(result.Topics, rt)
	}
	return result
}

// AddOffsetsToTxn adds a consumer group's __consumer_offsets partition to the
// producer's transaction, so the offsets it commits in the transaction get its
// marker; offsetsPartition is the group's partition (the group coordinator's
// PartitionFor).
func (c *Coordinator) AddOffsetsToTxn(req *kmsg.AddOffsetsToTxnRequest, offsetsPartition int32) *kmsg.AddOffsetsToTxnResponse {
	resp := req.ResponseKind().(*kmsg.AddOffsetsToTxnResponse)
	partitions := partitionSet{{Topic: offsetsTopic, Partition: offsetsPartition}: {}}
	resp.ErrorCode = fencedCode(c.addPartitions(req.TransactionalID, req.ProducerID, req.ProducerEpoch, partitions), req.Version < 2)
	return resp
}

// offsetsTopic is Kafka's internal topic of committed offsets.
const offsetsTopic = "__consumer_offsets"

// addPartitions is Kafka's handleAddPartitionsToTransaction.
func (c *Coordinator) addPartitions(transactionalID string, producerID int64, epoch int16, partitions partitionSet) *kerr.Error {
	if transactionalID == "" {
		return kerr.InvalidRequest
	}
	c.mu.Lock()
	op, m, kerrr := c.lookupLocked(transactionalID)
	switch {
	case kerrr != nil:
	case m == nil || m.producerID != producerID:
		kerrr = kerr.InvalidProducerIDMapping
	case m.producerEpoch != epoch:
		kerrr = kerr.ProducerFenced
	case m.pending != noState, m.state == statePrepareCommit, m.state == statePrepareAbort:
		kerrr = kerr.ConcurrentTransactions
	case m.state == stateOngoing && m.partitions.containsAll(partitions):
		// Nothing to write: the partitions are in the transaction already.
		c.mu.Unlock()
		return nil
	}
	if kerrr != nil {
		c.mu.Unlock()
		return kerrr
	}
	t, err := m.prepareAddPartitions(partitions, c.clock.Now().UnixMilli())
	c.mu.Unlock()
	if err != nil {
		return c.answer(transactionalID, err)
	}
	return c.appendTransition(op, m, t, false, nil)
}

// verifyPartitions is Kafka's handleVerifyPartitionsInTransaction: which of the
// partitions are not in the producer's transaction. A pending write is not waited
// for, since the leader's append is checked again against the producer state.
func (c *Coordinator) verifyPartitions(transactionalID string, producerID int64, epoch int16, partitions partitionSet) map[TopicPartition]*kerr.Error {
	all := func(kerrr *kerr.Error) map[TopicPartition]*kerr.Error {
		out := make(map[TopicPartition]*kerr.Error, len(partitions))
		for tp := range partitions {
			out[tp] = kerrr
		}
		return out
	}
	if transactionalID == "" {
		return all(kerr.InvalidRequest)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, m, kerrr := c.lookupLocked(transactionalID)
	switch {
	case kerrr != nil:
		return all(kerrr)
	case m == nil || m.producerID != producerID:
		return all(kerr.InvalidProducerIDMapping)
	case m.producerEpoch != epoch:
		return all(kerr.ProducerFenced)
	case m.state == statePrepareCommit || m.state == statePrepareAbort:
		return all(kerr.ConcurrentTransactions)
	}
	out := make(map[TopicPartition]*kerr.Error, len(partitions))
	for tp := range partitions {
		if _, ok := m.partitions[tp]; !ok {
			out[tp] = kerr.TransactionAbortable
		}
	}
	return out
}
