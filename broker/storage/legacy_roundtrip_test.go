package storage

import (
	"fmt"
	"testing"
)

// A stored batch sent to an old consumer and produced back by an old producer keeps
// its keys, values and (magic 1) timestamps; magic 0 has no timestamps, so they come
// back as -1. Offsets are reassigned from 0, as for any produced batch.
func TestLegacyRoundTrip(t *testing.T) {
	for _, c := range legacyCodecs {
		for _, magic := range []int8{0, 1} {
			t.Run(fmt.Sprintf("%s/magic%d", c.name, magic), func(t *testing.T) {
				stored := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: c.kgo})
				set := legacyDownConvert(t, magic, stored)
				back, err := UpConvertLegacy(set, 0, false)
				if err != nil {
					t.Fatalf("UpConvertLegacy: %v", err)
				}
				rb, got := legacyV2Records(t, back)
				want := legacyV2SampleViews(magic)
				for i := range want {
					want[i].offset -= 100
				}
				sameInOrder(t, got, want)
				if rb.Attributes != int16(c.id) {
					t.Fatalf("attributes %#x, want codec %d kept", rb.Attributes, c.id)
				}
			})
		}
	}
}

// A LogAppendTime batch read by a magic 1 consumer and produced back keeps the append
// time as every record's CreateTime.
func TestLegacyRoundTripLogAppendTime(t *testing.T) {
	for _, c := range legacyCodecs {
		stored := legacyV2Batch(t, legacyV2Spec{base: 100, recs: legacyV2Sample(), codec: c.kgo, logAppendTime: 4242})
		back, err := UpConvertLegacy(legacyDownConvert(t, 1, stored), 0, false)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rb, got := legacyV2Records(t, back)
		want := legacyV2SampleViews(1)
		for i := range want {
			want[i].offset -= 100
			want[i].timestamp = 4242
		}
		sameInOrder(t, got, want)
		if rb.Attributes&0x08 != 0 || rb.MaxTimestamp != 4242 {
			t.Fatalf("%s: attributes %#x max timestamp %d, want CreateTime 4242", c.name, rb.Attributes, rb.MaxTimestamp)
		}
	}
}
