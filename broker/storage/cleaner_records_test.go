package storage

import (
	"bytes"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestValidateCompactedBatch(t *testing.T) {
	withCodec := func(s keyedSpec, c kgo.CompressionCodec) keyedSpec { s.codec = c; return s }
	corrupt := makeKeyedBatch(t, keyed(0, kv{key: "k", value: "v"}))
	corrupt[len(corrupt)-1] ^= 1
	tests := []struct {
		name  string
		batch []byte
		want  error
	}{
		{"keys", makeKeyedBatch(t, keyed(0, kv{key: "a", value: "1"}, kv{key: "b", tombstone: true})), nil},
		{"empty key is a key", makeKeyedBatch(t, keyed(0, kv{key: "", value: "1"})), nil},
		{"null key", makeKeyedBatch(t, keyed(0, kv{key: "a", value: "1"}, kv{noKey: true, value: "2"})), ErrMissingKey},
		{"gzip keys", makeKeyedBatch(t, withCodec(keyed(0, kv{key: "a", value: "1"}), kgo.GzipCompression())), nil},
		{"zstd null key", makeKeyedBatch(t, withCodec(keyed(0, kv{key: "a", value: "1"}, kv{noKey: true, value: "2"}), kgo.ZstdCompression())), ErrMissingKey},
		{"lz4 null key", makeKeyedBatch(t, withCodec(keyed(0, kv{noKey: true, value: "2"}), kgo.Lz4Compression())), ErrMissingKey},
		{"snappy keys", makeKeyedBatch(t, withCodec(keyed(0, kv{key: "a", value: "1"}), kgo.SnappyCompression())), nil},
		{"bad crc", corrupt, ErrCorruptRecord},
		{"records do not parse", func() []byte {
			b := makeKeyedBatch(t, keyed(0, kv{key: "a", value: "1"}))
			be.PutUint32(b[recordCountOff:], 2)
			be.PutUint32(b[crcOff:], crc32c(b[attributesOff:]))
			return b
		}(), ErrCorruptRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateCompactedBatch(tt.batch)
			if (tt.want == nil && err != nil) || !errors.Is(err, tt.want) {
				t.Fatalf("ValidateCompactedBatch = %v, want %v", err, tt.want)
			}
		})
	}
}

// The codecs round-trip, and recompressed snappy uses the Java producer's framing.
func TestCodecsRoundTrip(t *testing.T) {
	src := bytes.Repeat([]byte("compacted topic "), 5000)
	for _, codec := range []int{codecNone, codecGzip, codecSnappy, codecLz4, codecZstd} {
		out, err := compress(codec, src)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decompress(codec, out)
		if err != nil || !bytes.Equal(back, src) {
			t.Fatalf("codec %d: round trip failed: %v", codec, err)
		}
		viaClient, err := kgo.DefaultDecompressor().Decompress(out, kgo.CompressionCodecType(codec))
		if err != nil || !bytes.Equal(viaClient, src) {
			t.Fatalf("codec %d: franz-go cannot decompress ours: %v", codec, err)
		}
		if codec == codecSnappy && !bytes.HasPrefix(out, xerialMagic) {
			t.Fatal("snappy without xerial framing")
		}
	}
}

// FuzzDecodeRecords: decodeRecords never panics, and what it accepts is exactly the
// concatenation of records that each decode alone to the same fields, and that kmsg
// reads the same way.
func FuzzDecodeRecords(f *testing.F) {
	for _, s := range []keyedSpec{
		keyed(0, kv{key: "a", value: "1"}, kv{key: "b", tombstone: true}, kv{noKey: true, value: "x"}),
		keyed(5, kv{key: "", value: ""}),
	} {
		b := makeKeyedBatch(f, s)
		f.Add(b[batchHeaderSize:], int32(len(s.recs)))
	}
	withHeaders := kmsg.Record{Key: []byte("k"), Value: []byte("v"), Headers: []kmsg.Header{{Key: "h", Value: nil}, {Key: "", Value: []byte("x")}}}
	withHeaders.Length = int32(len(withHeaders.AppendTo(nil)) - 1)
	f.Add(withHeaders.AppendTo(nil), int32(1))
	f.Add([]byte{}, int32(0))
	f.Add([]byte{0x02, 0x00}, int32(1))
	f.Fuzz(func(t *testing.T, data []byte, count int32) {
		var recs []record
		err := decodeRecords(data, count, func(r *record) error {
			recs = append(recs, *r)
			return nil
		})
		if err != nil {
			if !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("error not wrapping ErrCorruptRecord: %v", err)
			}
			return
		}
		var joined []byte
		for _, r := range recs {
			joined = append(joined, r.raw...)
			var again []record
			if err := decodeRecords(r.raw, 1, func(r2 *record) error { again = append(again, *r2); return nil }); err != nil || len(again) != 1 {
				t.Fatalf("record %x does not decode alone: %v", r.raw, err)
			}
			a := again[0]
			if a.offsetDelta != r.offsetDelta || a.timestampDelta != r.timestampDelta || !bytes.Equal(a.key, r.key) ||
				(a.key == nil) != (r.key == nil) || a.nullValue != r.nullValue {
				t.Fatalf("record %x decodes differently alone", r.raw)
			}
			var k kmsg.Record
			if err := k.ReadFrom(r.raw); err != nil {
				t.Fatalf("kmsg rejects record %x: %v", r.raw, err)
			}
			if (k.Key == nil) != (r.key == nil) || !bytes.Equal(k.Key, r.key) || (k.Value == nil) != r.nullValue ||
				k.OffsetDelta != r.offsetDelta || k.TimestampDelta64 != r.timestampDelta {
				t.Fatalf("kmsg reads record %x differently: %+v", r.raw, k)
			}
		}
		if int32(len(recs)) != count || !bytes.Equal(joined, data) {
			t.Fatalf("%d records covering %d of %d bytes, count %d", len(recs), len(joined), len(data), count)
		}
	})
}
