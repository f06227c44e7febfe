package storage

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// legacyV2Sample covers a key and headers, a null key, a null value and empty (non-null)
// key and value, with timestamps out of order.
func legacyV2Sample() []legacyV2Rec {
	return []legacyV2Rec{
		{delta: 0, key: []byte("k0"), value: []byte("v0"), ts: 1000, headers: []kmsg.Header{{Key: "h", Value: []byte("x")}}},
		{delta: 1, value: []byte("v1"), ts: 1005},
		{delta: 2, key: []byte("k2"), ts: 1002},
		{delta: 3, key: []byte{}, value: []byte{}, ts: 1001},
	}
}

// legacyV2SampleViews is what a client must see of legacyV2Sample at base offset 100.
func legacyV2SampleViews(magic int8) []legacyView {
	ts := func(t int64) int64 {
		if magic == 0 {
			return -1
		}
		return t
	}
	return []legacyView{
		legacyAt(100, "k0", "v0", ts(1000)),
		{offset: 101, nullKey: true, value: "v1", timestamp: ts(1005)},
		{offset: 102, key: "k2", nullValue: true, timestamp: ts(1002)},
		legacyAt(103, "", "", ts(1001)),
	}
}

func legacyDownConvert(tb testing.TB, magic int8, batches ...[]byte) []byte {
	tb.Helper()
	out, err := DownConvert(bytes.Join(batches, nil), magic, 0)
	if err != nil {
		tb.Fatalf("DownConvert to magic %d: %v", magic, err)
	}
	return out
}

func TestLegacyDownConvertEachCodec(t *testing.T) {
	for _, c := range legacyCodecs {
		for _, magic := range []int8{0, 1} {
			t.Run(fmt.Sprintf("%s/magic%d", c.name, magic), func(t *testing.T) {
				set := legacyDownConvert(t, magic, legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: c.kgo}))
				sameInOrder(t, legacyRecords(t, magic, set), legacyV2SampleViews(magic))

				entries := legacyReadSet(t, magic, set)
				if c.id == 0 {
					if len(entries) != 4 {
						t.Fatalf("%d messages, want one per record", len(entries))
					}
					for _, e := range entries {
						if e.attrs != 0 {
							t.Fatalf("message at %d has attributes %#x, want 0", e.offset, e.attrs)
						}
					}
					return
				}
				if len(entries) != 1 {
					t.Fatalf("%d entries, want one wrapper", len(entries))
				}
				w := entries[0]
				wantTs := int64(1005) // the max, not the last record's
				if magic == 0 {
					wantTs = -1
				}
				if w.offset != 103 || w.attrs != c.id || w.timestamp != wantTs || w.key != nil {
					t.Fatalf("wrapper offset %d attributes %#x timestamp %d key %q, want 103, %#x, %d, null",
						w.offset, w.attrs, w.timestamp, w.key, c.id, wantTs)
				}
			})
		}
	}
}

