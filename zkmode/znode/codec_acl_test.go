package znode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func TestACLsReferenceExample(t *testing.T) {
	const ref = `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`
	acls := []ACLEntry{{Principal: "User:alice", Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow}}
	got, err := EncodeACLs(acls)
	if err != nil || string(got) != ref {
		t.Errorf("EncodeACLs = %s, %v; want %s", got, err, ref)
	}
	back, err := DecodeACLs([]byte(ref))
	if err != nil || !reflect.DeepEqual(back, acls) {
		t.Errorf("DecodeACLs = %+v, %v", back, err)
	}
}

func TestDecodeACLs(t *testing.T) {
	// Kafka 3.7+'s hash order, SecurityUtils' accepted spellings, a duplicate (Kafka
	// keeps a set) and every operation name.
	data := `{"acls":[` +
		`{"principal":"User:*","permissionType":"ALLOW","host":"*","operation":"clusteraction"},` +
		`{"principal":"User:bob","permissionType":"Deny","host":"10.0.0.1","operation":"IDEMPOTENTWRITE"},` +
		`{"principal":"User:*","permissionType":"Allow","host":"*","operation":"ClusterAction"}],"version":1}`
	want := []ACLEntry{
		{Principal: "User:*", Host: "*", Operation: metadata.ACLOperationClusterAction, PermissionType: metadata.ACLPermissionAllow},
		{Principal: "User:bob", Host: "10.0.0.1", Operation: metadata.ACLOperationIdempotentWrite, PermissionType: metadata.ACLPermissionDeny},
	}
	got, err := DecodeACLs([]byte(data))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeACLs = %+v, %v; want %+v", got, err, want)
	}
	for _, e := range aclOperations {
		entry := []ACLEntry{{Principal: "User:a", Host: "*", Operation: e.code, PermissionType: metadata.ACLPermissionAllow}}
		enc, err := EncodeACLs(entry)
		if err != nil || !strings.Contains(string(enc), `"operation":"`+e.pascal+`"`) {
			t.Errorf("EncodeACLs(%s) = %s, %v", e.constant, enc, err)
		}
		if back, err := DecodeACLs(enc); err != nil || !reflect.DeepEqual(back, entry) {
			t.Errorf("round trip of %s = %+v, %v", e.constant, back, err)
		}
	}
	if got, err := DecodeACLs(nil); err != nil || got != nil {
		t.Errorf("DecodeACLs(empty) = %v, %v; want none", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":2,"acls":[]}`, "unsupported version 2"},
		{`{"version":1}`, `field "acls" is missing`},
		{`{"version":1,"acls":[{"permissionType":"Allow","operation":"Read","host":"*"}]}`, `acls[0]: field "principal" is missing`},
		{`{"version":1,"acls":[{"principal":"alice","permissionType":"Allow","operation":"Read","host":"*"}]}`, "not of the form type:name"},
		{`{"version":1,"acls":[{"principal":"User:a","permissionType":"Any","operation":"Read","host":"*"}]}`, `unknown permission type "Any"`},
		{`{"version":1,"acls":[{"principal":"User:a","permissionType":"Allow","operation":"Any","host":"*"}]}`, `unknown operation "Any"`},
		{`{"version":1,"acls":[{"principal":"User:a","permissionType":"Allow","operation":"CLUSTER_ACTION","host":"*"}]}`, "unknown operation"},
		{`{"version":1,"acls":[{"principal":"User:a","permissionType":"Allow","operation":"Read"}]}`, `field "host" is missing`},
	} {
		_, err := DecodeACLs([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeACLs(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
	if _, err := EncodeACLs([]ACLEntry{{Principal: "User:a", Operation: 1, PermissionType: metadata.ACLPermissionAllow}}); err == nil {
		t.Error("EncodeACLs with operation ANY succeeded")
	}
	if _, err := EncodeACLs([]ACLEntry{{Principal: "User:a", Operation: metadata.ACLOperationRead, PermissionType: 1}}); err == nil {
		t.Error("EncodeACLs with permission ANY succeeded")
	}
}

// TestACLChange: Kafka 2.4+ formats the Java enum, so the resource type is "TOPIC";
// "Topic" (docs/kafka-compatibility.md, "ACLs") is what Kafka before 2.4 wrote, still read.
func TestACLChange(t *testing.T) {
	literal := ResourcePattern{ResourceType: metadata.ACLResourceTopic, Name: "foo", PatternType: metadata.ACLPatternLiteral}
	prefixed := ResourcePattern{ResourceType: metadata.ACLResourceTransactionalID, Name: "tx-", PatternType: metadata.ACLPatternPrefixed}
	if got, err := EncodeACLChange(literal); err != nil || string(got) != "TOPIC:foo" {
		t.Errorf("EncodeACLChange(literal) = %s, %v", got, err)
	}
	const ext = `{"version":1,"resourceType":"TRANSACTIONAL_ID","name":"tx-","patternType":"PREFIXED"}`
	if got, err := EncodeACLChange(prefixed); err != nil || string(got) != ext {
		t.Errorf("EncodeACLChange(prefixed) = %s, %v; want %s", got, err, ext)
	}
	for _, data := range []string{"TOPIC:foo", "Topic:foo", "topic:foo"} {
		if got, err := DecodeLiteralACLChange([]byte(data)); err != nil || got != literal {
			t.Errorf("DecodeLiteralACLChange(%s) = %+v, %v", data, got, err)
		}
	}
	if got, err := DecodeLiteralACLChange([]byte("Group:a:b")); err != nil || got.Name != "a:b" || got.ResourceType != metadata.ACLResourceGroup {
		t.Errorf("a name with ':' = %+v, %v", got, err)
	}
	for _, data := range []string{ext, `{"version":1,"resourceType":"TransactionalId","name":"tx-","patternType":"prefixed"}`} {
		if got, err := DecodeExtendedACLChange([]byte(data)); err != nil || got != prefixed {
			t.Errorf("DecodeExtendedACLChange(%s) = %+v, %v", data, got, err)
		}
	}
	for _, data := range []string{"foo", "Widget:foo"} {
		if _, err := DecodeLiteralACLChange([]byte(data)); err == nil {
			t.Errorf("DecodeLiteralACLChange(%s) succeeded", data)
		}
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":2,"resourceType":"TOPIC","name":"a","patternType":"PREFIXED"}`, "unsupported version 2"},
		{`{"version":1,"resourceType":"TOPIC","name":"a","patternType":"LITERAL"}`, "LITERAL"},
		{`{"version":1,"resourceType":"TOPIC","name":"a","patternType":"MATCH"}`, `unknown pattern type "MATCH"`},
		{`{"version":1,"resourceType":"ANY","name":"a","patternType":"PREFIXED"}`, `unknown resource type "ANY"`},
		{`{"version":1,"resourceType":"TOPIC","patternType":"PREFIXED"}`, `field "name" is missing`},
	} {
		_, err := DecodeExtendedACLChange([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeExtendedACLChange(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
	if _, err := EncodeACLChange(ResourcePattern{ResourceType: metadata.ACLResourceTopic, PatternType: 2}); err == nil {
		t.Error("EncodeACLChange with pattern MATCH succeeded")
	}
	if _, err := EncodeACLChange(ResourcePattern{ResourceType: 1, PatternType: metadata.ACLPatternLiteral}); err == nil {
		t.Error("EncodeACLChange with resource type ANY succeeded")
	}
}

func TestResourceTypeNames(t *testing.T) {
	for code, name := range map[int8]string{2: "Topic", 3: "Group", 4: "Cluster", 5: "TransactionalId", 6: "DelegationToken", 7: "User"} {
		if got, err := ResourceTypeName(code); err != nil || got != name {
			t.Errorf("ResourceTypeName(%d) = %q, %v", code, got, err)
		}
		for _, spelling := range []string{name, strings.ToUpper(name), strings.ToLower(name)} {
			if got, err := ParseResourceTypeName(spelling); err != nil || got != code {
				t.Errorf("ParseResourceTypeName(%q) = %d, %v", spelling, got, err)
			}
		}
	}
	for _, bad := range []string{"Any", "Unknown", "TRANSACTIONAL_ID", ""} {
		if _, err := ParseResourceTypeName(bad); err == nil {
			t.Errorf("ParseResourceTypeName(%q) succeeded", bad)
		}
	}
}
