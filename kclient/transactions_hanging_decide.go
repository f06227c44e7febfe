package kclient

import (
	"sort"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// OpenTransaction is a transaction a partition's replica holds open; it is
// also find-hanging's --output json form.
type OpenTransaction struct {
	Topic     string        `json:"topic"`
	Partition int32         `json:"partition"`
	Producer  ProducerState `json:"producer"`
}

func (t OpenTransaction) partition() topicPartition {
	return topicPartition{Topic: t.Topic, Partition: t.Partition}
}

// findHangingHeaders are Kafka 3.9's FindHangingTransactionsCommand.HEADERS.
var findHangingHeaders = []string{"Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch", "StartOffset", "LastTimestamp", "Duration(min)"}

// partitionsOn lists the partitions of topics to search, as Kafka's
// find-hanging does: all of them, or with a broker only those it holds a
// replica of. Sorted, so that the requests and the output are stable.
func partitionsOn(topics kadm.TopicDetails, broker *int32) []topicPartition {
	var tps []topicPartition
	for _, t := range topics {
		for _, p := range t.Partitions {
			if broker == nil || hasReplica(p.Replicas, *broker) {
				tps = append(tps, topicPartition{Topic: t.Topic, Partition: p.Partition})
			}
		}
	}
	sortPartitions(tps)
	return tps
}

func hasReplica(replicas []int32, broker int32) bool {
	for _, r := range replicas {
		if r == broker {
			return true
		}
	}
	return false
}

// openTransactions picks the candidates for hanging: producers with an
// open transaction whose last write is older than maxTimeout. Kafka 3.9
// measures from the producer's last timestamp (the max timestamp of its
// last batch), and a transaction cannot legitimately outlive the largest
// transaction.timeout.ms (transaction.max.timeout.ms defaults to 15
// minutes), so older ones are suspect.
func openTransactions(producers map[topicPartition][]ProducerState, now time.Time, maxTimeout time.Duration) []OpenTransaction {
	var open []OpenTransaction
	for tp, ps := range producers {
		for _, p := range ps {
			if p.CurrentTransactionStartOffset != nil && now.UnixMilli()-p.LastTimestamp > maxTimeout.Milliseconds() {
				open = append(open, OpenTransaction{Topic: tp.Topic, Partition: tp.Partition, Producer: p})
			}
		}
	}
	sortOpenTransactions(open)
	return open
}

// hangingTransactions keeps the open transactions no coordinator will
// finish, as Kafka 3.9's filterHangingTransactions decides: the producer id
// belongs to no transactional id (txnIDs, from ListTransactions), or the
// coordinator does not know that id (a nil description), or its current
// transaction does not include the partition. DescribeTransactions lists a
// transaction's partitions while it is ongoing and, in PrepareCommit and
// PrepareAbort, those still waiting for a marker, so a listed partition
// will still get its marker.
func hangingTransactions(open []OpenTransaction, txnIDs map[int64]string, descs map[string]*TransactionDescription) []OpenTransaction {
	hanging := []OpenTransaction{}
	for _, t := range open {
		id, ok := txnIDs[t.Producer.ProducerID]
		if !ok || descs[id] == nil || !descs[id].includes(t.partition()) {
			hanging = append(hanging, t)
		}
	}
	return hanging
}

// producerIDsOf lists the distinct producers of open transactions, sorted.
func producerIDsOf(open []OpenTransaction) []int64 {
	seen := make(map[int64]bool)
	var ids []int64
	for _, t := range open {
		if !seen[t.Producer.ProducerID] {
			seen[t.Producer.ProducerID] = true
			ids = append(ids, t.Producer.ProducerID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// hangingRows renders find-hanging's table as Kafka does: an unknown
// coordinator epoch as -1 and the duration since the last write in whole
// minutes.
func hangingRows(hanging []OpenTransaction, now time.Time) [][]string {
	rows := make([][]string, 0, len(hanging))
	for _, t := range hanging {
		p := t.Producer
		start := int64(-1)
		if p.CurrentTransactionStartOffset != nil {
			start = *p.CurrentTransactionStartOffset
		}
		rows = append(rows, []string{
			t.Topic,
			strconv.Itoa(int(t.Partition)),
			strconv.FormatInt(p.ProducerID, 10),
			strconv.Itoa(int(p.ProducerEpoch)),
			strconv.Itoa(int(coordinatorEpochOr(p, -1))),
			strconv.FormatInt(start, 10),
			strconv.FormatInt(p.LastTimestamp, 10),
			strconv.FormatInt((now.UnixMilli()-p.LastTimestamp)/time.Minute.Milliseconds(), 10),
		})
	}
	return rows
}

func sortOpenTransactions(ts []OpenTransaction) {
	sort.Slice(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		if a.Partition != b.Partition {
			return a.Partition < b.Partition
		}
		return a.Producer.ProducerID < b.Producer.ProducerID
	})
}
