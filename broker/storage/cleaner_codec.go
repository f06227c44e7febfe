package storage

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Kafka's compression codec ids, the low three bits of a batch's attributes.
const (
	codecNone   = 0
	codecGzip   = 1
	codecSnappy = 2
	codecLz4    = 3
	codecZstd   = 4
)

// maxDecompressedBatch bounds what one batch may inflate to. Only the cleaner and
// ValidateCompactedBatch decompress, and a producer's batch that claims more is a
// decompression bomb rather than data: max.message.bytes limits the compressed size
// to about a megabyte.
const maxDecompressedBatch = 128 << 20

var errDecompressedTooLarge = fmt.Errorf("batch decompresses to more than %d bytes", maxDecompressedBatch)

// xerialMagic starts snappy data framed the way the Java producer writes it
// (snappy-java's SnappyOutputStream); other clients send one raw snappy block.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

// xerialBlockSize is the block size snappy-java writes, kept so the Java consumer's
// buffers fit what we recompress.
const xerialBlockSize = 32 << 10

type zstdCoder struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// zstdCoders is built once: EncodeAll and DecodeAll are safe for concurrent use, so
// one encoder and one decoder serve every partition.
var zstdCoders = sync.OnceValues(func() (zstdCoder, error) {
	enc, errEnc := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(64<<10))
	dec, errDec := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecompressedBatch))
	if err := errors.Join(errEnc, errDec); err != nil {
		return zstdCoder{}, fmt.Errorf("zstd: %w", err)
	}
	return zstdCoder{enc: enc, dec: dec}, nil
})

// decompress inflates a batch's records section.
func decompress(codec int, src []byte) ([]byte, error) {
	switch codec {
	case codecNone:
		return src, nil
	case codecGzip:
		r, err := gzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return readBounded(r, "gzip")
	case codecSnappy:
		return decompressSnappy(src)
	case codecLz4:
		return readBounded(lz4.NewReader(bytes.NewReader(src)), "lz4")
	case codecZstd:
		z, err := zstdCoders()
		if err != nil {
			return nil, err
		}
		out, err := z.dec.DecodeAll(src, nil)
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown compression codec %d", codec)
}

func readBounded(r io.Reader, name string) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, maxDecompressedBatch+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) > maxDecompressedBatch {
		return nil, fmt.Errorf("%s: %w", name, errDecompressedTooLarge)
	}
	return out, nil
}

func decompressSnappy(src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, xerialMagic) {
		return decodeSnappyBlock(nil, src)
	}
	if len(src) < 16 {
		return nil, errors.New("snappy: truncated xerial header")
	}
	var out []byte
	for rest := src[16:]; len(rest) > 0; {
		if len(rest) < 4 {
			return nil, errors.New("snappy: truncated xerial block length")
		}
		n := be.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return nil, errors.New("snappy: xerial block longer than the data")
		}
		var err error
		if out, err = decodeSnappyBlock(out, rest[:n]); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return out, nil
}

// decodeSnappyBlock appends one raw snappy block to dst, checking the length the block
// claims before allocating it.
func decodeSnappyBlock(dst, block []byte) ([]byte, error) {
	n, err := s2.DecodedLen(block)
	if err != nil {
		return nil, fmt.Errorf("snappy: %w", err)
	}
	if n > maxDecompressedBatch-len(dst) {
		return nil, fmt.Errorf("snappy: %w", errDecompressedTooLarge)
	}
	out, err := s2.Decode(nil, block)
	if err != nil {
		return nil, fmt.Errorf("snappy: %w", err)
	}
	return append(dst, out...), nil
}

// compress deflates a records section with the codec its batch was produced with, in
// the framing Kafka's own producer uses for it.
func compress(codec int, src []byte) ([]byte, error) {
	switch codec {
	case codecNone:
		return src, nil
	case codecGzip:
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(src); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return buf.Bytes(), nil
	case codecSnappy:
		out := append([]byte(nil), xerialMagic...)
		out = be.AppendUint32(be.AppendUint32(out, 1), 1) // xerial version, minimum compatible version
		for len(src) > 0 {
			n := min(len(src), xerialBlockSize)
			block := s2.EncodeSnappy(nil, src[:n])
			out = append(be.AppendUint32(out, uint32(len(block))), block...)
			src = src[n:]
		}
		return out, nil
	case codecLz4:
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if _, err := w.Write(src); err != nil {
			return nil, fmt.Errorf("lz4: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("lz4: %w", err)
		}
		return buf.Bytes(), nil
	case codecZstd:
		z, err := zstdCoders()
		if err != nil {
			return nil, err
		}
		return z.enc.EncodeAll(src, nil), nil
	}
	return nil, fmt.Errorf("unknown compression codec %d", codec)
}
