package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// legacySampleSet is what an old producer sends: a key, a null key, a null value and
// empty ones, with magic 1 timestamps out of order. Offsets are what old producers put
// there: 0..n-1 (relative, for a magic 1 wrapper) or anything (magic 0).
func legacySampleSet(magic int8, firstOffset int64) []byte {
	return bytes.Join([][]byte{
		legacyKmsgMessage(magic, firstOffset, 0, 2000, []byte("k0"), []byte("v0")),
		legacyKmsgMessage(magic, firstOffset+1, 0, 2007, nil, []byte("v1")),
		legacyKmsgMessage(magic, firstOffset+2, 0, 2003, []byte("k2"), nil),
		legacyKmsgMessage(magic, firstOffset+3, 0, 2001, []byte{}, []byte{}),
	}, nil)
}

// legacySampleViews is what the up-converted batch must hold for legacySampleSet.
func legacySampleViews(magic int8) []legacyView {
	ts := func(t int64) int64 {
		if magic == 0 {
			return -1
		}
		return t
	}
	return []legacyView{
		legacyAt(0, "k0", "v0", ts(2000)),
		{offset: 1, nullKey: true, value: "v1", timestamp: ts(2007)},
		{offset: 2, key: "k2", nullValue: true, timestamp: ts(2003)},
		legacyAt(3, "", "", ts(2001)),
	}
}

// wrap puts an inner set into one compressed wrapper message, as old producers do.
func legacyWrap(tb testing.TB, magic int8, c kgo.CompressionCodec, id int8, offset, ts int64, inner []byte) []byte {
	tb.Helper()
	return legacyKmsgMessage(magic, offset, id, ts, nil, legacyKgoCompress(tb, c, inner))
}

func legacyUpConvert(tb testing.TB, set []byte) []byte {
	tb.Helper()
	b, err := UpConvertLegacy(set, 0, false)
	if err != nil {
		tb.Fatalf("UpConvertLegacy: %v", err)
	}
	return b
}

func TestLegacyUpConvertEachCodec(t *testing.T) {
	for _, c := range legacyCodecs {
		for _, magic := range []int8{0, 1} {
			t.Run(fmt.Sprintf("%s/magic%d", c.name, magic), func(t *testing.T) {
				set := legacySampleSet(magic, 0)
				if c.id != 0 {
					set = legacyWrap(t, magic, c.kgo, c.id, 3, 2007, set)
				}
				rb, got := legacyV2Records(t, legacyUpConvert(t, set))
				sameInOrder(t, got, legacySampleViews(magic))
				wantFirst, wantMax := int64(2000), int64(2007)
				if magic == 0 {
					wantFirst, wantMax = -1, -1
				}
				if rb.FirstOffset != 0 || rb.LastOffsetDelta != 3 || rb.NumRecords != 4 ||
					rb.FirstTimestamp != wantFirst || rb.MaxTimestamp != wantMax ||
					rb.Attributes != int16(c.id) || rb.PartitionLeaderEpoch != -1 ||
					rb.ProducerID != -1 || rb.ProducerEpoch != -1 || rb.FirstSequence != -1 {
					t.Fatalf("batch header %+v", rb)
				}
			})
		}
	}
}

// Magic 0 wrappers hold absolute inner offsets, magic 1 ones relative offsets with the
// wrapper at the last; either way the batch gets deltas 0..n-1. Plain messages'
// offsets are ignored too.
func TestLegacyUpConvertReassignsOffsets(t *testing.T) {
	for _, magic := range []int8{0, 1} {
		for _, set := range [][]byte{
			legacySampleSet(magic, 500),
			legacyWrap(t, magic, kgo.GzipCompression(), 1, 503, 2007, legacySampleSet(magic, 500)),
			legacyWrap(t, magic, kgo.GzipCompression(), 1, 0, 2007, legacySampleSet(magic, 0)), // librdkafka's zero wrapper offset
		} {
			_, got := legacyV2Records(t, legacyUpConvert(t, set))
			sameInOrder(t, got, legacySampleViews(magic))
		}
	}
}

