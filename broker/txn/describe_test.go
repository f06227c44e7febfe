package txn

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestDescribeTransactions(t *testing.T) {
	h := newTestHarness(t)
	id, idle := idIn(h.c, 0, 0), idIn(h.c, 1, 0)
	started := h.clk.Now().UnixMilli()
	pid, epoch := h.openTxn(t, id)
	h.addPartitions(t, 3, id, pid, epoch, "audit", 2)
	h.initProducer(t, idle)

	req := kmsg.NewPtrDescribeTransactionsRequest()
	req.TransactionalIDs = []string{id, idle, idIn(h.c, 0, 1), "", idIn(h.c, unownedPart, 0)}
	resp := h.c.DescribeTransactions(req)
	if len(resp.TransactionStates) != 5 {
		t.Fatalf("%d states", len(resp.TransactionStates))
	}
	st := resp.TransactionStates[0]
	if st.ErrorCode != 0 || st.TransactionalID != id || st.State != "Ongoing" || st.ProducerID != pid || st.ProducerEpoch != epoch ||
		st.TimeoutMillis != testTimeoutMs || st.StartTimestamp != started || len(st.Topics) != 2 ||
		st.Topics[0].Topic != "audit" || st.Topics[1].Topic != "orders" || len(st.Topics[1].Partitions) != 2 {
		t.Errorf("ongoing: %+v", st)
	}
	if st := resp.TransactionStates[1]; st.ErrorCode != 0 || st.State != "Empty" || st.StartTimestamp != -1 || len(st.Topics) != 0 {
		t.Errorf("idle: %+v", st)
	}
	for i, want := range []*kerr.Error{kerr.TransactionalIDNotFound, kerr.InvalidRequest, kerr.NotCoordinator} {
		if st := resp.TransactionStates[2+i]; st.ErrorCode != want.Code || st.TransactionalID != req.TransactionalIDs[2+i] {
			t.Errorf("%q: %+v, want %s", req.TransactionalIDs[2+i], st, want.Message)
		}
	}
}

func listReq(version int16) *kmsg.ListTransactionsRequest {
	r := kmsg.NewPtrListTransactionsRequest()
	r.Version = version
	return r
}

func TestListTransactions(t *testing.T) {
	h := newTestHarness(t)
	a, b, c := idIn(h.c, 0, 0), idIn(h.c, 1, 0), idIn(h.c, 2, 0)
	apid, _ := h.openTxn(t, a)
	h.clk.Advance(5 * time.Second)
	bpid, _ := h.openTxn(t, b)
	h.initProducer(t, c)
	h.clk.Advance(time.Second)

	names := func(r *kmsg.ListTransactionsResponse) []string {
		var out []string
		for _, s := range r.TransactionStates {
			out = append(out, s.TransactionalID+":"+s.TransactionState)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		req    func(r *kmsg.ListTransactionsRequest)
		want   []string
		unknow []string
	}{
		{"all", func(*kmsg.ListTransactionsRequest) {}, []string{a + ":Ongoing", b + ":Ongoing", c + ":Empty"}, nil},
		{"by state", func(r *kmsg.ListTransactionsRequest) { r.StateFilters = []string{"Empty", "Bogus", "Bogus"} }, []string{c + ":Empty"}, []string{"Bogus"}},
		{"by unknown state only", func(r *kmsg.ListTransactionsRequest) { r.StateFilters = []string{"ongoing"} }, nil, []string{"ongoing"}},
		{"by producer", func(r *kmsg.ListTransactionsRequest) { r.ProducerIDFilters = []int64{apid, bpid} }, []string{a + ":Ongoing", b + ":Ongoing"}, nil},
		// Running longer than 3 s: a started 6 s ago; c never started counts as
		// running since the epoch, as in Kafka.
		{"by duration", func(r *kmsg.ListTransactionsRequest) { r.Version, r.DurationFilterMillis = 1, 3000 }, []string{a + ":Ongoing", c + ":Empty"}, nil},
		{"duration ignored before v1", func(r *kmsg.ListTransactionsRequest) { r.DurationFilterMillis = 3000 }, []string{a + ":Ongoing", b + ":Ongoing", c + ":Empty"}, nil},
	} {
		req := listReq(0)
		tc.req(req)
		resp := h.c.ListTransactions(req)
		if got := names(resp); resp.ErrorCode != 0 || !equalStrings(got, tc.want) || !equalStrings(resp.UnknownStateFilters, tc.unknow) {
			t.Errorf("%s: %v unknown %v error %d, want %v unknown %v", tc.name, got, resp.UnknownStateFilters, resp.ErrorCode, tc.want, tc.unknow)
		}
	}

	h.log.SetReadError(errors.New("unreadable"))
	h.c.BecomeLeader(unownedPart, testEpoch)
	if r := h.c.ListTransactions(listReq(1)); r.ErrorCode != kerr.CoordinatorLoadInProgress.Code {
		t.Errorf("while a partition loads: %d", r.ErrorCode)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
