package znode

import (
	"reflect"
	"strings"
	"testing"
)

func TestReassignPartitions(t *testing.T) {
	const ref = `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}`
	rs := []PartitionReassignment{{Topic: "t", Partition: 0, Replicas: []int32{1, 2, 3}}}
	if got := string(EncodeReassignPartitions(rs)); got != ref {
		t.Errorf("EncodeReassignPartitions = %s, want %s", got, ref)
	}
	if got, err := DecodeReassignPartitions([]byte(ref)); err != nil || !reflect.DeepEqual(got, rs) {
		t.Errorf("DecodeReassignPartitions = %+v, %v", got, err)
	}
	if got := string(EncodeReassignPartitions(nil)); got != `{"version":1,"partitions":[]}` {
		t.Errorf("EncodeReassignPartitions(nil) = %s", got)
	}
	if _, err := DecodeReassignPartitions([]byte(`{"version":1,"partitions":[{"topic":"t","partition":0}]}`)); err == nil ||
		!strings.Contains(err.Error(), `partitions[0]: field "replicas" is missing`) {
		t.Errorf("missing replicas: %v", err)
	}
}

func TestPartitionLists(t *testing.T) {
	const ref = `{"version":1,"partitions":[{"topic":"t","partition":0},{"topic":"u","partition":3}]}`
	tps := []TopicPartition{{"t", 0}, {"u", 3}}
	if got := string(EncodePartitions(tps)); got != ref {
		t.Errorf("EncodePartitions = %s, want %s", got, ref)
	}
	if got, err := DecodePartitions([]byte(ref)); err != nil || !reflect.DeepEqual(got, tps) {
		t.Errorf("DecodePartitions = %+v, %v", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":2,"partitions":[]}`, "unsupported version 2"},
		{`{"version":1}`, `field "partitions" is missing`},
		{`{"version":1,"partitions":[7]}`, "partitions[0]: 7 is not an object"},
		{`{"version":1,"partitions":[{"partition":0}]}`, `field "topic" is missing`},
		{`{"version":1,"partitions":[{"topic":"t","partition":-1}]}`, "negative"},
	} {
		_, err := DecodePartitions([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodePartitions(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}

func TestLogDirEvent(t *testing.T) {
	const ref = `{"version":1,"broker":3,"event":1}`
	if got := string(EncodeLogDirEvent(3)); got != ref {
		t.Errorf("EncodeLogDirEvent = %s, want %s", got, ref)
	}
	if got, err := DecodeLogDirEvent([]byte(ref)); err != nil || got != 3 {
		t.Errorf("DecodeLogDirEvent = %d, %v", got, err)
	}
	if _, err := DecodeLogDirEvent([]byte(`{"version":1,"broker":3,"event":2}`)); err == nil || !strings.Contains(err.Error(), "unknown event 2") {
		t.Errorf("event 2: %v", err)
	}
}

func TestProducerIDBlock(t *testing.T) {
	const ref = `{"version":1,"broker":0,"block_start":"0","block_end":"999"}`
	b := ProducerIDBlock{BrokerID: 0, BlockStart: 0, BlockEnd: ProducerIDBlockSize - 1}
	if got := string(EncodeProducerIDBlock(b)); got != ref {
		t.Errorf("EncodeProducerIDBlock = %s, want %s", got, ref)
	}
	if got, err := DecodeProducerIDBlock([]byte(ref)); err != nil || got != b {
		t.Errorf("DecodeProducerIDBlock = %+v, %v", got, err)
	}
	if b.NextProducerID() != 1000 {
		t.Errorf("NextProducerID = %d, want 1000", b.NextProducerID())
	}
	// A KRaft controller in dual-write writes broker -1.
	dual := ProducerIDBlock{BrokerID: -1, BlockStart: 5000, BlockEnd: 5999}
	if got, err := DecodeProducerIDBlock(EncodeProducerIDBlock(dual)); err != nil || got != dual {
		t.Errorf("round trip = %+v, %v", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":1,"broker":0,"block_start":0,"block_end":"999"}`, `field "block_start"`},
		{`{"version":1,"broker":0,"block_start":"0x0","block_end":"999"}`, "not a decimal number"},
		{`{"version":1,"broker":0,"block_start":"0"}`, `field "block_end" is missing`},
		{`{"version":1,"block_start":"0","block_end":"999"}`, `field "broker" is missing`},
		{`{"version":1,"broker":0,"block_start":"-5","block_end":"999"}`, "negative"},
		{`{"version":1,"broker":0,"block_start":"1000","block_end":"999"}`, "below block_start"},
		{`{"version":1,"broker":0,"block_start":"0","block_end":"2147483647"}`, "more than 2^31-1"},
		{`{"version":1,"broker":0,"block_start":"9223372036854775000","block_end":"9223372036854775807"}`, "no id is left"},
		{`{"version":1,"broker":0,"block_start":"0","block_end":"9223372036854775808"}`, "not a decimal number"},
	} {
		_, err := DecodeProducerIDBlock([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeProducerIDBlock(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}

func TestGeneratedBrokerID(t *testing.T) {
	if got := GeneratedBrokerID(1, 1000); got != 1001 {
		t.Errorf("GeneratedBrokerID(1, 1000) = %d, want 1001", got)
	}
}