// Compaction leaves gaps in a batch's offsets: magic 1 inner offsets stay relative to
// the first record's, magic 0 ones absolute.
func TestLegacyDownConvertInnerOffsets(t *testing.T) {
	recs := []legacyV2Rec{
		{delta: 0, key: []byte("a"), value: []byte("1"), ts: 10},
		{delta: 2, key: []byte("b"), value: []byte("2"), ts: 12},
		{delta: 5, key: []byte("c"), value: []byte("3"), ts: 11},
	}
	b := legacyV2Batch(t, legacyV2Spec{base: 40, recs: recs, codec: kgo.GzipCompression()})
	for magic, want := range map[int8][]int64{0: {40, 42, 45}, 1: {0, 2, 5}} {
		set := legacyDownConvert(t, magic, b)
		w := legacyReadSet(t, magic, set)[0]
		data, err := kgo.DefaultDecompressor().Decompress(w.value, kgo.CodecGzip)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, m := range legacyReadSet(t, magic, data) {
			got = append(got, m.offset)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || w.offset != 45 {
			t.Fatalf("magic %d: wrapper %d, inner offsets %v, want 45, %v", magic, w.offset, got, want)
		}
		ts := func(t int64) int64 {
			if magic == 0 {
				return -1
			}
			return t
		}
		sameInOrder(t, legacyRecords(t, magic, set), []legacyView{legacyAt(40, "a", "1", ts(10)), legacyAt(42, "b", "2", ts(12)), legacyAt(45, "c", "3", ts(11))})
	}
}

// A LogAppendTime batch gives every message the batch's max timestamp and, for magic
// 1, the timestamp-type bit, on the wrapper and the inner messages alike.
func TestLegacyDownConvertLogAppendTime(t *testing.T) {
	for _, c := range legacyCodecs {
		t.Run(c.name, func(t *testing.T) {
			b := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: c.kgo, logAppendTime: 9000})
			want := legacyV2SampleViews(1)
			for i := range want {
				want[i].timestamp, want[i].logAppendTime = 9000, true
			}
			set := legacyDownConvert(t, 1, b)
			sameInOrder(t, legacyRecords(t, 1, set), want)
			for _, e := range legacyReadSet(t, 1, set) {
				if e.attrs != 0x08|c.id || e.timestamp != 9000 {
					t.Fatalf("entry at %d: attributes %#x timestamp %d, want %#x, 9000", e.offset, e.attrs, e.timestamp, 0x08|c.id)
				}
			}
			if c.id != 0 {
				w := legacyReadSet(t, 1, set)[0]
				data, err := kgo.DefaultDecompressor().Decompress(w.value, kgo.CompressionCodecType(c.id))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range legacyReadSet(t, 1, data) {
					if m.attrs != 0x08 || m.timestamp != 9000 {
						t.Fatalf("inner message %d: attributes %#x timestamp %d, want 0x08, 9000", m.offset, m.attrs, m.timestamp)
					}
				}
			}
			// Magic 0 has neither timestamps nor the bit.
			for _, e := range legacyReadSet(t, 0, legacyDownConvert(t, 0, b)) {
				if e.attrs != c.id {
					t.Fatalf("magic 0 entry attributes %#x, want %#x", e.attrs, c.id)
				}
			}
		})
	}
}

func TestLegacyDownConvertDropsControlBatches(t *testing.T) {
	data1 := legacyV2Batch(t, legacyV2Spec{base: 10, recs: []legacyV2Rec{{key: []byte("a"), value: []byte("1"), ts: 5}}})
	marker := legacyV2Batch(t, legacyV2Spec{base: 11, control: true, recs: []legacyV2Rec{{key: []byte{0, 0, 0, 1}, value: []byte{0, 0, 0, 0, 0, 0}, ts: 6}}})
	data2 := legacyV2Batch(t, legacyV2Spec{base: 12, recs: []legacyV2Rec{{key: []byte("b"), value: []byte("2"), ts: 7}}, codec: kgo.SnappyCompression()})
	for _, magic := range []int8{0, 1} {
		ts := func(t int64) int64 {
			if magic == 0 {
				return -1
			}
			return t
		}
		got := legacyRecords(t, magic, legacyDownConvert(t, magic, data1, marker, data2))
		sameInOrder(t, got, []legacyView{legacyAt(10, "a", "1", ts(5)), legacyAt(12, "b", "2", ts(7))})
		if out := legacyDownConvert(t, magic, marker); len(out) != 0 {
			t.Fatalf("magic %d: a lone marker converts to %d bytes, want none", magic, len(out))
		}
	}
}

// A read cut at max bytes ends in a partial batch, which Kafka's log iterator stops
// at; an empty batch, as compaction may leave, converts to nothing.
func TestLegacyDownConvertPartialLastBatch(t *testing.T) {
	b1 := legacyV2Batch(t, legacyV2Spec{base: 0, recs: []legacyV2Rec{{key: []byte("a"), value: []byte("1"), ts: 5}}})
	empty := legacyV2Batch(t, legacyV2Spec{base: 1})
	b2 := legacyV2Batch(t, legacyV2Spec{base: 2, recs: legacyV2Sample(), codec: kgo.Lz4Compression()})
	for _, cut := range []int{1, 11, 12, batchHeaderSize, len(b2) - 1} {
		for _, magic := range []int8{0, 1} {
			got := legacyRecords(t, magic, legacyDownConvert(t, magic, b1, empty, b2[:cut]))
			want := legacyAt(0, "a", "1", 5)
			if magic == 0 {
				want.timestamp = -1
			}
			sameInOrder(t, got, []legacyView{want})
			if out := legacyDownConvert(t, magic, b2[:cut]); len(out) != 0 {
				t.Fatalf("cut %d: a partial batch alone converts to %d bytes", cut, len(out))
			}
		}
	}
}

