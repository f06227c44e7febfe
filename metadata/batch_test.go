package metadata

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestBatchRoundTrip(t *testing.T) {
	recs := sampleRecords()
	b := EncodeBatch(100, 7, 1700000000000, recs)

	// franz-go's own parser agrees on the header and the CRC-32C.
	var kb kmsg.RecordBatch
	if err := kb.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	if kb.FirstOffset != 100 || kb.PartitionLeaderEpoch != 7 || kb.Magic != 2 || kb.NumRecords != int32(len(recs)) ||
		kb.LastOffsetDelta != int32(len(recs)-1) || kb.FirstTimestamp != 1700000000000 || kb.ProducerID != -1 ||
		kb.ProducerEpoch != -1 || kb.FirstSequence != -1 || kb.Attributes != 0 || int(kb.Length)+12 != len(b) {
		t.Errorf("header = %+v", kb)
	}
	if want := crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)); uint32(kb.CRC) != want {
		t.Errorf("crc = %08x, want %08x", uint32(kb.CRC), want)
	}

	base, got, err := DecodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	if base != 100 || !reflect.DeepEqual(got, recs) {
		t.Errorf("DecodeBatch = %d, %d records", base, len(got))
	}
}

func TestBatchCRCAndCorruption(t *testing.T) {
	b := EncodeBatch(0, 1, 1, []Record{&NoOpRecord{}})
	for _, i := range []int{21, 30, len(b) - 1} {
		bad := append([]byte{}, b...)
		bad[i] ^= 0x40
		if _, _, err := DecodeBatch(bad); err == nil || !strings.Contains(err.Error(), "crc") {
			t.Errorf("flipped byte %d: err = %v", i, err)
		}
	}
	bad := append([]byte{}, b...)
	bad[16] = 1
	if _, _, err := DecodeBatch(bad); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("magic 1: err = %v", err)
	}
	if _, _, err := DecodeBatch(append(b, 0)); err == nil {
		t.Error("trailing byte accepted")
	}
	if _, _, err := DecodeBatch(b[:len(b)-1]); !errors.Is(err, ErrTruncatedBatch) {
		t.Errorf("truncated: err = %v", err)
	}
}

func TestControlBatches(t *testing.T) {
	header := NewSnapshotHeader(1234)
	footer := NewSnapshotFooter()
	leader := NewLeaderChange(1, []int32{1, 2, 3}, []int32{1, 2})
	var file []byte
	file = append(file, EncodeBatch(0, 3, 1234, []Record{header})...)
	file = append(file, EncodeBatch(1, 3, 1234, []Record{&FeatureLevelRecord{Name: FeatureMetadataVersion, FeatureLevel: 21}, &NoOpRecord{}})...)
	file = append(file, EncodeBatch(3, 3, 1234, []Record{leader})...)
	file = append(file, EncodeBatch(4, 3, 1234, []Record{footer})...)

	batches, err := DecodeBatches(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 4 {
		t.Fatalf("%d batches", len(batches))
	}
	if !batches[0].Control || batches[1].Control || batches[1].LastOffset() != 2 || batches[3].BaseOffset != 4 {
		t.Errorf("batches = %+v", batches)
	}
	if !reflect.DeepEqual(batches[0].Records, []Record{header}) || !reflect.DeepEqual(batches[2].Records, []Record{leader}) ||
		!reflect.DeepEqual(batches[3].Records, []Record{footer}) {
		t.Errorf("control records = %#v %#v %#v", batches[0].Records[0], batches[2].Records[0], batches[3].Records[0])
	}
	// The control batch attribute and key are Kafka's: bit 5, key (version 0, type 3).
	if attrs := binary.BigEndian.Uint16(file[21:]); attrs != 0x20 {
		t.Errorf("control attributes = %#x", attrs)
	}
	// SnapshotHeaderRecord value: message version 0, Version 0, timestamp, no tags.
	if want := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0xd2, 0}; !reflect.DeepEqual(header.Value, want) {
		t.Errorf("header value = %x", header.Value)
	}

	// A torn tail keeps the whole batches before it.
	got, err := DecodeBatches(file[:len(file)-5])
	if !errors.Is(err, ErrTruncatedBatch) || len(got) != 3 {
		t.Errorf("torn tail: %d batches, err %v", len(got), err)
	}
}

func TestApplyIgnoresControlRecords(t *testing.T) {
	img := NewImage()
	for _, r := range []Record{NewSnapshotHeader(1), NewLeaderChange(1, nil, nil), NewSnapshotFooter(), &NoOpRecord{}} {
		if err := img.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(img, NewImage()) {
		t.Error("control records changed the image")
	}
}

// fixCRC rewrites the CRC of the batch at the start of b over whatever bytes its
// length field claims, clamped to b.
func fixCRC(b []byte) {
	end := int64(int32(binary.BigEndian.Uint32(b[batchLengthOffset:]))) + batchOverheadLen
	if end > int64(len(b)) || end < batchHeaderLen {
		end = int64(len(b))
	}
	binary.BigEndian.PutUint32(b[batchCRCOffset:], crc32.Checksum(b[batchAttrsOffset:end], crc32.MakeTable(crc32.Castagnoli)))
}
