package kclient

import (
	"strings"
	"testing"
	"time"
)

// TestTransactionsTableLayout pins Kafka 3.9's prettyPrintTable: each cell
// padded to its column's widest value, header included, and followed by a
// tab, the last one too.
func TestTransactionsTableLayout(t *testing.T) {
	var b strings.Builder
	rows := [][]string{{"orders-app-0", "1", "4001", "Ongoing"}, {"b", "12", "7", "CompleteCommit"}}
	if err := writeTable(&b, listTransactionsHeaders, rows); err != nil {
		t.Fatal(err)
	}
	want := "TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n" +
		"orders-app-0   \t1          \t4001      \tOngoing         \t\n" +
		"b              \t12         \t7         \tCompleteCommit  \t\n"
	if b.String() != want {
		t.Fatalf("table\n%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	if err := writeTable(&b, findHangingHeaders, nil); err != nil {
		t.Fatal(err)
	}
	if want := "Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n"; b.String() != want {
		t.Fatalf("empty table %q, want %q", b.String(), want)
	}
}

// TestTransactionsRows covers how each view renders what the broker leaves
// out: None for no open transaction or start time, -1 for an unknown
// coordinator epoch, and durations from the given clock.
func TestTransactionsRows(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	open := ProducerState{ProducerID: 4001, ProducerEpoch: 3, CoordinatorEpoch: int32p(2), LastSequence: 9,
		LastTimestamp: now.UnixMilli() - 61*60_000 - 59_999, CurrentTransactionStartOffset: int64p(1042)}
	idle := ProducerState{ProducerID: 4002, LastSequence: -1, LastTimestamp: 5}
	for _, tc := range []struct {
		name string
		got  [][]string
		want [][]string
	}{
		{"describe-producers", producerRows([]ProducerState{open, idle}), [][]string{
			{"4001", "3", "2", "9", "1699996280001", "1042"},
			{"4002", "0", "-1", "-1", "5", "None"},
		}},
		{"describe", [][]string{
			descriptionRow(TransactionDescription{CoordinatorID: 1, TransactionalID: "app", ProducerID: 4001, ProducerEpoch: 3, State: "Ongoing",
				TimeoutMs: 60000, StartTimeMs: int64p(now.UnixMilli() - 1500),
				TopicPartitions: []TopicPartitions{{Topic: "a", Partitions: []int32{0, 2}}, {Topic: "b", Partitions: []int32{1}}}}, now),
			descriptionRow(TransactionDescription{CoordinatorID: 1, TransactionalID: "idle", ProducerID: 4002, State: "Empty", TimeoutMs: 60000}, now),
		}, [][]string{
			{"1", "app", "4001", "3", "Ongoing", "60000", "1699999998500", "1500", "a-0,a-2,b-1"},
			{"1", "idle", "4002", "0", "Empty", "60000", "None", "None", ""},
		}},
		{"find-hanging", hangingRows([]OpenTransaction{
			{Topic: "orders", Partition: 3, Producer: open},
			{Topic: "orders", Partition: 4, Producer: ProducerState{ProducerID: 7, LastTimestamp: now.UnixMilli() - 59_999, CurrentTransactionStartOffset: int64p(0)}},
		}, now), [][]string{
			{"orders", "3", "4001", "3", "2", "1042", "1699996280001", "61"},
			{"orders", "4", "7", "0", "-1", "0", "1699999940001", "0"},
		}},
	} {
		if len(tc.got) != len(tc.want) {
			t.Fatalf("%s: rows %q, want %q", tc.name, tc.got, tc.want)
		}
		for i := range tc.want {
			if strings.Join(tc.got[i], "|") != strings.Join(tc.want[i], "|") {
				t.Errorf("%s: row %d = %q, want %q", tc.name, i, tc.got[i], tc.want[i])
			}
		}
	}
}

// TestTransactionStateNames: Kafka's admin client maps states it does not
// know, Dead among them, to Unknown.
func TestTransactionStateNames(t *testing.T) {
	for in, want := range map[string]string{"Ongoing": "Ongoing", "PrepareEpochFence": "PrepareEpochFence", "Dead": "Unknown", "": "Unknown"} {
		if got := transactionStateName(in); got != want {
			t.Errorf("transactionStateName(%q) = %q, want %q", in, got, want)
		}
	}
}
