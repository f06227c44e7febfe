package kclient

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// openOn is an open transaction of producer pid on topic-partition.
func openOn(topic string, partition int32, pid int64) OpenTransaction {
	return OpenTransaction{Topic: topic, Partition: partition, Producer: ProducerState{ProducerID: pid, CurrentTransactionStartOffset: int64p(0)}}
}

func describeOpen(ts []OpenTransaction) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s/%d", t.partition(), t.Producer.ProducerID))
	}
	return strings.Join(parts, " ")
}

// TestOpenTransactionCandidates: only producers with an open transaction
// whose last write is strictly older than the maximum timeout are
// candidates, as in Kafka 3.9's collectCandidateOpenTransactions.
func TestOpenTransactionCandidates(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	limit := 15 * time.Minute
	at := func(pid int64, ago time.Duration, open bool) ProducerState {
		p := ProducerState{ProducerID: pid, LastTimestamp: now.Add(-ago).UnixMilli()}
		if open {
			p.CurrentTransactionStartOffset = int64p(10)
		}
		return p
	}
	producers := map[topicPartition][]ProducerState{
		{Topic: "b", Partition: 0}: {at(1, time.Hour, true), at(2, time.Hour, false)},
		{Topic: "a", Partition: 1}: {at(3, limit+time.Millisecond, true), at(4, limit, true), at(5, time.Minute, true)},
		{Topic: "a", Partition: 0}: {at(6, 2*limit, true)},
	}
	if got, want := describeOpen(openTransactions(producers, now, limit)), "a-0/6 a-1/3 b-0/1"; got != want {
		t.Fatalf("candidates %q, want %q", got, want)
	}
	if got := openTransactions(producers, now, 3*time.Hour); len(got) != 0 {
		t.Fatalf("with a 3 h timeout: candidates %q, want none", describeOpen(got))
	}
}

// TestHangingDecision is Kafka 3.9's filterHangingTransactions: an open
// transaction hangs unless its producer maps to a transactional id whose
// coordinator lists the partition in the current transaction.
func TestHangingDecision(t *testing.T) {
	ongoing := &TransactionDescription{TransactionalID: "app", State: "Ongoing",
		TopicPartitions: []TopicPartitions{{Topic: "orders", Partitions: []int32{0, 2}}}}
	aborting := &TransactionDescription{TransactionalID: "aborting", State: "PrepareAbort",
		TopicPartitions: []TopicPartitions{{Topic: "orders", Partitions: []int32{1}}}}
	empty := &TransactionDescription{TransactionalID: "idle", State: "Empty", TopicPartitions: []TopicPartitions{}}
	txnIDs := map[int64]string{1: "app", 2: "aborting", 3: "idle", 4: "forgotten"}
	descs := map[string]*TransactionDescription{"app": ongoing, "aborting": aborting, "idle": empty, "forgotten": nil}
	for _, tc := range []struct {
		name    string
		open    OpenTransaction
		hanging bool
	}{
		{"partition in the ongoing transaction", openOn("orders", 2, 1), false},
		{"partition missing from the ongoing transaction", openOn("orders", 1, 1), true},
		{"same partition number, other topic", openOn("payments", 0, 1), true},
		{"partition still waiting for its abort marker", openOn("orders", 1, 2), false},
		{"coordinator has no transaction running", openOn("orders", 0, 3), true},
		{"transactional id unknown to its coordinator", openOn("orders", 0, 4), true},
		{"producer id of no transactional id", openOn("orders", 0, 5), true},
	} {
		got := hangingTransactions([]OpenTransaction{tc.open}, txnIDs, descs)
		if (len(got) == 1) != tc.hanging {
			t.Errorf("%s: hanging %q, want hanging=%v", tc.name, describeOpen(got), tc.hanging)
		}
	}
	all := []OpenTransaction{openOn("orders", 0, 1), openOn("orders", 1, 1), openOn("orders", 0, 5)}
	if got, want := describeOpen(hangingTransactions(all, txnIDs, descs)), "orders-1/1 orders-0/5"; got != want {
		t.Fatalf("hanging %q, want %q", got, want)
	}
}

// TestTransactionalIDsOfRequestedProducers: listings of producers that were
// not asked for are skipped, as Kafka's lookupTransactionalIds skips them,
// and each transactional id is described once.
func TestTransactionalIDsOfRequestedProducers(t *testing.T) {
	listings := []TransactionListing{
		{TransactionalID: "b", ProducerID: 2}, {TransactionalID: "a", ProducerID: 1}, {TransactionalID: "other", ProducerID: 9},
	}
	byPID, ids := transactionalIDsOf(listings, []int64{1, 2, 3})
	if len(byPID) != 2 || byPID[1] != "a" || byPID[2] != "b" || !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("transactional ids %v, %q", byPID, ids)
	}
}

// TestPartitionsToSearchOnBroker: with --broker-id only the partitions that
// broker holds a replica of are searched, leader or not.
func TestPartitionsToSearchOnBroker(t *testing.T) {
	topics := kadm.TopicDetails{
		"orders": {Topic: "orders", Partitions: kadm.PartitionDetails{
			0: {Partition: 0, Leader: 1, Replicas: []int32{1, 2}},
			1: {Partition: 1, Leader: 3, Replicas: []int32{3, 1}},
			2: {Partition: 2, Leader: 2, Replicas: []int32{2, 3}},
		}},
		"__transaction_state": {Topic: "__transaction_state", IsInternal: true, Partitions: kadm.PartitionDetails{
			0: {Partition: 0, Leader: 2, Replicas: []int32{2}},
		}},
	}
	render := func(tps []topicPartition) string {
		var s []string
		for _, tp := range tps {
			s = append(s, tp.String())
		}
		return strings.Join(s, " ")
	}
	if got, want := render(partitionsOn(topics, int32p(1))), "orders-0 orders-1"; got != want {
		t.Errorf("broker 1: %q, want %q", got, want)
	}
	if got, want := render(partitionsOn(topics, nil)), "__transaction_state-0 orders-0 orders-1 orders-2"; got != want {
		t.Errorf("all brokers: %q, want %q", got, want)
	}
}

// TestAbortSpecFromStartOffset: abort --start-offset picks the producer
// whose open transaction starts there; one without a coordinator epoch is
// aborted with epoch 0, and an offset no transaction starts at is Kafka's
// error.
func TestAbortSpecFromStartOffset(t *testing.T) {
	tp := topicPartition{Topic: "orders", Partition: 0}
	producers := []ProducerState{
		{ProducerID: 1, ProducerEpoch: 2, CoordinatorEpoch: int32p(5), CurrentTransactionStartOffset: int64p(10)},
		{ProducerID: 3, ProducerEpoch: 4, CurrentTransactionStartOffset: int64p(20)},
		{ProducerID: 5, ProducerEpoch: 6},
	}
	for offset, want := range map[int64]string{
		10: "AbortTransactionSpec(topicPartition=orders-0, producerId=1, producerEpoch=2, coordinatorEpoch=5)",
		20: "AbortTransactionSpec(topicPartition=orders-0, producerId=3, producerEpoch=4, coordinatorEpoch=0)",
		30: "Could not find any open transactions starting at offset 30 on partition orders-0",
	} {
		spec, err := specAtStartOffset(tp, producers, offset)
		got := spec.String()
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("offset %d: %q, want %q", offset, got, want)
		}
	}
}
