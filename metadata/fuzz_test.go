package metadata

import (
	"bytes"
	"testing"
)

// FuzzDecodeRecord checks that DecodeRecord never panics and that whatever it accepts
// encodes to bytes it decodes back to the same encoding.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range sampleRecords() {
		f.Add(EncodeRecord(r))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := DecodeRecord(b)
		if err != nil {
			return
		}
		enc := EncodeRecord(rec)
		again, err := DecodeRecord(enc)
		if err != nil {
			t.Fatalf("re-decoding %T: %v", rec, err)
		}
		if enc2 := EncodeRecord(again); !bytes.Equal(enc, enc2) {
			t.Fatalf("%T encodes unstably:\n%x\n%x", rec, enc, enc2)
		}
		_, _ = RecordJSON(rec)
		_ = NewImage().Apply(rec)
	})
}

// FuzzDecodeBatch checks that DecodeBatch and DecodeBatches never panic on arbitrary
// bytes, including bytes with a valid CRC.
func FuzzDecodeBatch(f *testing.F) {
	f.Add(EncodeBatch(0, 1, 2, sampleRecords()))
	f.Add(EncodeBatch(5, 1, 2, []Record{NewSnapshotHeader(3)}))
	f.Add(EncodeBatch(6, 1, 2, []Record{NewLeaderChange(1, []int32{1, 2}, []int32{1})}))
	f.Add(append(EncodeBatch(0, 0, 0, []Record{&NoOpRecord{}}), EncodeBatch(1, 0, 0, []Record{NewSnapshotFooter()})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = DecodeBatch(b)
		_, _ = DecodeBatches(b)
		// Fix the CRC so the fuzzer reaches the record decoders behind it.
		if len(b) >= batchHeaderLen {
			fixed := append([]byte{}, b...)
			fixCRC(fixed)
			_, _, _ = DecodeBatch(fixed)
		}
	})
}
