package group

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestPartitionForMatchesJava(t *testing.T) {
	// Hash values are Java's String.hashCode; "polygenelubricants" hashes to
	// Integer.MIN_VALUE, where Kafka's Utils.abs (n & 0x7fffffff) differs from Math.abs.
	for _, tc := range []struct {
		group     string
		hash      int32
		partition int32
	}{
		{"my-group", -1906497762, 36},
		{"console-consumer-12345", 158455506, 6},
		{"", 0, 0},
		{"a", 97, 47},
		{"group-€", 293435614, 14},
		{"emoji-😀", 1164511306, 6}, // a surrogate pair in UTF-16
		{"polygenelubricants", -2147483648, 0},
	} {
		if h := JavaStringHashCode(tc.group); h != tc.hash {
			t.Errorf("JavaStringHashCode(%q) = %d, want %d", tc.group, h, tc.hash)
		}
		if p := PartitionFor(tc.group, 50); p != tc.partition {
			t.Errorf("PartitionFor(%q, 50) = %d, want %d", tc.group, p, tc.partition)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRecordLayoutsAreKafkas(t *testing.T) {
	key := EncodeOffsetKey(OffsetKey{Group: "g", Topic: "t", Partition: 3})
	// version 1 | group "g" | topic "t" | partition 3
	if want := mustHex(t, "0001"+"000167"+"000174"+"00000003"); !bytes.Equal(key, want) {
		t.Errorf("OffsetCommitKey v1 = %x, want %x", key, want)
	}
	val := EncodeOffsetValue(CommittedOffset{Offset: 42, LeaderEpoch: 5, Metadata: "m", CommitTimestamp: 1000, ExpireTimestamp: -1})
	// version 3 | offset 42 | leader epoch 5 | metadata "m" | commit timestamp 1000
	if want := mustHex(t, "0003"+"000000000000002a"+"00000005"+"00016d"+"00000000000003e8"); !bytes.Equal(val, want) {
		t.Errorf("OffsetCommitValue v3 = %x, want %x", val, want)
	}
	v1 := EncodeOffsetValue(CommittedOffset{Offset: 1, LeaderEpoch: -1, CommitTimestamp: 2, ExpireTimestamp: 3})
	// version 1 | offset | metadata "" | commit timestamp | expire timestamp
	if want := mustHex(t, "0001"+"0000000000000001"+"0000"+"0000000000000002"+"0000000000000003"); !bytes.Equal(v1, want) {
		t.Errorf("OffsetCommitValue v1 = %x, want %x", v1, want)
	}
	if gk, want := EncodeGroupMetadataKey("g"), mustHex(t, "0002"+"000167"); !bytes.Equal(gk, want) {
		t.Errorf("GroupMetadataKey v2 = %x, want %x", gk, want)
	}
	proto, leader, inst := "range", "m1", "i1"
	gv := EncodeGroupMetadataValue(&kmsg.GroupMetadataValue{
		ProtocolType: "consumer", Generation: 7, Protocol: &proto, Leader: &leader, CurrentStateTimestamp: 9,
		Members: []kmsg.GroupMetadataValueMember{{
			MemberID: "m1", InstanceID: &inst, ClientID: "c", ClientHost: "/h",
			RebalanceTimeoutMillis: 60000, SessionTimeoutMillis: 45000,
			Subscription: []byte{1}, Assignment: []byte{2, 3},
		}},
	})
	want := mustHex(t, "0003"+ // version 3
		"0008"+hex.EncodeToString([]byte("consumer"))+ // protocol type
		"00000007"+ // generation
		"0005"+hex.EncodeToString([]byte("range"))+ // protocol
		"0002"+hex.EncodeToString([]byte("m1"))+ // leader
		"0000000000000009"+ // current state timestamp
		"00000001"+ // one member
		"0002"+hex.EncodeToString([]byte("m1"))+ // member id
		"0002"+hex.EncodeToString([]byte("i1"))+ // group instance id
		"000163"+ // client id "c"
		"00022f68"+ // client host "/h"
		"0000ea60"+"0000afc8"+ // rebalance and session timeouts
		"0000000101"+"000000020203") // subscription, assignment
	if !bytes.Equal(gv, want) {
		t.Errorf("GroupMetadataValue v3 =\n%x, want\n%x", gv, want)
	}
}

func TestDecodeRecords(t *testing.T) {
	rec, err := decodeRecord(EncodeOffsetKey(OffsetKey{"g", "t", 1}), EncodeOffsetValue(CommittedOffset{Offset: 5, LeaderEpoch: 2, CommitTimestamp: 3, ExpireTimestamp: -1}))
	if err != nil || rec.offsetKey == nil || *rec.offsetKey != (OffsetKey{"g", "t", 1}) || rec.offset.Offset != 5 || rec.offset.LeaderEpoch != 2 {
		t.Fatalf("offset record decoded as %+v, %v", rec, err)
	}
	// A version 0 value (no leader epoch) as old Kafka versions wrote it.
	v0 := mustHex(t, "0000"+"0000000000000009"+"0000"+"0000000000000001")
	if rec, err = decodeRecord(EncodeOffsetKey(OffsetKey{"g", "t", 1}), v0); err != nil || rec.offset.Offset != 9 || rec.offset.LeaderEpoch != -1 {
		t.Fatalf("v0 offset value decoded as %+v, %v", rec.offset, err)
	}
	if rec, err = decodeRecord(EncodeGroupMetadataKey("g"), nil); err != nil || !rec.isGroup || rec.group != nil || rec.groupKey != "g" {
		t.Fatalf("group tombstone decoded as %+v, %v", rec, err)
	}
	if _, err = decodeRecord([]byte{0, 9, 0, 0}, nil); err == nil {
		t.Fatal("an unknown key version decoded without error")
	}
}

// FuzzDecode feeds arbitrary bytes to the __consumer_offsets readers, which read
// whatever is on disk, including records another broker wrote.
func FuzzDecode(f *testing.F) {
	f.Add(EncodeOffsetKey(OffsetKey{"g", "t", 1}), EncodeOffsetValue(CommittedOffset{Offset: 1, ExpireTimestamp: -1}))
	f.Add(EncodeGroupMetadataKey("g"), []byte{0, 3})
	f.Fuzz(func(t *testing.T, key, value []byte) {
		decodeRecord(key, value)
	})
}
