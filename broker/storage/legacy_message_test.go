package storage

import (
	"bytes"
	"testing"
)

// The encoder's bytes must be what kmsg encodes (and so what old clients parse), CRC
// included, and the decoder must read kmsg's bytes back.
func TestLegacyMessageMatchesKmsg(t *testing.T) {
	for _, m := range []legacyMessage{
		{offset: 42, magic: 0, key: []byte("key"), value: []byte("value"), timestamp: legacyNoTimestamp},
		{offset: 7, magic: 0, attributes: 2, value: []byte{}, timestamp: legacyNoTimestamp},
		{offset: 1 << 40, magic: 1, attributes: 0x08, timestamp: 1700000000123, key: []byte{}},
		{offset: 0, magic: 1, timestamp: legacyNoTimestamp, key: []byte("k"), value: bytes.Repeat([]byte("v"), 300)},
	} {
		want := legacyKmsgMessage(m.magic, m.offset, m.attributes, m.timestamp, m.key, m.value)
		got := appendLegacyMessage([]byte("prefix"), &m)
		if !bytes.Equal(got[6:], want) {
			t.Fatalf("magic %d: encoded\n % x\nkmsg encodes\n % x", m.magic, got[6:], want)
		}
		back, n, err := readLegacyMessage(append(bytes.Clone(want), 0xee))
		if err != nil {
			t.Fatalf("magic %d: %v", m.magic, err)
		}
		if n != len(want) || back.offset != m.offset || back.magic != m.magic || back.attributes != m.attributes ||
			back.timestamp != m.timestamp || !legacySameNullable(back.key, m.key) || !legacySameNullable(back.value, m.value) {
			t.Fatalf("read back %+v (%d bytes), want %+v (%d bytes)", back, n, m, len(want))
		}
	}
}

// legacySameNullable tells null from empty.
func legacySameNullable(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// xxHash32 against the reference's published values and those of the LZ4 package.
func TestLegacyXXH32(t *testing.T) {
	for in, want := range map[string]uint32{
		"": 0x02cc5d05,
		"Nobody inspects the spammish repetition": 0xe2293b2f,
		"\x04\x22\x4d\x18\x60\x40":                0xc8581a3a,
		"\x60\x40":                                0x301a8268,
		"\x64\x40":                                0x95c0a77c,
	} {
		if got := xxh32([]byte(in)); got != want {
			t.Errorf("xxh32(%q) = %08x, want %08x", in, got, want)
		}
	}
}
