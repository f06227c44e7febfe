package kwire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// maxReusedFrame bounds the request buffer an idle connection keeps allocated.
const maxReusedFrame = 4 << 20

// FrameReader reads size-prefixed request frames from one connection, refusing a
// size outside [8, socket.request.max.bytes] before allocating anything (a header
// alone is 8 bytes), and reusing one buffer: handlers must not keep a frame's bytes
// past their request.
type FrameReader struct {
	r       *bufio.Reader
	maxSize int32
	buf     []byte
}

// NewFrameReader reads frames from r; maxSize is socket.request.max.bytes.
func NewFrameReader(r io.Reader, maxSize int32) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10), maxSize: maxSize}
}

// ErrFrameSize is Next's error for a size out of range; the connection is closed, as
// Kafka closes it (InvalidReceiveException).
type ErrFrameSize struct{ Size, Max int32 }

func (e *ErrFrameSize) Error() string {
	return fmt.Sprintf("request size %d out of range (socket.request.max.bytes %d)", e.Size, e.Max)
}

// Next returns the next frame, valid until the following call; io.EOF at a clean end.
func (f *FrameReader) Next() ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(f.r, size[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(size[:]))
	if n < 8 || n > f.maxSize {
		return nil, &ErrFrameSize{Size: n, Max: f.maxSize}
	}
	buf := f.buffer(int(n))
	if _, err := io.ReadFull(f.r, buf); err != nil {
		return nil, fmt.Errorf("connection closed mid-request: %w", err)
	}
	return buf, nil
}

// Buffered is how many bytes past the last frame have been read from the connection
// already; a caller that hands the connection on to another protocol must not lose
// them.
func (f *FrameReader) Buffered() int { return f.r.Buffered() }

// buffer returns a buffer for one frame, reusing the last one when it is large
// enough: zeroing a fresh buffer per request costs more than the parse.
func (f *FrameReader) buffer(size int) []byte {
	if size <= cap(f.buf) {
		return f.buf[:size]
	}
	buf := make([]byte, size)
	if size <= maxReusedFrame {
		f.buf = buf
	}
	return buf
}
