package broker

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// TestDescribeClientQuotas follows ClientQuotasImageTest's filters: exact names, the
// default entity, any name of a type, strict and not, and the malformed filters
// Kafka refuses.
func TestDescribeClientQuotas(t *testing.T) {
	c := newCluster(t, 1)
	str := func(s string) *string { return &s }
	for _, q := range []struct {
		entity []metadata.QuotaEntityPart
		key    string
		value  float64
	}{
		{[]metadata.QuotaEntityPart{{Type: "user", Name: str("alice")}}, "producer_byte_rate", 1024},
		{[]metadata.QuotaEntityPart{{Type: "user", Name: nil}}, "consumer_byte_rate", 2048},
		{[]metadata.QuotaEntityPart{{Type: "user", Name: str("alice")}, {Type: "client-id", Name: str("app")}}, "request_percentage", 50},
		{[]metadata.QuotaEntityPart{{Type: "ip", Name: str("10.0.0.1")}}, "connection_creation_rate", 5},
	} {
		c.src.apply(t, &metadata.ClientQuotaRecord{Entity: q.entity, Key: q.key, Value: q.value})
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.nodes[1].addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	describe := func(strict bool, comps ...kmsg.DescribeClientQuotasRequestComponent) *kmsg.DescribeClientQuotasResponse {
		t.Helper()
		req := kmsg.NewPtrDescribeClientQuotasRequest()
		req.Components, req.Strict = comps, strict
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	comp := func(typ string, match int8, name *string) kmsg.DescribeClientQuotasRequestComponent {
		return kmsg.DescribeClientQuotasRequestComponent{EntityType: typ, MatchType: kmsg.QuotasMatchType(match), Match: name}
	}
	keys := func(resp *kmsg.DescribeClientQuotasResponse) []string {
		var out []string
		for _, e := range resp.Entries {
			out = append(out, quotaEntityKey(e.Entity))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		strict bool
		comps  []kmsg.DescribeClientQuotasRequestComponent
		want   []string
	}{
		{"exact user", false, []kmsg.DescribeClientQuotasRequestComponent{comp("user", 0, str("alice"))}, []string{"client-id=app,user=alice", "user=alice"}},
		{"exact user, strict", true, []kmsg.DescribeClientQuotasRequestComponent{comp("user", 0, str("alice"))}, []string{"user=alice"}},
		{"default user", false, []kmsg.DescribeClientQuotasRequestComponent{comp("user", 1, nil)}, []string{"user=<default>"}},
		{"any user", true, []kmsg.DescribeClientQuotasRequestComponent{comp("user", 2, nil)}, []string{"user=<default>", "user=alice"}},
		{"any ip", false, []kmsg.DescribeClientQuotasRequestComponent{comp("ip", 2, nil)}, []string{"ip=10.0.0.1"}},
		{"everything", false, nil, []string{"client-id=app,user=alice", "ip=10.0.0.1", "user=<default>", "user=alice"}},
	} {
		resp := describe(tc.strict, tc.comps...)
		if got := keys(resp); resp.ErrorCode != 0 || !slices.Equal(got, tc.want) {
			t.Errorf("%s: code %d, entries %q, want %q", tc.name, resp.ErrorCode, got, tc.want)
		}
	}
	if resp := describe(true, comp("user", 0, str("alice"))); resp.Entries[0].Values[0].Value != 1024 {
		t.Errorf("alice's quota values: %+v", resp.Entries[0].Values)
	}
	for _, tc := range []struct {
		name  string
		comps []kmsg.DescribeClientQuotasRequestComponent
		code  int16
	}{
		{"exact without a name", []kmsg.DescribeClientQuotasRequestComponent{comp("user", 0, nil)}, kerr.InvalidRequest.Code},
		{"default with a name", []kmsg.DescribeClientQuotasRequestComponent{comp("user", 1, str("x"))}, kerr.InvalidRequest.Code},
		{"a type twice", []kmsg.DescribeClientQuotasRequestComponent{comp("user", 2, nil), comp("user", 1, nil)}, kerr.InvalidRequest.Code},
		{"ip with user", []kmsg.DescribeClientQuotasRequestComponent{comp("ip", 2, nil), comp("user", 2, nil)}, kerr.InvalidRequest.Code},
		{"unknown type", []kmsg.DescribeClientQuotasRequestComponent{comp("group", 2, nil)}, kerr.UnsupportedVersion.Code},
		{"unknown match type", []kmsg.DescribeClientQuotasRequestComponent{comp("user", 7, nil)}, kerr.InvalidRequest.Code},
	} {
		if resp := describe(false, tc.comps...); resp.ErrorCode != tc.code {
			t.Errorf("%s: code %d, want %d", tc.name, resp.ErrorCode, tc.code)
		}
	}
}
