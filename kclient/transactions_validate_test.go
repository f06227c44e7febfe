package kclient

import (
	"context"
	"io"
	"strings"
	"testing"
)

func int16p(n int16) *int16 { return &n }

// TestAbortFlagValidation checks abort's flags in Kafka 3.9's order, with
// its messages, and the spec built from --producer-id and friends: a
// negative coordinator epoch (a transaction that hung before any marker)
// becomes 0, and --start-offset wins over the explicit producer.
func TestAbortFlagValidation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		o        AbortTransactionOptions
		wantErr  string
		wantSpec string // empty: looked up by start offset
	}{
		{name: "no topic", o: AbortTransactionOptions{Partition: int32p(0), StartOffset: int64p(5)},
			wantErr: "argument --topic is required"},
		{name: "no partition", o: AbortTransactionOptions{Topic: "t", StartOffset: int64p(5)},
			wantErr: "argument --partition is required"},
		{name: "no transaction", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), ProducerEpoch: int16p(1), CoordinatorEpoch: int32p(0)},
			wantErr: "The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)"},
		{name: "no producer epoch", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), ProducerID: int64p(9), CoordinatorEpoch: int32p(0)},
			wantErr: "Missing required argument --producer-epoch"},
		{name: "no coordinator epoch", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), ProducerID: int64p(9), ProducerEpoch: int16p(1)},
			wantErr: "Missing required argument --coordinator-epoch"},
		{name: "start offset", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), StartOffset: int64p(5)}},
		{name: "start offset wins", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), StartOffset: int64p(5), ProducerID: int64p(9)}},
		{name: "explicit", o: AbortTransactionOptions{Topic: "t", Partition: int32p(2), ProducerID: int64p(9), ProducerEpoch: int16p(4), CoordinatorEpoch: int32p(7)},
			wantSpec: "AbortTransactionSpec(topicPartition=t-2, producerId=9, producerEpoch=4, coordinatorEpoch=7)"},
		{name: "coordinator epoch -1", o: AbortTransactionOptions{Topic: "t", Partition: int32p(0), ProducerID: int64p(9), ProducerEpoch: int16p(4), CoordinatorEpoch: int32p(-1)},
			wantSpec: "AbortTransactionSpec(topicPartition=t-0, producerId=9, producerEpoch=4, coordinatorEpoch=0)"},
	} {
		spec, err := tc.o.explicitSpec()
		gotErr, gotSpec := "", ""
		if err != nil {
			gotErr = err.Error()
		}
		if spec != nil {
			gotSpec = spec.String()
		}
		if gotErr != tc.wantErr || gotSpec != tc.wantSpec {
			t.Errorf("%s: spec %q, error %q; want %q, %q", tc.name, gotSpec, gotErr, tc.wantSpec, tc.wantErr)
		}
	}
}

// TestFindHangingFlagValidation: find-hanging needs a scope, and
// --partition needs --topic, with Kafka 3.9's messages; --broker-id and
// --topic together are allowed, as in Kafka.
func TestFindHangingFlagValidation(t *testing.T) {
	for _, tc := range []struct {
		o    FindHangingOptions
		want string
	}{
		{FindHangingOptions{}, "The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search"},
		{FindHangingOptions{Partition: int32p(0)}, "The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search"},
		{FindHangingOptions{BrokerID: int32p(1), Partition: int32p(0)}, "The --partition argument requires --topic to be provided"},
		{FindHangingOptions{BrokerID: int32p(1)}, ""},
		{FindHangingOptions{Topic: "t"}, ""},
		{FindHangingOptions{Topic: "t", Partition: int32p(0), BrokerID: int32p(1)}, ""},
	} {
		got := ""
		if err := tc.o.validate(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%+v: error %q, want %q", tc.o, got, tc.want)
		}
	}
}

// TestRequiredFlagsCheckedBeforeConnecting: describe and describe-producers
// refuse a missing required flag with argparse's message before they dial
// anything (the bootstrap address is never listened on).
func TestRequiredFlagsCheckedBeforeConnecting(t *testing.T) {
	conn := Conn{BootstrapServers: "127.0.0.1:1"}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"describe", DescribeTransaction(ctx, io.Discard, DescribeTransactionOptions{Conn: conn}), "argument --transactional-id is required"},
		{"describe-producers without topic", DescribeProducers(ctx, io.Discard, DescribeProducersOptions{Conn: conn, Partition: int32p(0)}), "argument --topic is required"},
		{"describe-producers without partition", DescribeProducers(ctx, io.Discard, DescribeProducersOptions{Conn: conn, Topic: "t"}), "argument --partition is required"},
		{"abort", AbortTransaction(ctx, AbortTransactionOptions{Conn: conn, Topic: "t", Partition: int32p(0)}), "The transaction to abort must be identified"},
		{"find-hanging", FindHangingTransactions(ctx, io.Discard, FindHangingOptions{Conn: conn}), "The `find-hanging` command requires"},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to start with %q", tc.name, tc.err, tc.want)
		}
	}
}