// With LogAppendTime the batch says so and carries logAppendTime as its max timestamp,
// which is every record's timestamp for its readers.
func TestLegacyUpConvertLogAppendTime(t *testing.T) {
	for _, magic := range []int8{0, 1} {
		b, err := UpConvertLegacy(legacyWrap(t, magic, kgo.SnappyCompression(), 2, 3, 2007, legacySampleSet(magic, 0)), 77777, true)
		if err != nil {
			t.Fatal(err)
		}
		rb, got := legacyV2Records(t, b)
		want := legacySampleViews(magic)
		for i := range want {
			want[i].timestamp, want[i].logAppendTime = 77777, true
		}
		sameInOrder(t, got, want)
		wantFirst := int64(2000) // Kafka keeps the first record's own timestamp as the base
		if magic == 0 {
			wantFirst = -1
		}
		if rb.Attributes != 0x08|2 || rb.MaxTimestamp != 77777 || rb.FirstTimestamp != wantFirst {
			t.Fatalf("attributes %#x first %d max %d, want 0x0a, %d, 77777", rb.Attributes, rb.FirstTimestamp, rb.MaxTimestamp, wantFirst)
		}
	}
}

// Kafka's deep iterator gives the inner messages of a LogAppendTime magic 1 wrapper the
// wrapper's timestamp.
func TestLegacyUpConvertWrapperLogAppendTime(t *testing.T) {
	set := legacyWrap(t, 1, kgo.GzipCompression(), 0x08|1, 3, 5555, legacySampleSet(1, 0))
	_, got := legacyV2Records(t, legacyUpConvert(t, set))
	want := legacySampleViews(1)
	for i := range want {
		want[i].timestamp = 5555
	}
	sameInOrder(t, got, want)
}

