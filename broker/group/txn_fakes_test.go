package group

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/coordlog"
)

// txnReq commits offset to t-partition in producer's transaction as a producer
// outside the group would (no member, generation -1).
func txnReq(version int16, producer int64, partition int32, offset int64) *kmsg.TxnOffsetCommitRequest {
	r := kmsg.NewPtrTxnOffsetCommitRequest()
	r.Version = version
	r.TransactionalID, r.Group, r.ProducerID, r.ProducerEpoch = "txn", testGroup, producer, 2
	rp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset, rp.LeaderEpoch = partition, offset, 3
	r.Topics = []kmsg.TxnOffsetCommitRequestTopic{{Topic: "t", Partitions: []kmsg.TxnOffsetCommitRequestTopicPartition{rp}}}
	return r
}

// txnCommit sends a TxnOffsetCommit and returns the error codes of its partitions.
func txnCommit(c *Coordinator, req *kmsg.TxnOffsetCommitRequest) []int16 {
	var codes []int16
	for _, t := range c.TxnOffsetCommit(req, exists).Topics {
		for _, p := range t.Partitions {
			codes = append(codes, p.ErrorCode)
		}
	}
	return codes
}

// plainCommit commits offset to t-partition as a simple consumer.
func plainCommit(t *testing.T, c *Coordinator, partition int32, offset int64) {
	t.Helper()
	r := kmsg.NewPtrOffsetCommitRequest()
	r.Version = 9
	r.Group, r.Generation = testGroup, -1
	r.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: partition, Offset: offset}}}}
	if code := c.OffsetCommit(r, exists).Topics[0].Partitions[0].ErrorCode; code != 0 {
		t.Fatalf("commit of t-%d: error %d", partition, code)
	}
}

// fetchAt fetches t-partition of the test group with OffsetFetch of the given version.
func fetchAt(t *testing.T, c *Coordinator, version int16, requireStable bool, partition int32) (int64, int16) {
	t.Helper()
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version, r.RequireStable = version, requireStable
	topics := []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: []int32{partition}}}
	if version < 8 {
		r.Group, r.Topics = testGroup, topics
		resp := c.OffsetFetch(r)
		if resp.ErrorCode != 0 {
			t.Fatalf("OffsetFetch v%d: group error %d", version, resp.ErrorCode)
		}
		p := resp.Topics[0].Partitions[0]
		return p.Offset, p.ErrorCode
	}
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: testGroup, Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: "t", Partitions: []int32{partition}}}}}
	g := c.OffsetFetch(r).Groups[0]
	if g.ErrorCode != 0 {
		t.Fatalf("OffsetFetch v%d: group error %d", version, g.ErrorCode)
	}
	p := g.Topics[0].Partitions[0]
	return p.Offset, p.ErrorCode
}

// stable fetches t-partition with RequireStable and fails on any error.
func stable(t *testing.T, c *Coordinator, partition int32) int64 {
	t.Helper()
	off, code := fetchAt(t, c, 8, true, partition)
	if code != 0 {
		t.Fatalf("stable fetch of t-%d: error %d", partition, code)
	}
	return off
}

// markerBatch is the control batch the broker writes to end producer's transaction.
func markerBatch(producer int64, commit bool) []byte {
	key := kmsg.NewControlRecordKey()
	key.Type = kmsg.ControlRecordKeyTypeAbort
	if commit {
		key.Type = kmsg.ControlRecordKeyTypeCommit
	}
	marker := kmsg.NewEndTxnMarker()
	batch := coordlog.EncodeTransactionalBatch([]coordlog.Record{{Key: key.AppendTo(nil), Value: marker.AppendTo(nil)}}, 1,
		coordlog.Producer{ID: producer, Epoch: 2})
	const attrsOff, crcOff, controlBit = 21, 17, 0x20
	batch[attrsOff+1] |= controlBit
	binary.BigEndian.PutUint32(batch[crcOff:], crc32.Checksum(batch[attrsOff:], crc32.MakeTable(crc32.Castagnoli)))
	return batch
}

// endTxn does what the broker does at the end of a transaction: writes the marker to
// the group's partition, then tells the coordinator.
func endTxn(t *testing.T, c *Coordinator, l *fakeLog, producer int64, commit bool) {
	t.Helper()
	if err := l.Append(context.Background(), 36, markerBatch(producer, commit)); err != nil {
		t.Fatal(err)
	}
	c.CompleteTxn(36, producer, commit)
}

// appendTxn writes offsets of t-<partition> to the log in producer's transaction, as
// a previous coordinator would have.
func appendTxn(t *testing.T, l *fakeLog, producer int64, offsets map[int32]int64) {
	t.Helper()
	if err := l.Append(context.Background(), 36, coordlog.EncodeTransactionalBatch(offsetRecords(offsets), 1, coordlog.Producer{ID: producer, Epoch: 2})); err != nil {
		t.Fatal(err)
	}
}

// appendPlain writes offsets of t-<partition> to the log outside any transaction.
func appendPlain(t *testing.T, l *fakeLog, offsets map[int32]int64) {
	t.Helper()
	if err := l.Append(context.Background(), 36, coordlog.EncodeBatch(offsetRecords(offsets), 1)); err != nil {
		t.Fatal(err)
	}
}

func offsetRecords(offsets map[int32]int64) []coordlog.Record {
	var recs []coordlog.Record
	for p, o := range offsets {
		recs = append(recs, coordlog.Record{
			Key:   EncodeOffsetKey(OffsetKey{Group: testGroup, Topic: "t", Partition: p}),
			Value: EncodeOffsetValue(CommittedOffset{Offset: o, LeaderEpoch: -1, CommitTimestamp: 1, ExpireTimestamp: -1}),
		})
	}
	return recs
}

// reload is a new coordinator reading the same log, as after a restart or a move.
func reload(t *testing.T, l coordlog.Log) *Coordinator {
	t.Helper()
	c := New(testConfig, l, &fakeClock{now: testNow}, quietLogger)
	t.Cleanup(c.Close)
	c.BecomeLeader(36, 1)
	waitLoaded(t, c)
	return c
}
