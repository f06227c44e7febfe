package storage

import (
	"bytes"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// decompressLegacy inflates the inner message set of a compressed magic 0 or 1 wrapper,
// bounded like every batch the broker inflates (maxDecompressedBatch). Kafka's
// Compression.wrapForInput reads gzip, snappy (xerial framed or raw) and LZ4 for these
// formats; zstd, which needs magic 2, is refused by the caller.
func decompressLegacy(wrapper *legacyMessage) ([]byte, error) {
	src := wrapper.value
	if wrapper.codec() == codecLz4 && wrapper.magic == 0 {
		var err error
		if src, err = withSpecLZ4Checksum(src); err != nil {
			return nil, err
		}
	}
	return decompress(wrapper.codec(), src)
}

// compressLegacy compresses an inner message set for a magic 0 or 1 wrapper as Kafka's
// Compression.wrapForOutput does for that magic. LZ4 needs its own framing: Kafka's
// Lz4BlockOutputStream writes 64 KiB independent blocks without a content checksum
// (which the 0.9 clients' KafkaLZ4BlockInputStream refuses), with the broken header
// checksum for magic 0.
func compressLegacy(codec int, magic int8, src []byte) ([]byte, error) {
	if codec != codecLz4 {
		return compress(codec, src)
	}
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false)); err != nil {
		return nil, fmt.Errorf("lz4: %w", err)
	}
	if _, err := w.Write(src); err != nil {
		return nil, fmt.Errorf("lz4: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("lz4: %w", err)
	}
	out := buf.Bytes()
	if magic == 0 {
		if err := breakLZ4Checksum(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}
