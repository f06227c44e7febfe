package txn

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestAddPartitionsOpensTransaction(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 1, 0)
	pid, epoch := h.initProducer(t, id)
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 2, 0); code != 0 {
		t.Fatalf("add: %d", code)
	}
	v := h.log.lastRecord(t, 1, id).value
	if v.State != stateOngoing || v.StartTimestamp != h.clk.Now().UnixMilli() || len(v.Topics) != 1 ||
		v.Topics[0].Topic != "orders" || len(v.Topics[0].Partitions) != 2 || v.Topics[0].Partitions[0] != 0 {
		t.Fatalf("written %+v", v)
	}
	// Partitions already in the transaction are not written again.
	n := h.log.BatchCount(1)
	if code := h.addPartitions(t, 3, id, pid, epoch, "orders", 0); code != 0 || h.log.BatchCount(1) != n {
		t.Fatalf("re-adding: error %d, %d batches written", code, h.log.BatchCount(1)-n)
	}
	if code := h.addPartitions(t, 3, id, pid, epoch, "audit", 5); code != 0 {
		t.Fatalf("widening: %d", code)
	}
	if v := h.log.lastRecord(t, 1, id).value; len(v.Topics) != 2 {
		t.Fatalf("widened transaction written as %+v", v.Topics)
	}

	r := kmsg.NewPtrAddOffsetsToTxnRequest()
	r.Version = 3
	r.TransactionalID, r.ProducerID, r.ProducerEpoch, r.Group = id, pid, epoch, "group"
	if resp := h.c.AddOffsetsToTxn(r, 17); resp.ErrorCode != 0 {
		t.Fatalf("AddOffsetsToTxn: %d", resp.ErrorCode)
	}
	v = h.log.lastRecord(t, 1, id).value
	if v.Topics[0].Topic != "__consumer_offsets" || v.Topics[0].Partitions[0] != 17 {
		t.Fatalf("group partition not added: %+v", v.Topics)
	}
}

func TestAddPartitionsErrors(t *testing.T) {
	h := newTestHarness(t)
	id, unknown := idIn(h.c, 0, 0), idIn(h.c, 0, 1)
	pid, epoch := h.initProducer(t, id)
	for _, c := range []struct {
		name     string
		version  int16
		id       string
		producer int64
		epoch    int16
		want     *kerr.Error
	}{
		{"unknown transactional id", 3, unknown, pid, epoch, kerr.InvalidProducerIDMapping},
		{"another producer id", 3, id, pid + 1, epoch, kerr.InvalidProducerIDMapping},
		{"another epoch", 3, id, pid, epoch + 1, kerr.ProducerFenced},
		{"another epoch, v1", 1, id, pid, epoch + 1, kerr.InvalidProducerEpoch},
		{"empty transactional id", 3, "", pid, epoch, kerr.InvalidRequest},
		{"another broker's id", 3, idIn(h.c, unownedPart, 0), pid, epoch, kerr.NotCoordinator},
	} {
		if code := h.addPartitions(t, c.version, c.id, c.producer, c.epoch, "t", 0, 1); code != c.want.Code {
			t.Errorf("%s: error %d, want %s", c.name, code, c.want.Message)
		}
	}

	r := kmsg.NewPtrAddOffsetsToTxnRequest()
	r.Version = 1
	r.TransactionalID, r.ProducerID, r.ProducerEpoch = id, pid, epoch+1
	if resp := h.c.AddOffsetsToTxn(r, 0); resp.ErrorCode != kerr.InvalidProducerEpoch.Code {
		t.Errorf("AddOffsetsToTxn v1 with another epoch: %d, want INVALID_PRODUCER_EPOCH", resp.ErrorCode)
	}
}

func TestAddPartitionsRefusals(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	n := h.log.BatchCount(0)

	req := addReq(3, id, pid, epoch, "secret", 0)
	req.Topics = append(req.Topics, kmsg.AddPartitionsToTxnRequestTopic{Topic: "open", Partitions: []int32{1}})
	resp := h.c.AddPartitionsToTxn(req, map[string]Refusal{
		id: {Partitions: map[TopicPartition]*kerr.Error{{"secret", 0}: kerr.TopicAuthorizationFailed}},
	})
	if got := resp.Topics; len(got) != 2 || got[0].Partitions[0].ErrorCode != kerr.TopicAuthorizationFailed.Code ||
		got[1].Partitions[0].ErrorCode != kerr.OperationNotAttempted.Code {
		t.Fatalf("partition refused: %+v", got)
	}
	resp = h.c.AddPartitionsToTxn(req, map[string]Refusal{id: {Transaction: kerr.TransactionalIDAuthorizationFailed}})
	for _, tp := range resp.Topics {
		if tp.Partitions[0].ErrorCode != kerr.TransactionalIDAuthorizationFailed.Code {
			t.Fatalf("transaction refused: %+v", resp.Topics)
		}
	}
	if h.log.BatchCount(0) != n {
		t.Fatal("a refused transaction was written")
	}
}

