package broker

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
)

// txnVerification is what a produce request's transaction verification (KIP-890 part
// 1) decided per partition: the guard the append presents, or the error the partition
// answers instead of appending. Both maps stay nil for a request that needs no
// verification, so the produce path of idempotent and plain producers allocates
// nothing for it.
type txnVerification struct {
	guards map[topicPartition]uint64
	errs   map[topicPartition]error
}

func (v *txnVerification) fail(tp topicPartition, err error) {
	if v.errs == nil {
		v.errs = map[topicPartition]error{}
	}
	v.errs[tp] = err
}

// optionsFor is how the partition's batch is appended, or why it is not.
func (v txnVerification) optionsFor(topic string, partition int32) (storage.AppendOptions, error) {
	tp := topicPartition{topic, partition}
	if err := v.errs[tp]; err != nil {
		return storage.AppendOptions{}, err
	}
	return storage.AppendOptions{VerificationGuard: v.guards[tp]}, nil
}

// hasTransactionalBatch tells whether any partition of req carries a transactional batch.
func hasTransactionalBatch(req *kmsg.ProduceRequest) bool {
	for _, rt := range req.Topics {
		for _, rp := range rt.Partitions {
			if info, _ := peekBatch(rp.Records); info.magic == 2 && info.transactional {
				return true
			}
		}
	}
	return false
}

// verifyProducedTransaction asks the producer's transaction coordinator, in one
// verify-only AddPartitionsToTxn, whether the partitions where the producer starts
// writing were added to its ongoing transaction, as Kafka's ReplicaManager does before
// it appends. A partition where the producer's transaction is already open needs no
// verification. The guards the logs hand out are presented at the append, so a marker
// written meanwhile (the transaction aborted by a timeout) makes the append fail
// rather than open a transaction no coordinator knows: a hanging transaction.
func (b *Broker) verifyProducedTransaction(req *kmsg.ProduceRequest, writable topicGrants) txnVerification {
	var v txnVerification
	if req.TransactionID == nil || !b.cfg.TransactionPartitionVerification {
		return v
	}
	var producerID int64 = -1
	var producerEpoch int16
	var needed []topicPartition
	for _, rt := range req.Topics {
		if !writable.allows(rt.Topic) {
			continue
		}
		for _, rp := range rt.Partitions {
			info, whole := peekBatch(rp.Records)
			if !whole || info.magic != 2 || !info.transactional {
				continue
			}
			p, ok := b.replicas.Get(rt.Topic, rp.Partition)
			if !ok || p.state().leader != b.id {
				continue // the append answers NOT_LEADER_OR_FOLLOWER
			}
			tp := topicPartition{rt.Topic, rp.Partition}
			if producerID >= 0 && info.producerID != producerID {
				v.fail(tp, fmt.Errorf("%w: transactional records from more than one producer id", kerr.InvalidProducerIDMapping))
				continue
			}
			producerID, producerEpoch = info.producerID, info.producerEpoch
			if guard, ok := p.log.BeginTxnVerification(info.producerID, info.producerEpoch); ok {
				if v.guards == nil {
					v.guards = map[topicPartition]uint64{}
				}
				v.guards[tp] = guard
				needed = append(needed, tp)
			}
		}
	}
	if len(needed) == 0 {
		return v
	}
	ctx, cancel := requestContext(req.TimeoutMillis)
	defer cancel()
	for tp, err := range b.verifyTxnPartitions(ctx, *req.TransactionID, producerID, producerEpoch, needed) {
		v.fail(tp, err)
	}
	return v
}

// verifyTxnPartitions sends a verify-only AddPartitionsToTxn (v4+) to the transactional
// id's coordinator and returns the partitions that failed, with the errors a producer
// is answered, translated as Kafka's ReplicaManager and AddPartitionsToTxnManager do:
// a partition missing from the transaction is INVALID_TXN_STATE, a fenced epoch
// INVALID_PRODUCER_EPOCH, and a coordinator that cannot answer now NOT_ENOUGH_REPLICAS,
// which every client retries without a metadata refresh.
func (b *Broker) verifyTxnPartitions(ctx context.Context, txnID string, producerID int64, epoch int16, parts []topicPartition) map[topicPartition]error {
	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.Version = 4
	tx := kmsg.NewAddPartitionsToTxnRequestTransaction()
	tx.TransactionalID, tx.ProducerID, tx.ProducerEpoch, tx.VerifyOnly = txnID, producerID, epoch, true
	for topic, partitions := range partitionsByTopic(parts, func(tp topicPartition) topicPartition { return tp }) {
		t := kmsg.NewAddPartitionsToTxnRequestTransactionTopic()
		t.Topic, t.Partitions = topic, partitions
		tx.Topics = append(tx.Topics, t)
	}
	req.Transactions = append(req.Transactions, tx)
	failAll := func(err error) map[topicPartition]error {
		out := make(map[topicPartition]error, len(parts))
		for _, tp := range parts {
			out[tp] = err
		}
		return out
	}
	r, err := b.askTxnCoordinator(ctx, txnID, req)
	if err != nil {
		var ke *kerr.Error
		if !errors.As(err, &ke) {
			ke = kerr.NetworkException
		}
		return failAll(verificationError(ke, err.Error()))
	}
	if r.ErrorCode != 0 {
		code := r.ErrorCode
		if code == kerr.ClusterAuthorizationFailed.Code {
			// The producer must not see the brokers' own authorization failing.
			code = kerr.InvalidTxnState.Code
		}
		return failAll(verificationError(kerr.ErrorForCode(code), "the transaction coordinator refused the verification"))
	}
	out := map[topicPartition]error{}
	for _, rtx := range r.Transactions {
		for _, rt := range rtx.Topics {
			for _, rp := range rt.Partitions {
				if rp.ErrorCode == 0 {
					continue
				}
				code := rp.ErrorCode
				switch code {
				case kerr.ProducerFenced.Code:
					code = kerr.InvalidProducerEpoch.Code
				case kerr.TransactionAbortable.Code:
					code = kerr.InvalidTxnState.Code
				}
				out[topicPartition{rt.Topic, rp.Partition}] = verificationError(kerr.ErrorForCode(code), "")
			}
		}
	}
	return out
}

// verificationError is the error a produce answers for a failed verification.
func verificationError(err error, detail string) error {
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		return err
	}
	switch ke {
	case kerr.InvalidTxnState:
		return fmt.Errorf("%w: the partition was not added to the transaction", ke)
	case kerr.ConcurrentTransactions, kerr.NetworkException, kerr.CoordinatorLoadInProgress,
		kerr.CoordinatorNotAvailable, kerr.NotCoordinator:
		msg := fmt.Sprintf("unable to verify the partition has been added to the transaction: %s", ke.Message)
		if detail != "" {
			msg += " (" + detail + ")"
		}
		return fmt.Errorf("%w: %s", kerr.NotEnoughReplicas, msg)
	}
	return ke
}
