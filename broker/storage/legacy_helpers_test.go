package storage

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The legacy tests build their inputs and read their outputs with franz-go (kmsg for
// the wire structures, kgo for the codecs), so that the conversions are checked against
// another implementation of the formats rather than against themselves.

// legacyView is a record as a client sees it; null keys and values are kept apart from
// empty ones.
type legacyView struct {
	offset             int64
	key, value         string
	nullKey, nullValue bool
	timestamp          int64
	logAppendTime      bool
}

func legacyAt(offset int64, key, value string, ts int64) legacyView {
	return legacyView{offset: offset, key: key, value: value, timestamp: ts}
}

// legacyV2Rec is one record of a test batch at offset base+delta with an absolute timestamp.
type legacyV2Rec struct {
	delta      int32
	key, value []byte // nil: null
	ts         int64
	headers    []kmsg.Header
}

type legacyV2Spec struct {
	base          int64
	recs          []legacyV2Rec
	codec         kgo.CompressionCodec
	logAppendTime int64 // > 0: a LogAppendTime batch with this max timestamp
	control       bool
}

// legacyV2Batch builds a stored batch with kmsg and kgo's compressors.
func legacyV2Batch(tb testing.TB, s legacyV2Spec) []byte {
	tb.Helper()
	var recs []byte
	maxTs, lastDelta := int64(-1), int32(0)
	for _, r := range s.recs {
		rec := kmsg.Record{
			TimestampDelta64: r.ts - s.recs[0].ts, OffsetDelta: r.delta,
			Key: r.key, Value: r.value, Headers: r.headers,
		}
		rec.Length = int32(len(rec.AppendTo(nil)) - 1)
		recs = rec.AppendTo(recs)
		maxTs, lastDelta = max(maxTs, r.ts), r.delta
	}
	var attrs int16
	if comp, err := kgo.DefaultCompressor(s.codec); err != nil {
		tb.Fatal(err)
	} else if comp != nil {
		out, codec := comp.Compress(new(bytes.Buffer), recs)
		if codec < 0 {
			tb.Fatalf("compress with %v failed", s.codec)
		}
		recs, attrs = bytes.Clone(out), int16(codec)
	}
	if s.logAppendTime > 0 {
		attrs |= 0x08
		maxTs = s.logAppendTime
	}
	if s.control {
		attrs |= 0x30 // transactional control batch
	}
	var firstTs int64 = -1
	if len(s.recs) > 0 {
		firstTs = s.recs[0].ts
	}
	b := kmsg.RecordBatch{
		FirstOffset: s.base, PartitionLeaderEpoch: 3, Magic: 2, Attributes: attrs,
		LastOffsetDelta: lastDelta, FirstTimestamp: firstTs, MaxTimestamp: maxTs,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1,
		NumRecords: int32(len(s.recs)), Records: recs,
	}
	if s.control {
		b.ProducerID, b.ProducerEpoch = 7, 0
	}
	b.Length = int32(batchHeaderSize - logOverhead + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[crcOff:], crc32.Checksum(raw[attributesOff:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// legacyKmsgMessage encodes one legacy message with kmsg, filling in the size and CRC as an
// old producer does.
func legacyKmsgMessage(magic int8, offset int64, attrs int8, ts int64, key, value []byte) []byte {
	var raw []byte
	if magic == 0 {
		m := kmsg.MessageV0{Offset: offset, Magic: 0, Attributes: attrs, Key: key, Value: value}
		raw = m.AppendTo(nil)
	} else {
		m := kmsg.MessageV1{Offset: offset, Magic: magic, Attributes: attrs, Timestamp: ts, Key: key, Value: value}
		raw = m.AppendTo(nil)
	}
	binary.BigEndian.PutUint32(raw[8:], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[12:], crc32.ChecksumIEEE(raw[16:]))
	return raw
}

// legacyKgoCompress compresses with franz-go's producer codecs.
func legacyKgoCompress(tb testing.TB, codec kgo.CompressionCodec, src []byte) []byte {
	tb.Helper()
	comp, err := kgo.DefaultCompressor(codec)
	if err != nil {
		tb.Fatal(err)
	}
	out, c := comp.Compress(new(bytes.Buffer), src)
	if c < 0 {
		tb.Fatalf("compress with %v failed", codec)
	}
	return bytes.Clone(out)
}

// legacyKafkaLZ4Frame compresses src as Kafka's Lz4BlockOutputStream does (64 KiB blocks, no
// content checksum), leaving the spec header checksum 0x82 in byte 6.
func legacyKafkaLZ4Frame(tb testing.TB, src []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false)); err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(src); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.Equal(out[:7], lz4SpecHeader) {
		tb.Fatalf("lz4 header % x, want % x", out[:7], lz4SpecHeader)
	}
	return out
}

// The frame header of Kafka's LZ4 output: magic, FLG (version 1, independent blocks),
// BD (64 KiB), then the header checksum — the spec's xxHash32 of FLG and BD (0x82), or
// for magic 0 the broken one of magic, FLG and BD (0x1a), both computed with the LZ4
// package's own xxHash32.
var (
	lz4SpecHeader   = []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82}
	lz4BrokenHeader = []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x1a}
)

// legacyEntry is one decoded entry of a legacy message set.
type legacyEntry struct {
	offset     int64
	magic      int8
	attrs      int8
	timestamp  int64
	key, value []byte
}

// legacyReadSet decodes a message set with kmsg, checking every entry's size field, CRC
// and magic on the way, as an old client does.
func legacyReadSet(tb testing.TB, magic int8, set []byte) []legacyEntry {
	tb.Helper()
	var out []legacyEntry
	for len(set) > 0 {
		if len(set) < 12 {
			tb.Fatalf("%d trailing bytes", len(set))
		}
		n := 12 + int(int32(binary.BigEndian.Uint32(set[8:])))
		if n > len(set) {
			tb.Fatalf("entry of %d bytes, %d left", n, len(set))
		}
		raw := set[:n]
		set = set[n:]
		if got, want := binary.BigEndian.Uint32(raw[12:]), crc32.ChecksumIEEE(raw[16:]); got != want {
			tb.Fatalf("entry crc %08x, want %08x", got, want)
		}
		var e legacyEntry
		if magic == 0 {
			var m kmsg.MessageV0
			if err := m.ReadFrom(raw); err != nil {
				tb.Fatalf("kmsg.MessageV0: %v", err)
			}
			e = legacyEntry{m.Offset, m.Magic, m.Attributes, -1, m.Key, m.Value}
		} else {
			var m kmsg.MessageV1
			if err := m.ReadFrom(raw); err != nil {
				tb.Fatalf("kmsg.MessageV1: %v", err)
			}
			e = legacyEntry{m.Offset, m.Magic, m.Attributes, m.Timestamp, m.Key, m.Value}
		}
		if e.magic != magic {
			tb.Fatalf("entry magic %d, want %d", e.magic, magic)
		}
		out = append(out, e)
	}
	return out
}

// legacyRecords reads a message set as an old consumer does: wrappers decompressed
// with franz-go's decompressor (a magic 0 LZ4 frame must carry the broken checksum,
// which is replaced by the spec one for the spec-following decoder), magic 1 inner
// offsets made absolute from the wrapper's, LogAppendTime wrappers' timestamps given to
// their inner messages.
func legacyRecords(tb testing.TB, magic int8, set []byte) []legacyView {
	tb.Helper()
	var out []legacyView
	for _, w := range legacyReadSet(tb, magic, set) {
		codec := w.attrs & 0x07
		if codec == 0 {
			out = append(out, legacyViewOf(w, w.offset, w.timestamp))
			continue
		}
		value := w.value
		if codec == 3 {
			want := lz4SpecHeader
			if magic == 0 {
				want = lz4BrokenHeader
			}
			if !bytes.Equal(value[:7], want) {
				tb.Fatalf("magic %d lz4 header % x, want % x", magic, value[:7], want)
			}
			value = append(bytes.Clone(lz4SpecHeader), value[7:]...)
		}
		data, err := kgo.DefaultDecompressor().Decompress(value, kgo.CompressionCodecType(codec))
		if err != nil {
			tb.Fatalf("decompress wrapper at %d: %v", w.offset, err)
		}
		inner := legacyReadSet(tb, magic, data)
		for _, m := range inner {
			if m.attrs&0x07 != 0 {
				tb.Fatalf("inner message at %d is compressed", m.offset)
			}
			off := m.offset
			if magic == 1 {
				off = w.offset - inner[len(inner)-1].offset + m.offset
			}
			v := legacyViewOf(m, off, m.timestamp)
			if w.attrs&0x08 != 0 {
				v.timestamp, v.logAppendTime = w.timestamp, true
			}
			out = append(out, v)
		}
	}
	return out
}

func legacyViewOf(e legacyEntry, offset, ts int64) legacyView {
	return legacyView{
		offset: offset, key: string(e.key), value: string(e.value),
		nullKey: e.key == nil, nullValue: e.value == nil,
		timestamp: ts, logAppendTime: e.magic > 0 && e.attrs&0x08 != 0,
	}
}

// legacyV2Records reads a batch as a v2 consumer does, after the framing checks the log's
// append makes; offsets are the batch's own (base offset 0 before the log assigns).
func legacyV2Records(tb testing.TB, b []byte) (kmsg.RecordBatch, []legacyView) {
	tb.Helper()
	if _, err := checkProducedBatch(b); err != nil {
		tb.Fatalf("up-converted batch fails the append checks: %v", err)
	}
	var rb kmsg.RecordBatch
	if err := rb.ReadFrom(b); err != nil {
		tb.Fatalf("kmsg.RecordBatch: %v", err)
	}
	data, err := kgo.DefaultDecompressor().Decompress(rb.Records, kgo.CompressionCodecType(rb.Attributes&0x07))
	if err != nil {
		tb.Fatalf("decompress batch: %v", err)
	}
	var out []legacyView
	for range rb.NumRecords {
		var r kmsg.Record
		if err := r.ReadFrom(data); err != nil {
			tb.Fatalf("kmsg.Record: %v", err)
		}
		if len(r.Headers) != 0 {
			tb.Fatalf("record at delta %d has %d headers", r.OffsetDelta, len(r.Headers))
		}
		data = data[len(binary.AppendVarint(nil, int64(r.Length)))+int(r.Length):]
		ts := rb.FirstTimestamp + r.TimestampDelta64
		lat := rb.Attributes&0x08 != 0
		if lat {
			ts = rb.MaxTimestamp
		}
		out = append(out, legacyView{
			offset: rb.FirstOffset + int64(r.OffsetDelta), key: string(r.Key), value: string(r.Value),
			nullKey: r.Key == nil, nullValue: r.Value == nil, timestamp: ts, logAppendTime: lat,
		})
	}
	if len(data) != 0 {
		tb.Fatalf("%d bytes after the records", len(data))
	}
	return rb, out
}

// legacyCodecs are the codecs message formats v0 and v1 know, with kbridge's ids.
var legacyCodecs = []struct {
	name string
	kgo  kgo.CompressionCodec
	id   int8
}{
	{"none", kgo.NoCompression(), 0},
	{"gzip", kgo.GzipCompression(), 1},
	{"snappy", kgo.SnappyCompression(), 2},
	{"lz4", kgo.Lz4Compression(), 3},
}
