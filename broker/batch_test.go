package broker

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// testBatch builds a one-record v2 batch the way a producer sends it.
func testBatch(t *testing.T, producerID int64, attrs int16) []byte {
	t.Helper()
	rec := kmsg.NewRecord()
	rec.Value = []byte("value")
	recBytes := rec.AppendTo(nil)
	b := kmsg.NewRecordBatch()
	b.Magic = 2
	b.Attributes = attrs
	b.ProducerID = producerID
	b.FirstTimestamp = 1000
	b.MaxTimestamp = 1000
	b.NumRecords = 1
	b.Records = recBytes
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[batchLengthOffset:], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[batchCRCOffset:], crc32.Checksum(raw[batchAttributesOffset:], castagnoli))
	return raw
}

func TestPeekBatch(t *testing.T) {
	raw := testBatch(t, 7, attrTransactional)
	info, ok := peekBatch(raw)
	if !ok || info.size != len(raw) || info.magic != 2 || !info.transactional || info.producerID != 7 || info.recordCount != 1 {
		t.Fatalf("peekBatch = %+v, %v", info, ok)
	}
	for _, cut := range []int{0, 10, batchHeaderSize - 1, len(raw) - 1} {
		if _, ok := peekBatch(raw[:cut]); ok {
			t.Fatalf("a batch cut to %d bytes was accepted", cut)
		}
	}
}

func TestStampLogAppendTimeKeepsCRCValid(t *testing.T) {
	raw := testBatch(t, -1, 0)
	stampLogAppendTime(raw, 123456789)
	var b kmsg.RecordBatch
	if err := b.ReadFrom(raw); err != nil {
		t.Fatal(err)
	}
	if b.MaxTimestamp != 123456789 || b.Attributes&attrTimestampLogAppend == 0 {
		t.Fatalf("batch not stamped: max timestamp %d, attributes %#x", b.MaxTimestamp, b.Attributes)
	}
	if got := crc32.Checksum(raw[batchAttributesOffset:], castagnoli); uint32(b.CRC) != got {
		t.Fatalf("CRC %#x does not match the stamped batch (%#x)", uint32(b.CRC), got)
	}
}
