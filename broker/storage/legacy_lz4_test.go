package storage

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// The header checksum follows the optional content size and dictionary id.
func TestLegacyLZ4ChecksumPos(t *testing.T) {
	frame := func(flg byte, n int) []byte {
		return append([]byte{0x04, 0x22, 0x4d, 0x18, flg, 0x40}, make([]byte, n)...)
	}
	for _, tc := range []struct {
		frame []byte
		want  int
	}{
		{frame(0x60, 1), 6},
		{frame(0x68, 9), 14},
		{frame(0x61, 5), 10},
		{frame(0x69, 13), 18},
		{frame(0x68, 8), -1}, // no room for the checksum
		{frame(0x60, 0), -1},
		{append([]byte{0x02, 0x21, 0x4c, 0x18}, 0x60, 0x40, 0x82), -1}, // the legacy LZ4 magic
	} {
		pos, err := lz4ChecksumPos(tc.frame)
		if tc.want < 0 {
			if !errors.Is(err, errLZ4Frame) {
				t.Errorf("% x: %d, %v; want errLZ4Frame", tc.frame, pos, err)
			}
			continue
		}
		if err != nil || pos != tc.want {
			t.Errorf("% x: %d, %v; want %d", tc.frame, pos, err, tc.want)
		}
	}
}

// A frame declaring its content size, whose checksum covers it, survives breaking its
// checksum and having it restored; the LZ4 package reads the result.
func TestLegacyLZ4ChecksumWithContentSize(t *testing.T) {
	src := bytes.Repeat([]byte("kafka "), 100)
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(lz4.SizeOption(uint64(len(src)))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(src); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	orig := buf.Bytes()
	broken := bytes.Clone(orig)
	if err := breakLZ4Checksum(broken); err != nil {
		t.Fatal(err)
	}
	if broken[14] == orig[14] || !bytes.Equal(broken[:14], orig[:14]) || !bytes.Equal(broken[15:], orig[15:]) {
		t.Fatalf("breaking changed % x to % x, want only byte 14 changed", orig[:15], broken[:15])
	}
	fixed, err := withSpecLZ4Checksum(broken)
	if err != nil || !bytes.Equal(fixed, orig) {
		t.Fatalf("restored % x, %v; want % x", fixed[:15], err, orig[:15])
	}
	got, err := decompress(codecLz4, fixed)
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("decompress restored frame: %v", err)
	}
}
