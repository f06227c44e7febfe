package txn

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// unhex reads hex bytes, ignoring spaces and the comments after # on each line.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	var digits strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordBytes checks one key and value byte for byte against
// TransactionLogKey.json and TransactionLogValue.json v0.
func TestRecordBytes(t *testing.T) {
	wantKey := unhex(t, `
		0000         # version 0
		0003 74786e  # "txn"`)
	if got := encodeKey("txn"); !bytes.Equal(got, wantKey) {
		t.Errorf("key %x, want %x", got, wantKey)
	}

	ongoing := transit{
		producerID: 0x1234, producerEpoch: 5, timeoutMs: 60000, state: stateOngoing,
		partitions: partitionSet{{"bb", 2}: {}, {"a", 1}: {}, {"a", 0}: {}},
		updateMs:   1_700_000_000_000, startMs: 1_699_999_999_000,
	}
	wantOngoing := unhex(t, `
		0000                 # version 0
		0000000000001234     # ProducerId
		0005                 # ProducerEpoch
		0000ea60             # TransactionTimeoutMs
		01                   # TransactionStatus Ongoing
		00000002             # TransactionPartitions: 2 topics
		  0001 61            # "a"
		  00000002 00000000 00000001
		  0002 6262          # "bb"
		  00000001 00000002
		0000018bcfe56800     # TransactionLastUpdateTimestampMs
		0000018bcfe56418     # TransactionStartTimestampMs`)
	if got := encodeValue(ongoing); !bytes.Equal(got, wantOngoing) {
		t.Errorf("Ongoing value\n%x, want\n%x", got, wantOngoing)
	}

	// Empty has a null partition list; a completed transaction an empty one.
	empty := transit{producerID: 1, producerEpoch: 0, timeoutMs: 1000, state: stateEmpty, partitions: partitionSet{}, updateMs: 2, startMs: -1}
	wantEmpty := unhex(t, `0000 0000000000000001 0000 000003e8 00 ffffffff 0000000000000002 ffffffffffffffff`)
	if got := encodeValue(empty); !bytes.Equal(got, wantEmpty) {
		t.Errorf("Empty value\n%x, want\n%x", got, wantEmpty)
	}
	complete := empty
	complete.state, complete.startMs = stateCompleteCommit, 3
	wantComplete := unhex(t, `0000 0000000000000001 0000 000003e8 04 00000000 0000000000000002 0000000000000003`)
	if got := encodeValue(complete); !bytes.Equal(got, wantComplete) {
		t.Errorf("CompleteCommit value\n%x, want\n%x", got, wantComplete)
	}
}

func TestDecodeRecords(t *testing.T) {
	// A v1 (flexible) value, as a broker with transaction.version 1 writes it.
	v1 := kmsg.NewTxnMetadataValue()
	v1.Version = 1
	v1.ProducerID, v1.ProducerEpoch, v1.TimeoutMillis, v1.State = 9, 3, 5000, stateOngoing
	v1.Topics = []kmsg.TxnMetadataValueTopic{{Topic: "t", Partitions: []int32{4, 1}}}
	v1.LastUpdateTimestamp, v1.StartTimestamp = 20, 10
	m, err := decodeValue("id", v1.AppendTo(nil))
	if err != nil {
		t.Fatal(err)
	}
	if m.producerID != 9 || m.producerEpoch != 3 || m.timeoutMs != 5000 || m.state != stateOngoing ||
		m.startMs != 10 || m.lastUpdateMs != 20 || len(m.partitions) != 2 || m.lastProducerID != -1 || m.lastProducerEpoch != -1 {
		t.Fatalf("decoded %+v", m)
	}
	if _, ok := m.partitions[TopicPartition{"t", 4}]; !ok {
		t.Fatalf("partitions %v", m.partitions)
	}

	for _, c := range []struct {
		name  string
		value func(v *kmsg.TxnMetadataValue)
	}{
		{"Dead state", func(v *kmsg.TxnMetadataValue) { v.State = stateDead }},
		{"unknown state", func(v *kmsg.TxnMetadataValue) { v.State = 9 }},
		{"unknown version", func(v *kmsg.TxnMetadataValue) { v.Version = 2 }},
	} {
		v := kmsg.NewTxnMetadataValue()
		c.value(&v)
		if _, err := decodeValue("id", v.AppendTo(nil)); err == nil {
			t.Errorf("%s: decoded", c.name)
		}
	}

	if id, ok, err := decodeKey(encodeKey("x")); id != "x" || !ok || err != nil {
		t.Errorf("key: %q %v %v", id, ok, err)
	}
	if _, ok, err := decodeKey([]byte{0, 1, 0, 0}); ok || err != nil {
		t.Errorf("key version 1: ok %v err %v, want skipped", ok, err)
	}
	if _, _, err := decodeKey([]byte{0}); err == nil {
		t.Error("one-byte key decoded")
	}
}
