package storage

import (
	"fmt"
	"testing"
)

// batchOf returns a ~16 KiB batch of records with valueSize-byte values, the shape a
// producer with batch.size=16384 sends.
func batchOf(b *testing.B, valueSize int) []byte {
	per := 16384 / (valueSize + 8)
	return makeBatch(b, batchSpec{records: per, valueSize: valueSize, timestamp: 1, pid: -1, epoch: -1, seq: -1})
}

// BenchmarkAppend measures the produce path: validate, stamp, one pwrite, index
// bookkeeping. Idempotent variants add the producer-state check.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, idempotent := range []bool{false, true} {
			b.Run(fmt.Sprintf("record=%dB/idempotent=%v", size, idempotent), func(b *testing.B) {
				cfg := testConfig()
				cfg.SegmentBytes = 256 << 20
				l := openLog(b, b.TempDir(), cfg)
				defer l.Close()
				batch := batchOf(b, size)
				if idempotent {
					be.PutUint64(batch[producerIDOff:], 1)
					be.PutUint16(batch[producerEpochOff:], 0)
				}
				records := int32(be.Uint32(batch[recordCountOff:]))
				b.SetBytes(int64(len(batch)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if idempotent {
						be.PutUint32(batch[baseSequenceOff:], uint32(int32(i)*records))
						be.PutUint32(batch[crcOff:], crc32c(batch[attributesOff:]))
					}
					if _, err := l.Append(batch, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRead measures the fetch path: index lookup, header scan, one pread of a
// consumer-sized (1 MiB) chunk or of a single batch, into a fresh or a reused buffer.
func BenchmarkRead(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, bc := range []struct {
			maxBytes int32
			pooled   bool
		}{{1 << 20, false}, {1 << 20, true}, {1, false}, {1, true}} {
			maxBytes := bc.maxBytes
			b.Run(fmt.Sprintf("record=%dB/maxBytes=%d/pooled=%v", size, maxBytes, bc.pooled), func(b *testing.B) {
				l := openLog(b, b.TempDir(), testConfig())
				defer l.Close()
				batch := batchOf(b, size)
				for range 4096 { // 64 MiB
					if _, err := l.Append(batch, 0); err != nil {
						b.Fatal(err)
					}
				}
				leo := l.LogEndOffset()
				b.ReportAllocs()
				b.ResetTimer()
				var total int64
				var buf []byte
				off := int64(0)
				for range b.N {
					if off >= leo {
						off = 0
					}
					data, err := l.ReadInto(buf, off, maxBytes, leo)
					if bc.pooled {
						buf = data[:0]
					}
					if err != nil {
						b.Fatal(err)
					}
					total += int64(len(data))
					off = nextOffset(data)
				}
				b.SetBytes(total / int64(b.N))
			})
		}
	}
}

// nextOffset is the offset after the last batch in data.
func nextOffset(data []byte) int64 {
	var next int64
	for p := 0; p < len(data); {
		h := parseHeader(data[p:])
		next = h.lastOffset() + 1
		p += h.size
	}
	return next
}
