package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
)

// LZ4 frames in magic 0 messages carry a wrong header checksum (KAFKA-3160): Kafka's
// first LZ4 support hashed the frame's magic number along with its descriptor, against
// the LZ4 frame format. KIP-57 fixed it together with message format v1, so magic 0
// data keeps the broken checksum and the clients that read magic 0 (0.8 and 0.9) insist
// on it. Kafka 3.9 follows suit: Lz4BlockInputStream ignores the checksum for magic 0
// and Lz4BlockOutputStream writes the broken one for magic 0.

const lz4FrameMagic = 0x184D2204

// LZ4 frame descriptor flags that add fields before the header checksum.
const (
	lz4FlagContentSize = 0x08 // an 8-byte content size
	lz4FlagDictID      = 0x01 // a 4-byte dictionary id
)

var errLZ4Frame = errors.New("lz4: not a frame with a complete descriptor")

// lz4ChecksumPos returns the index of the header checksum byte of an LZ4 frame.
func lz4ChecksumPos(frame []byte) (int, error) {
	if len(frame) < 7 || binary.LittleEndian.Uint32(frame) != lz4FrameMagic {
		return 0, errLZ4Frame
	}
	pos := 6 // magic, FLG, BD
	if frame[4]&lz4FlagContentSize != 0 {
		pos += 8
	}
	if frame[4]&lz4FlagDictID != 0 {
		pos += 4
	}
	if pos >= len(frame) {
		return 0, errLZ4Frame
	}
	return pos, nil
}

// withSpecLZ4Checksum returns a copy of a magic 0 LZ4 frame carrying the checksum the
// frame format specifies, whatever checksum it had. Like Kafka, which skips the check
// for magic 0, it accepts the broken checksum and the correct one alike; the copy is
// what lets the spec-following decoder read it.
func withSpecLZ4Checksum(frame []byte) ([]byte, error) {
	pos, err := lz4ChecksumPos(frame)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(frame)
	out[pos] = lz4HeaderChecksum(out[4:pos])
	return out, nil
}

// breakLZ4Checksum overwrites a frame's header checksum with the one magic 0 readers
// expect: computed from the start of the frame, magic number included.
func breakLZ4Checksum(frame []byte) error {
	pos, err := lz4ChecksumPos(frame)
	if err != nil {
		return err
	}
	frame[pos] = lz4HeaderChecksum(frame[:pos])
	return nil
}

// lz4HeaderChecksum is the frame format's header checksum: the second byte of the
// xxHash32 of the hashed bytes.
func lz4HeaderChecksum(b []byte) byte { return byte(xxh32(b) >> 8) }

const (
	xxhPrime1 uint32 = 2654435761
	xxhPrime2 uint32 = 2246822519
	xxhPrime3 uint32 = 3266489917
	xxhPrime4 uint32 = 668265263
	xxhPrime5 uint32 = 374761393
)

// xxh32 is xxHash32 with seed 0, the hash LZ4 frames use. The LZ4 package keeps its own
// implementation internal.
func xxh32(b []byte) uint32 {
	n := uint32(len(b))
	var h uint32
	if len(b) >= 16 {
		p1 := xxhPrime1 // a variable, so that the seeds wrap as the algorithm wants
		v := [4]uint32{p1 + xxhPrime2, xxhPrime2, 0, -p1}
		for ; len(b) >= 16; b = b[16:] {
			for i := range v {
				v[i] = bits.RotateLeft32(v[i]+binary.LittleEndian.Uint32(b[4*i:])*xxhPrime2, 13) * xxhPrime1
			}
		}
		h = bits.RotateLeft32(v[0], 1) + bits.RotateLeft32(v[1], 7) + bits.RotateLeft32(v[2], 12) + bits.RotateLeft32(v[3], 18)
	} else {
		h = xxhPrime5
	}
	h += n
	for ; len(b) >= 4; b = b[4:] {
		h = bits.RotateLeft32(h+binary.LittleEndian.Uint32(b)*xxhPrime3, 17) * xxhPrime4
	}
	for _, c := range b {
		h = bits.RotateLeft32(h+uint32(c)*xxhPrime5, 11) * xxhPrime1
	}
	h ^= h >> 15
	h *= xxhPrime2
	h ^= h >> 13
	h *= xxhPrime3
	h ^= h >> 16
	return h
}
