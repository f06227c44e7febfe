package znode

import (
	"strings"
	"testing"
)

func TestController(t *testing.T) {
	const ref = `{"version":2,"brokerid":3000,"timestamp":"1700000000000","kraftControllerEpoch":5}`
	c := ControllerZNode{BrokerID: 3000, Timestamp: 1700000000000, KRaftControllerEpoch: 5}
	if got := string(EncodeController(c)); got != ref {
		t.Errorf("EncodeController = %s, want %s", got, ref)
	}
	for _, d := range []struct {
		data string
		want ControllerZNode
	}{
		{ref, c},
		{`{"version":2,"brokerid":1,"timestamp":"1","kraftControllerEpoch":-1}`, ControllerZNode{BrokerID: 1, Timestamp: 1, KRaftControllerEpoch: -1}},
		// 3.3 and earlier: v1, no kraftControllerEpoch.
		{`{"version":1,"brokerid":1,"timestamp":"1600000000000"}`, ControllerZNode{BrokerID: 1, Timestamp: 1600000000000, KRaftControllerEpoch: -1}},
		{`{"brokerid":2,"version":1}`, ControllerZNode{BrokerID: 2, KRaftControllerEpoch: -1}},
	} {
		got, err := DecodeController([]byte(d.data))
		if err != nil || got != d.want {
			t.Errorf("DecodeController(%s) = %+v, %v; want %+v", d.data, got, err, d.want)
		}
		if back, err := DecodeController(EncodeController(got)); err != nil || back != got {
			t.Errorf("round trip of %+v = %+v, %v", got, back, err)
		}
	}
	if !c.IsKRaftController() || (ControllerZNode{KRaftControllerEpoch: -1}).IsKRaftController() {
		t.Error("IsKRaftController is wrong")
	}
	for _, d := range []struct{ data, want string }{
		{`{"version":3,"brokerid":1}`, "unsupported version 3"},
		{`{"version":2}`, `field "brokerid" is missing`},
		{`{"version":2,"brokerid":"1"}`, `field "brokerid"`},
		{`{"version":2,"brokerid":1,"timestamp":1}`, `field "timestamp"`},
		{`{"version":2,"brokerid":1,"kraftControllerEpoch":"5"}`, `field "kraftControllerEpoch"`},
	} {
		_, err := DecodeController([]byte(d.data))
		if err == nil || !strings.Contains(err.Error(), d.want) {
			t.Errorf("DecodeController(%s) error = %v, want it to mention %q", d.data, err, d.want)
		}
	}
}

func TestControllerEpoch(t *testing.T) {
	if got := string(EncodeControllerEpoch(5)); got != "5" {
		t.Errorf("EncodeControllerEpoch(5) = %q", got)
	}
	for _, c := range []struct {
		data string
		want int32
		ok   bool
	}{
		{"5", 5, true}, {"0", 0, true}, {"2147483647", 2147483647, true}, {"+7", 7, true},
		{"", 0, false}, {" 5", 0, false}, {"5\n", 0, false}, {"2147483648", 0, false}, {`{"epoch":5}`, 0, false},
	} {
		got, err := DecodeControllerEpoch([]byte(c.data))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("DecodeControllerEpoch(%q) = %d, %v", c.data, got, err)
		}
	}
}