// Kafka's RecordsUtil.legacyDownConvert refuses zstd: the fetch answers
// UNSUPPORTED_COMPRESSION_TYPE, after delivering what precedes the zstd batch.
func TestLegacyDownConvertZstd(t *testing.T) {
	zstd := legacyV2Batch(t, legacyV2Spec{base: 5, recs: legacyV2Sample(), codec: kgo.ZstdCompression()})
	before := legacyV2Batch(t, legacyV2Spec{base: 4, recs: []legacyV2Rec{{key: []byte("a"), value: []byte("1"), ts: 5}}, codec: kgo.GzipCompression()})
	after := legacyV2Batch(t, legacyV2Spec{base: 9, recs: []legacyV2Rec{{key: []byte("z"), value: []byte("9"), ts: 9}}})
	for _, magic := range []int8{0, 1} {
		if out, err := DownConvert(zstd, magic, 0); !errors.Is(err, ErrZstdNeedsNewerFetch) || out != nil {
			t.Fatalf("magic %d: zstd batch gives %d bytes, %v; want ErrZstdNeedsNewerFetch", magic, len(out), err)
		}
		got := legacyRecords(t, magic, legacyDownConvert(t, magic, before, zstd, after))
		if len(got) != 1 || got[0].offset != 4 {
			t.Fatalf("magic %d: %+v, want only the record before the zstd batch", magic, got)
		}
	}
}

func TestLegacyDownConvertRefuses(t *testing.T) {
	b := legacyV2Batch(t, legacyV2Spec{base: 0, recs: legacyV2Sample()})
	if _, err := DownConvert(b, 2, 0); err == nil {
		t.Fatal("DownConvert to magic 2 succeeded")
	}
	bad := bytes.Clone(b)
	bad[len(bad)-1] ^= 1
	if _, err := DownConvert(bad, 1, 0); !errors.Is(err, ErrCorruptRecord) {
		t.Fatalf("corrupt batch: %v, want ErrCorruptRecord", err)
	}
}

// Magic 0 LZ4 frames carry the broken header checksum old clients check for; magic 1
// frames the spec one (legacyRecords checks both headers byte for byte).
func TestLegacyDownConvertLZ4HeaderChecksum(t *testing.T) {
	b := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: kgo.Lz4Compression()})
	for magic, want := range map[int8][]byte{0: lz4BrokenHeader, 1: lz4SpecHeader} {
		w := legacyReadSet(t, magic, legacyDownConvert(t, magic, b))[0]
		if !bytes.Equal(w.value[:7], want) {
			t.Fatalf("magic %d: lz4 header % x, want % x", magic, w.value[:7], want)
		}
	}
}

// TestLegacyDownConvertFromFetchOffset: the records of an uncompressed batch below the
// fetch offset are dropped, as Kafka's RecordsUtil does for clients that cannot skip
// them; a compressed batch stays whole.
func TestLegacyDownConvertFromFetchOffset(t *testing.T) {
	plainBatch := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample()})
	set, err := DownConvert(plainBatch, 1, 102)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range legacyReadSet(t, 1, set) {
		got = append(got, m.offset)
	}
	if fmt.Sprint(got) != "[102 103]" {
		t.Fatalf("uncompressed from 102: offsets %v, want [102 103]", got)
	}
	gz := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: kgo.GzipCompression()})
	set, err = DownConvert(gz, 1, 102)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(legacyRecords(t, 1, set)); n != 4 {
		t.Fatalf("compressed from 102: %d records, want the whole batch of 4", n)
	}
}
