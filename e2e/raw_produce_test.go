package e2e

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// rawProduce sends one non-idempotent, one-record batch with acks=1 straight to the
// broker at addr, bypassing any client's leader routing, and returns the partition's
// error code (0 when the broker accepted it as leader) or an error when it did not
// answer. It is how a test asks one particular broker whether it would take a write.
func rawProduce(addr, topic string, partition int32, value string) (int16, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := kwire.Dial(ctx, addr, "e2e")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = 1, 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Partition = partition
	rp.Records = oneRecordBatch(value)
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := conn.Request(ctx, req)
	if err != nil {
		return 0, err
	}
	return resp.(*kmsg.ProduceResponse).Topics[0].Partitions[0].ErrorCode, nil
}

// oneRecordBatch is a v2 record batch of one record, as a producer without
// idempotence sends it: the length counts from the partition leader epoch, and the
// CRC-32C covers everything from the attributes on.
func oneRecordBatch(value string) []byte {
	r := kmsg.Record{Value: []byte(value)}
	r.Length = int32(len(r.AppendTo(nil)) - 1)
	recs := r.AppendTo(nil)
	now := time.Now().UnixMilli()
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		FirstTimestamp:       now,
		MaxTimestamp:         now,
		ProducerID:           -1,
		ProducerEpoch:        -1,
		FirstSequence:        -1,
		NumRecords:           1,
		Records:              recs,
	}
	const headerSize, crcOffset, attributesOffset = 61, 17, 21
	b.Length = int32(headerSize - 12 + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[crcOffset:], crc32.Checksum(raw[attributesOffset:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}
