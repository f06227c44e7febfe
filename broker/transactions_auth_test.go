package broker

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestTransactionAPIsAuthorization checks what a principal without the ACLs is
// answered by each transaction API, as KafkaApis 3.9 answers: cluster actions for the
// inter-broker forms, Write on the transactional id for the producer's, Describe for
// the tools', Read on the topic for DescribeProducers.
func TestTransactionAPIsAuthorization(t *testing.T) {
	src := newFakeSource(t)
	addr := authorizedBroker(t, src)
	src.createTopic(t, "orders", []int32{1}, 1, []int32{1}, nil)
	src.createTopic(t, "payments", []int32{1}, 1, []int32{1}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(clientAs(t, addr, "admin"))
	if res, err := adm.CreateACLs(ctx, kadm.NewACLs().Allow("User:alice").Topics("orders").Operations(kadm.OpWrite)); err != nil || res[0].Err != nil {
		t.Fatalf("CreateACLs: %v %+v", err, res)
	}
	alice := clientAs(t, addr, "alice").SeedBrokers()[0]
	send := func(req kmsg.Request) kmsg.Response {
		t.Helper()
		resp, err := alice.Request(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", kmsg.NameForKey(req.Key()), err)
		}
		return resp
	}
	want := func(what string, got int16, err *kerr.Error) {
		t.Helper()
		if got != err.Code {
			t.Errorf("%s answered %v, want %v", what, kerr.ErrorForCode(got), err)
		}
	}

	markers := kmsg.NewPtrWriteTxnMarkersRequest()
	m := kmsg.NewWriteTxnMarkersRequestMarker()
	m.ProducerID, m.Topics = 1, []kmsg.WriteTxnMarkersRequestMarkerTopic{{Topic: "orders", Partitions: []int32{0}}}
	markers.Markers = append(markers.Markers, m)
	want("WriteTxnMarkers", send(markers).(*kmsg.WriteTxnMarkersResponse).Markers[0].Topics[0].Partitions[0].ErrorCode, kerr.ClusterAuthorizationFailed)

	verify := kmsg.NewPtrAddPartitionsToTxnRequest()
	verify.Version = 4
	verify.Transactions = []kmsg.AddPartitionsToTxnRequestTransaction{{TransactionalID: "tx", VerifyOnly: true,
		Topics: []kmsg.AddPartitionsToTxnRequestTransactionTopic{{Topic: "orders", Partitions: []int32{0}}}}}
	want("AddPartitionsToTxn v4", send(verify).(*kmsg.AddPartitionsToTxnResponse).ErrorCode, kerr.ClusterAuthorizationFailed)

	add := kmsg.NewPtrAddPartitionsToTxnRequest()
	add.Version = 3
	add.TransactionalID = "tx"
	add.Topics = []kmsg.AddPartitionsToTxnRequestTopic{{Topic: "orders", Partitions: []int32{0}}, {Topic: "payments", Partitions: []int32{0}}}
	for _, rt := range send(add).(*kmsg.AddPartitionsToTxnResponse).Topics {
		want("AddPartitionsToTxn v3 without Write on the transactional id, "+rt.Topic, rt.Partitions[0].ErrorCode, kerr.TransactionalIDAuthorizationFailed)
	}
	if res, err := adm.CreateACLs(ctx, kadm.NewACLs().Allow("User:alice").TransactionalIDs("tx").Operations(kadm.OpWrite, kadm.OpDescribe)); err != nil || res[0].Err != nil {
		t.Fatalf("CreateACLs: %v %+v", err, res)
	}
	for _, rt := range send(add).(*kmsg.AddPartitionsToTxnResponse).Topics {
		if rt.Topic == "payments" {
			want("AddPartitionsToTxn v3 without Write on payments", rt.Partitions[0].ErrorCode, kerr.TopicAuthorizationFailed)
		} else {
			want("AddPartitionsToTxn v3, the authorized orders beside the refused payments", rt.Partitions[0].ErrorCode, kerr.OperationNotAttempted)
		}
	}

	end := kmsg.NewPtrEndTxnRequest()
	end.TransactionalID = "other"
	want("EndTxn of another transactional id", send(end).(*kmsg.EndTxnResponse).ErrorCode, kerr.TransactionalIDAuthorizationFailed)

	offsets := kmsg.NewPtrAddOffsetsToTxnRequest()
	offsets.TransactionalID, offsets.Group = "tx", "g"
	want("AddOffsetsToTxn without Read on the group", send(offsets).(*kmsg.AddOffsetsToTxnResponse).ErrorCode, kerr.GroupAuthorizationFailed)

	describe := kmsg.NewPtrDescribeTransactionsRequest()
	describe.TransactionalIDs = []string{"other"}
	want("DescribeTransactions of another transactional id", send(describe).(*kmsg.DescribeTransactionsResponse).TransactionStates[0].ErrorCode, kerr.TransactionalIDAuthorizationFailed)

	producers := kmsg.NewPtrDescribeProducersRequest()
	producers.Topics = []kmsg.DescribeProducersRequestTopic{{Topic: "payments", Partitions: []int32{0}}, {Topic: "orders", Partitions: []int32{0}}}
	for _, rt := range send(producers).(*kmsg.DescribeProducersResponse).Topics {
		if rt.Topic == "payments" {
			want("DescribeProducers without Read on payments", rt.Partitions[0].ErrorCode, kerr.TopicAuthorizationFailed)
		}
	}

	batch := testBatch(t, 1, attrTransactional)
	produce := kmsg.NewPtrProduceRequest()
	produce.Acks, produce.TimeoutMillis = -1, 5000
	produce.Topics = []kmsg.ProduceRequestTopic{{Topic: "orders", Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 0, Records: batch}}}}
	want("a transactional Produce without a transactional id", send(produce).(*kmsg.ProduceResponse).Topics[0].Partitions[0].ErrorCode, kerr.TransactionalIDAuthorizationFailed)
	other := "other"
	produce.TransactionID = &other
	want("a transactional Produce of another transactional id", send(produce).(*kmsg.ProduceResponse).Topics[0].Partitions[0].ErrorCode, kerr.TransactionalIDAuthorizationFailed)
}
