package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/txn"
	"github.com/kbridge/kbridge/metadata"
)

// AddPartitionsToTxn: v0-5
//
// Behavior:
// * v0-3 come from producers: Write on the transactional id, else every partition
//   answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED; Write on each topic (internal
//   topics exempt), else TOPIC_AUTHORIZATION_FAILED; unknown partitions
//   UNKNOWN_TOPIC_OR_PARTITION. Any refused partition leaves the transaction
//   unchanged and its other partitions answer OPERATION_NOT_ATTEMPTED.
// * v4+ come from brokers (a batch of transactions, KIP-890): ClusterAction on the
//   cluster, else the whole request answers CLUSTER_AUTHORIZATION_FAILED. With
//   VerifyOnly a partition leader asks whether its partitions are in the producer's
//   ongoing transaction before it appends a transactional batch (txn_verify.go).
// * The transaction coordinator (broker/txn) does the rest: NOT_COORDINATOR,
//   CONCURRENT_TRANSACTIONS, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2) as Kafka.
// Version notes:
// * v1: same as v0
// * v2: PRODUCER_FENCED
// * v3: flexible
// * v4: batched transactions, verify-only (KIP-890)
// * v5: the client handles TRANSACTION_ABORTABLE (KIP-890); nothing else changes

func init() { regKey(24, 0, 5, handleAddPartitionsToTxn) }

func handleAddPartitionsToTxn(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AddPartitionsToTxnRequest)
	img := b.Image()
	if req.Version >= 4 {
		if !c.authorizedCluster(img, metadata.ACLOperationClusterAction) {
			resp := req.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
			resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
			return resp, nil
		}
		refused := map[string]txn.Refusal{}
		for _, tx := range req.Transactions {
			if r, ok := unknownTxnPartitions(img, tx.Topics); ok {
				refused[tx.TransactionalID] = r
			}
		}
		return b.txns.AddPartitionsToTxn(req, refused), nil
	}
	refused := map[string]txn.Refusal{}
	if !c.authorized(img, metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, req.TransactionalID) {
		refused[req.TransactionalID] = txn.Refusal{Transaction: kerr.TransactionalIDAuthorizationFailed}
		return b.txns.AddPartitionsToTxn(req, refused), nil
	}
	topics := make([]kmsg.AddPartitionsToTxnRequestTransactionTopic, 0, len(req.Topics))
	for _, t := range req.Topics {
		topics = append(topics, kmsg.AddPartitionsToTxnRequestTransactionTopic{Topic: t.Topic, Partitions: t.Partitions})
	}
	writable := c.authorizedTopics(img, metadata.ACLOperationWrite, namesOf(topics, func(t *kmsg.AddPartitionsToTxnRequestTransactionTopic) string { return t.Topic }))
	r, refuse := unknownTxnPartitions(img, topics)
	for _, t := range topics {
		if isInternalTopic(t.Topic) || writable.allows(t.Topic) {
			continue
		}
		for _, p := range t.Partitions {
			r.Partitions[txn.TopicPartition{Topic: t.Topic, Partition: p}] = kerr.TopicAuthorizationFailed
			refuse = true
		}
	}
	if refuse {
		refused[req.TransactionalID] = r
	}
	return b.txns.AddPartitionsToTxn(req, refused), nil
}

// unknownTxnPartitions refuses the partitions the image does not hold.
func unknownTxnPartitions(img *metadata.Image, topics []kmsg.AddPartitionsToTxnRequestTransactionTopic) (txn.Refusal, bool) {
	r := txn.Refusal{Partitions: map[txn.TopicPartition]*kerr.Error{}}
	for _, t := range topics {
		it := img.Topics[t.Topic]
		for _, p := range t.Partitions {
			if it == nil || it.Partitions[p] == nil {
				r.Partitions[txn.TopicPartition{Topic: t.Topic, Partition: p}] = kerr.UnknownTopicOrPartition
			}
		}
	}
	return r, len(r.Partitions) > 0
}