// Magic 0 LZ4 frames may carry the broken header checksum (KAFKA-3160) or the spec
// one; magic 1 frames must carry the spec one.
func TestLegacyUpConvertLZ4HeaderChecksum(t *testing.T) {
	frame := func(magic int8, header []byte) []byte {
		f := legacyKafkaLZ4Frame(t, legacySampleSet(magic, 0))
		return append(bytes.Clone(header), f[7:]...)
	}
	for _, tc := range []struct {
		magic  int8
		header []byte
		ok     bool
	}{
		{0, lz4BrokenHeader, true},
		{0, lz4SpecHeader, true},
		{1, lz4SpecHeader, true},
		{1, lz4BrokenHeader, false},
	} {
		set := legacyKmsgMessage(tc.magic, 3, 3, 2007, nil, frame(tc.magic, tc.header))
		orig := bytes.Clone(set)
		b, err := UpConvertLegacy(set, 0, false)
		if !tc.ok {
			if !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("magic %d header % x: %v, want ErrCorruptRecord", tc.magic, tc.header, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("magic %d header % x: %v", tc.magic, tc.header, err)
		}
		if !bytes.Equal(set, orig) {
			t.Fatal("UpConvertLegacy modified its input")
		}
		_, got := legacyV2Records(t, b)
		sameInOrder(t, got, legacySampleViews(tc.magic))
	}
}

func TestLegacyUpConvertRefuses(t *testing.T) {
	msg := func(magic int8, offset int64) []byte {
		return legacyKmsgMessage(magic, offset, 0, 100, []byte("k"), []byte("v"))
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x40
		return b
	}
	// recrc recomputes the CRC of a single-entry set after an edit.
	recrc := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b[12:], crc32.ChecksumIEEE(b[16:]))
		return b
	}
	// entry frames a message body (magic onwards) with a correct size and CRC.
	entry := func(body ...byte) []byte {
		b := binary.BigEndian.AppendUint32(make([]byte, 8), uint32(4+len(body)))
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
		return append(b, body...)
	}
	gz := func(magic int8, offset int64, inner []byte) []byte {
		return legacyWrap(t, magic, kgo.GzipCompression(), 1, offset, 100, inner)
	}
	set := legacySampleSet(1, 0)
	// Each case names the check that must refuse it.
	cases := []struct {
		name, want string
		set        []byte
	}{
		{"empty set", "empty message set", nil},
		{"crc mismatch", "crc", flip(set, len(set)-1)},
		{"crc field corrupt", "crc", flip(set, 13)},
		{"truncated", "only 21 bytes left", set[:len(set)-1]},
		{"truncated entry header", "too few for an entry header", append(msg(1, 0), 0, 0, 0)},
		{"size below minimum", "below the minimum 14", func() []byte {
			b := msg(0, 0)
			binary.BigEndian.PutUint32(b[8:], 13)
			return b
		}()},
		{"magic 2", "magic 2 is not a legacy format", recrc(func() []byte { b := msg(1, 0); b[16] = 2; return b }())},
		{"magic 1 too short", "below the magic 1 minimum", entry(1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)},
		{"key length past end", "key: length", recrc(func() []byte { b := msg(0, 0); b[19] = 9; return b }())},
		{"bytes after value", "1 bytes after the value", recrc(func() []byte { b := append(msg(0, 0), 0); b[11]++; return b }())},
		{"negative timestamp", "timestamp -5", legacyKmsgMessage(1, 0, 0, -5, nil, []byte("v"))},
		{"mixed magic", "has magic 1, the first one 0", append(msg(0, 0), msg(1, 1)...)},
		{"wrapper with others", "shares its set", append(gz(1, 0, msg(1, 0)), msg(1, 1)...)},
		{"inner compressed", "is itself compressed", gz(1, 0, gz(1, 0, msg(1, 0)))},
		{"inner crc mismatch", "inner message of the wrapper at offset 0: corrupt record batch: message at offset 0: crc", gz(1, 0, flip(msg(1, 0), 30))},
		{"inner truncated", "only 8 bytes left", gz(1, 0, msg(1, 0)[:20])},
		{"inner magic differs", "its inner message at offset 0 magic 0", gz(1, 0, msg(0, 0))},
		{"empty wrapper", "holds no messages", gz(1, 0, nil)},
		{"null wrapper value", "null value", legacyKmsgMessage(1, 0, 1, 100, nil, nil)},
		{"garbage wrapper value", "gzip", legacyKmsgMessage(1, 0, 1, 100, nil, []byte("not gzip"))},
		{"wrapper below inner", "wrapper offset 1 is below its last inner offset 3", gz(1, 1, legacySampleSet(1, 0))},
		{"zstd wrapper", "codec 4 is not allowed with magic 1", legacyKmsgMessage(1, 0, 4, 100, nil, legacyKgoCompress(t, kgo.ZstdCompression(), msg(1, 0)))},
		{"unknown codec", "codec 5 is not allowed", legacyKmsgMessage(1, 0, 5, 100, nil, []byte("x"))},
		{"magic 0 lz4 not a frame", "lz4: not a frame", legacyKmsgMessage(0, 0, 3, 100, nil, []byte("abc"))},
	}
	for _, tc := range cases {
		b, err := UpConvertLegacy(tc.set, 0, false)
		if !errors.Is(err, ErrCorruptRecord) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %d bytes, %v; want ErrCorruptRecord for %q", tc.name, len(b), err, tc.want)
		}
	}
}

// FuzzUpConvertLegacy feeds arbitrary message sets, as a Produce v0-2 request carries
// them, to the up-converter: it returns an error or one valid v2 batch, never panics.
func FuzzUpConvertLegacy(f *testing.F) {
	for _, magic := range []int8{0, 1} {
		set := legacyKmsgMessage(magic, 0, 0, 1000, []byte("k"), []byte("v"))
		f.Add(set)
		f.Add(legacyKmsgMessage(magic, 0, 1, 1000, nil, legacyKgoCompress(f, kgo.GzipCompression(), set)))
	}
	f.Fuzz(func(t *testing.T, set []byte) {
		b, err := UpConvertLegacy(set, 1000, false)
		if err != nil {
			return
		}
		if err := checkBatch(b); err != nil {
			t.Fatalf("up-converted batch fails its own checks: %v", err)
		}
	})
}
