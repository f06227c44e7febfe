package checker

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestRecordAdapters: franz-go's records become ops with what they carry, and the
// commit callback records the offsets the coordinator accepted and no others.
func TestRecordAdapters(t *testing.T) {
	var h History
	r := &kgo.Record{Topic: topic, Partition: 2, Offset: 9, Value: []byte("p1-3"), ProducerID: 77, ProducerEpoch: 1, LeaderEpoch: -1}
	a := h.AckRecord("p1", r)
	if a.Kind != Ack || a.Seq != 0 || a.Offset != 9 || a.Value != "p1-3" || a.ProducerID != 77 || a.Broker != -1 || a.Time.IsZero() {
		t.Fatalf("ack %+v", a)
	}
	r.LeaderEpoch = 4
	if rd := h.ReadRecord("c1", r); rd.Kind != Read || rd.Seq != 1 || rd.LeaderEpoch != 4 {
		t.Fatalf("read %+v", rd)
	}

	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group = "g"
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	for p, off := range []int64{10, 20} {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = int32(p), off
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp := kmsg.NewPtrOffsetCommitResponse()
	st := kmsg.NewOffsetCommitResponseTopic()
	st.Topic = topic
	ok, refused := kmsg.NewOffsetCommitResponseTopicPartition(), kmsg.NewOffsetCommitResponseTopicPartition()
	ok.Partition, refused.Partition, refused.ErrorCode = 0, 1, kerr.IllegalGeneration.Code
	st.Partitions = append(st.Partitions, ok, refused)
	resp.Topics = append(resp.Topics, st)
	h.CommitCallback("c1")(nil, req, resp, nil)

	ops := h.Ops()
	if len(ops) != 3 {
		t.Fatalf("history %v, want the ack, the read and one commit", ops)
	}
	if c := ops[2]; c.Kind != Commit || c.Group != "g" || c.Partition != 0 || c.Offset != 10 {
		t.Fatalf("commit %+v", c)
	}
}
