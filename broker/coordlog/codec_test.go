package coordlog

import (
	"bytes"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestBatchRoundTrip(t *testing.T) {
	recs := []Record{{Key: []byte("k1"), Value: []byte("v1")}, {Key: []byte("k2")}}
	check := func(t *testing.T, batch []byte) {
		t.Helper()
		var got []Record
		next, err := ForEachRecord(batch, func(_ *Batch, offset int64, key, value []byte) error {
			if offset != int64(len(got)) {
				t.Errorf("record %d has offset %d", len(got), offset)
			}
			got = append(got, Record{Key: key, Value: value})
			return nil
		})
		if err != nil || next != 2 || len(got) != 2 {
			t.Fatalf("read %d records, next %d, err %v", len(got), next, err)
		}
		if string(got[0].Value) != "v1" || got[1].Value != nil || string(got[1].Key) != "k2" {
			t.Fatalf("records read back as %q", got)
		}
	}
	t.Run("uncompressed", func(t *testing.T) { check(t, EncodeBatch(recs, 1)) })
	t.Run("gzip", func(t *testing.T) {
		plain := EncodeBatch(recs, 1)
		comp, err := kgo.DefaultCompressor(kgo.GzipCompression())
		if err != nil {
			t.Fatal(err)
		}
		body, codec := comp.Compress(new(bytes.Buffer), plain[batchHeaderSize:])
		var b kmsg.RecordBatch
		if err := b.ReadFrom(plain); err != nil {
			t.Fatal(err)
		}
		b.Attributes |= int16(codec)
		b.Records = body
		b.Length = int32(batchHeaderSize - 12 + len(body))
		check(t, b.AppendTo(nil))
	})
}

// FuzzForEachRecord feeds arbitrary bytes to the batch reader, which reads whatever
// is on disk, including batches another broker wrote.
func FuzzForEachRecord(f *testing.F) {
	f.Add(EncodeBatch([]Record{{Key: []byte("k"), Value: []byte("v")}}, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		ForEachRecord(data, func(*Batch, int64, []byte, []byte) error { return nil })
	})
}

func TestTransactionalBatchCarriesItsProducer(t *testing.T) {
	batch := EncodeTransactionalBatch([]Record{{Key: []byte("k"), Value: []byte("v")}}, 1, Producer{ID: 42, Epoch: 3})
	var got []Batch
	if _, err := ForEachRecord(batch, func(b *Batch, _ int64, _, _ []byte) error {
		got = append(got, *b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := Batch{ProducerID: 42, ProducerEpoch: 3, Transactional: true}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("read %+v, want one record of %+v", got, want)
	}
	if plain := EncodeBatch([]Record{{Key: []byte("k")}}, 1); plain[batchAttrsOff+1]&attrTransactional != 0 {
		t.Fatal("a plain batch is marked transactional")
	}
}

func TestMarkerType(t *testing.T) {
	for _, c := range []struct {
		key          []byte
		commit, isOK bool
	}{
		{[]byte{0, 0, 0, 1}, true, true},
		{[]byte{0, 0, 0, 0}, false, true},
		{[]byte{0, 0, 0, 3}, false, false},
		{[]byte{0}, false, false},
	} {
		if commit, ok := MarkerType(c.key); commit != c.commit || ok != c.isOK {
			t.Errorf("MarkerType(%v) = %v, %v; want %v, %v", c.key, commit, ok, c.commit, c.isOK)
		}
	}
}
