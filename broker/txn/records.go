package txn

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// The record versions Kafka 3.9 writes to __transaction_state: TransactionLogKey
// v0, and TransactionLogValue v0, since v1 (flexible) is written only once
// transaction.version 1 is finalized, which 3.9 does not do by default. Lag tools
// and kafka-dump-log decode these exact layouts.
const (
	keyVersion   = 0
	valueVersion = 0
)

// encodeKey writes TransactionLogKey v0.
func encodeKey(transactionalID string) []byte {
	k := kmsg.TxnMetadataKey{Version: keyVersion, TransactionalID: transactionalID}
	return k.AppendTo(nil)
}

// encodeValue writes TransactionLogValue v0 for a transition. Like Kafka, an
// Empty transaction has a null partition list and any other an array, possibly
// empty; topics and partitions are sorted, which Kafka leaves to its hash order.
func encodeValue(t transit) []byte {
	v := kmsg.NewTxnMetadataValue()
	v.Version = valueVersion
	v.ProducerID = t.producerID
	v.ProducerEpoch = t.producerEpoch
	v.TimeoutMillis = t.timeoutMs
	v.State = t.state
	v.LastUpdateTimestamp = t.updateMs
	v.StartTimestamp = t.startMs
	if t.state != stateEmpty {
		v.Topics = []kmsg.TxnMetadataValueTopic{}
		for _, tp := range t.partitions.sorted() {
			if n := len(v.Topics); n == 0 || v.Topics[n-1].Topic != tp.Topic {
				v.Topics = append(v.Topics, kmsg.TxnMetadataValueTopic{Topic: tp.Topic})
			}
			last := &v.Topics[len(v.Topics)-1]
			last.Partitions = append(last.Partitions, tp.Partition)
		}
	}
	return v.AppendTo(nil)
}

// decodeKey reads a __transaction_state key; ok is false for a key version Kafka
// does not know, which its loader skips.
func decodeKey(key []byte) (transactionalID string, ok bool, err error) {
	if len(key) < 2 {
		return "", false, fmt.Errorf("__transaction_state key of %d bytes", len(key))
	}
	if version := int16(binary.BigEndian.Uint16(key)); version != keyVersion {
		return "", false, nil
	}
	var k kmsg.TxnMetadataKey
	if err := k.ReadFrom(key); err != nil {
		return "", false, fmt.Errorf("decode TransactionLogKey: %w", err)
	}
	return k.TransactionalID, true, nil
}

// decodeValue reads TransactionLogValue v0 or v1 into metadata; lastProducerID
// and lastProducerEpoch are not stored and come back unknown, as in Kafka.
func decodeValue(transactionalID string, value []byte) (*txnMetadata, error) {
	var v kmsg.TxnMetadataValue
	if err := v.ReadFrom(value); err != nil {
		return nil, fmt.Errorf("decode TransactionLogValue of %s: %w", transactionalID, err)
	}
	if v.Version > 1 {
		return nil, fmt.Errorf("TransactionLogValue of %s has unknown version %d", transactionalID, v.Version)
	}
	// Dead and PrepareEpochFence are never written: an expired id is a tombstone,
	// and a fence is written as the PrepareAbort it leads to.
	if v.State < stateEmpty || v.State > stateCompleteAbort {
		return nil, fmt.Errorf("TransactionLogValue of %s has state %d", transactionalID, v.State)
	}
	m := newTxnMetadata(transactionalID, v.ProducerID, v.TimeoutMillis, v.LastUpdateTimestamp)
	m.producerEpoch = v.ProducerEpoch
	m.state = v.State
	m.startMs = v.StartTimestamp
	if m.state != stateEmpty {
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				m.partitions[TopicPartition{t.Topic, p}] = struct{}{}
			}
		}
	}
	return m, nil
}