// TestAddPartitionsBatched covers the v4+ form brokers send: transactions to add
// to and KIP-890 verification.
func TestAddPartitionsBatched(t *testing.T) {
	h := newTestHarness(t)
	adding, verified := idIn(h.c, 0, 0), idIn(h.c, 1, 0)
	addPID, addEpoch := h.initProducer(t, adding)
	pid, epoch := h.initProducer(t, verified)
	h.addPartitions(t, 3, verified, pid, epoch, "orders", 0)

	txn := func(id string, producerID int64, epoch int16, verify bool, partitions ...int32) kmsg.AddPartitionsToTxnRequestTransaction {
		return kmsg.AddPartitionsToTxnRequestTransaction{
			TransactionalID: id, ProducerID: producerID, ProducerEpoch: epoch, VerifyOnly: verify,
			Topics: []kmsg.AddPartitionsToTxnRequestTransactionTopic{{Topic: "orders", Partitions: partitions}},
		}
	}
	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.Version = 5
	req.Transactions = []kmsg.AddPartitionsToTxnRequestTransaction{
		txn(adding, addPID, addEpoch, false, 3),
		txn(verified, pid, epoch, true, 0, 1),
		txn(verified, pid, epoch+1, true, 0),
		txn(verified, pid+1, epoch, true, 0),
		txn(idIn(h.c, 1, 1), pid, epoch, true, 0),
		txn(idIn(h.c, unownedPart, 0), pid, epoch, true, 0),
		txn("", pid, epoch, true, 0),
	}
	resp := h.c.AddPartitionsToTxn(req, nil)
	if len(resp.Transactions) != len(req.Transactions) {
		t.Fatalf("answered %d transactions", len(resp.Transactions))
	}
	codes := func(i int) []int16 {
		var out []int16
		for _, p := range resp.Transactions[i].Topics[0].Partitions {
			out = append(out, p.ErrorCode)
		}
		return out
	}
	if c := codes(0); len(c) != 1 || c[0] != 0 {
		t.Errorf("add: %v", c)
	}
	if s, _ := h.snapshot(adding); s.state != stateOngoing || s.partitions != 1 {
		t.Errorf("added transaction is %+v", s)
	}
	// Partition 1 is not in the transaction: the leader must not append to it.
	if c := codes(1); len(c) != 2 || c[0] != 0 || c[1] != kerr.TransactionAbortable.Code {
		t.Errorf("verify: %v, want 0 and TRANSACTION_ABORTABLE", c)
	}
	for i, want := range []*kerr.Error{kerr.ProducerFenced, kerr.InvalidProducerIDMapping, kerr.InvalidProducerIDMapping, kerr.NotCoordinator, kerr.InvalidRequest} {
		if c := codes(2 + i); len(c) != 1 || c[0] != want.Code {
			t.Errorf("verify %+v: %v, want %s", req.Transactions[2+i], c, want.Message)
		}
	}
	if s, _ := h.snapshot(verified); s.partitions != 1 {
		t.Errorf("verification added partitions: %+v", s)
	}

	// While the transaction ends, verification answers CONCURRENT_TRANSACTIONS.
	release := h.markers.hold()
	defer release()
	if code := h.endTxn(3, verified, pid, epoch, true); code != 0 {
		t.Fatal(code)
	}
	req.Transactions = req.Transactions[1:2]
	if c := h.c.AddPartitionsToTxn(req, nil).Transactions[0].Topics[0].Partitions[0].ErrorCode; c != kerr.ConcurrentTransactions.Code {
		t.Errorf("verify during PrepareCommit: %d", c)
	}
}

func TestFailedWriteReverts(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	for _, c := range []struct {
		err  error
		want *kerr.Error
	}{
		{kerr.NotEnoughReplicas, kerr.CoordinatorNotAvailable},
		{kerr.RequestTimedOut, kerr.CoordinatorNotAvailable},
		{kerr.NotLeaderForPartition, kerr.NotCoordinator},
		{kerr.MessageTooLarge, kerr.UnknownServerError},
		{kerr.InvalidRecord, kerr.InvalidRecord},
		{context.DeadlineExceeded, kerr.CoordinatorNotAvailable},
		{errors.New("disk full"), kerr.CoordinatorNotAvailable},
	} {
		h.log.SetAppendError(c.err)
		if code := h.addPartitions(t, 3, id, pid, epoch, "t", 0); code != c.want.Code {
			t.Errorf("write failing with %v: answered %d, want %s", c.err, code, c.want.Message)
		}
		if s, _ := h.snapshot(id); s.state != stateEmpty || s.pending != noState || s.partitions != 0 {
			t.Fatalf("after a failed write: %+v", s)
		}
	}
	h.log.SetAppendError(nil)
	if code := h.addPartitions(t, 3, id, pid, epoch, "t", 0); code != 0 {
		t.Fatalf("after the log recovered: %d", code)
	}
}

func TestConcurrentRequestsDuringWrite(t *testing.T) {
	h := newTestHarness(t)
	id := idIn(h.c, 0, 0)
	pid, epoch := h.initProducer(t, id)
	release := h.log.Hold()
	done := make(chan int16, 1)
	go func() { done <- h.addPartitions(t, 3, id, pid, epoch, "t", 0) }()
	eventually(t, "the write in flight", func() bool { return h.log.WaitingAppends() == 1 })

	if code := h.addPartitions(t, 3, id, pid, epoch, "t", 1); code != kerr.ConcurrentTransactions.Code {
		t.Errorf("AddPartitions: %d", code)
	}
	if code := h.endTxn(3, id, pid, epoch, true); code != kerr.ConcurrentTransactions.Code {
		t.Errorf("EndTxn: %d", code)
	}
	if r := h.c.InitProducerID(context.Background(), initReq(&id, 5, -1, -1)); r.ErrorCode != kerr.ConcurrentTransactions.Code {
		t.Errorf("InitProducerId: %d", r.ErrorCode)
	}
	release()
	if code := <-done; code != 0 {
		t.Fatalf("the first request: %d", code)
	}
	if s, _ := h.snapshot(id); s.state != stateOngoing || s.partitions != 1 {
		t.Fatalf("after the write: %+v", s)
	}
}
