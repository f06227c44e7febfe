package authz

import (
	"fmt"
	"testing"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

const (
	topic    = metadata.ACLResourceTopic
	group    = metadata.ACLResourceGroup
	literal  = metadata.ACLPatternLiteral
	prefixed = metadata.ACLPatternPrefixed
	allow    = metadata.ACLPermissionAllow
	deny     = metadata.ACLPermissionDeny
	read     = metadata.ACLOperationRead
	write    = metadata.ACLOperationWrite
	describe = metadata.ACLOperationDescribe
)

func imageWith(acls ...metadata.ACLBinding) *metadata.Image {
	img := &metadata.Image{ACLs: map[metadata.Uuid]*metadata.AccessControlEntryRecord{}}
	for i, b := range acls {
		var id metadata.Uuid
		id[0] = byte(i + 1)
		img.ACLs[id] = b.Record(id)
	}
	return img
}

func acl(rt int8, name string, pt int8, principal, host string, op, perm int8) metadata.ACLBinding {
	return metadata.ACLBinding{ResourceType: rt, ResourceName: name, PatternType: pt, Principal: principal, Host: host, Operation: op, PermissionType: perm}
}

func newAuthorizer(t *testing.T, allowIfNoACL bool, superUsers ...string) *Authorizer {
	t.Helper()
	cfg := &config.Config{AuthorizerClassName: config.AuthorizerStandard, SuperUsers: superUsers, AllowEveryoneIfNoACLFound: allowIfNoACL}
	return New(cfg)
}

var alice = Session{Principal: "User:alice", Host: "10.0.0.1"}

func TestAuthorize(t *testing.T) {
	cases := []struct {
		name   string
		acls   []metadata.ACLBinding
		s      Session
		op     int8
		rt     int8
		res    string
		noACL  bool
		expect bool
	}{
		{"no ACLs, default", nil, alice, read, topic, "orders", false, false},
		{"no ACLs, allow.everyone.if.no.acl.found", nil, alice, read, topic, "orders", true, true},
		{"ACLs for someone else only", []metadata.ACLBinding{acl(topic, "orders", literal, "User:bob", "*", read, allow)}, alice, read, topic, "orders", true, false},
		{"literal allow", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, true},
		{"literal allow of another topic", []metadata.ACLBinding{acl(topic, "order", literal, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, false},
		{"other operation", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", write, allow)}, alice, read, topic, "orders", false, false},
		{"ALL", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", metadata.ACLOperationAll, allow)}, alice, metadata.ACLOperationAlter, topic, "orders", false, true},
		{"wildcard resource", []metadata.ACLBinding{acl(topic, "*", literal, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, true},
		{"wildcard principal", []metadata.ACLBinding{acl(topic, "orders", literal, "User:*", "*", read, allow)}, alice, read, topic, "orders", false, true},
		{"prefixed", []metadata.ACLBinding{acl(topic, "ord", prefixed, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, true},
		{"prefixed not a prefix", []metadata.ACLBinding{acl(topic, "orx", prefixed, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, false},
		{"host matches", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "10.0.0.1", read, allow)}, alice, read, topic, "orders", false, true},
		{"host differs", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "10.0.0.2", read, allow)}, alice, read, topic, "orders", false, false},
		{"deny beats allow", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", read, allow), acl(topic, "ord", prefixed, "User:*", "*", read, deny)}, alice, read, topic, "orders", false, false},
		{"wildcard deny beats literal allow", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", read, allow), acl(topic, "*", literal, "User:alice", "*", metadata.ACLOperationAll, deny)}, alice, read, topic, "orders", false, false},
		{"read implies describe", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", read, allow)}, alice, describe, topic, "orders", false, true},
		{"alter configs implies describe configs", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", metadata.ACLOperationAlterConfigs, allow)}, alice, metadata.ACLOperationDescribeConfigs, topic, "orders", false, true},
		{"create does not imply describe", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", metadata.ACLOperationCreate, allow)}, alice, describe, topic, "orders", false, false},
		{"deny read does not deny describe", []metadata.ACLBinding{acl(topic, "orders", literal, "User:alice", "*", describe, allow), acl(topic, "orders", literal, "User:alice", "*", read, deny)}, alice, describe, topic, "orders", false, true},
		{"types are separate", []metadata.ACLBinding{acl(group, "orders", literal, "User:alice", "*", read, allow)}, alice, read, topic, "orders", false, false},
		{"super user past a deny", []metadata.ACLBinding{acl(topic, "*", literal, "User:*", "*", metadata.ACLOperationAll, deny)}, Session{Principal: "User:admin", Host: "10.0.0.1"}, read, topic, "orders", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAuthorizer(t, c.noACL, "User:admin")
			if got := a.Authorize(imageWith(c.acls...), c.s, c.op, c.rt, c.res); got != c.expect {
				t.Errorf("Authorize = %v, want %v", got, c.expect)
			}
		})
	}
}

func TestNoAuthorizerAllowsEverything(t *testing.T) {
	a := New(&config.Config{})
	if a != nil {
		t.Fatalf("New without authorizer.class.name = %v, want nil", a)
	}
	img := imageWith(acl(topic, "*", literal, "User:*", "*", metadata.ACLOperationAll, deny))
	if !a.Authorize(img, alice, read, topic, "orders") || !a.AuthorizeAny(img, alice, write, topic) || !a.IsSuperUser(alice) {
		t.Error("a nil authorizer refused")
	}
	if got, want := a.AuthorizedOperations(img, alice, group, "g"), int32(1<<read|1<<describe|1<<metadata.ACLOperationDelete); got != want {
		t.Errorf("AuthorizedOperations = %b, want %b", got, want)
	}
}

// TestAuthorizeAny follows Kafka's AuthorizerInterfaceDefaultTest cases for
// authorizeByResourceType.
func TestAuthorizeAny(t *testing.T) {
	cases := []struct {
		acls   []metadata.ACLBinding
		expect bool
	}{
		{nil, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", write, allow)}, true},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", write, allow), acl(topic, "t1", literal, "User:alice", "*", write, deny)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", write, allow), acl(topic, "t", prefixed, "User:alice", "*", write, deny)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", write, allow), acl(topic, "t2", prefixed, "User:alice", "*", write, deny)}, true},
		{[]metadata.ACLBinding{acl(topic, "abc", prefixed, "User:alice", "*", write, allow), acl(topic, "ab", prefixed, "User:alice", "*", write, deny)}, false},
		{[]metadata.ACLBinding{acl(topic, "abc", prefixed, "User:alice", "*", write, allow), acl(topic, "abc", literal, "User:alice", "*", write, deny)}, true},
		{[]metadata.ACLBinding{acl(topic, "*", literal, "User:alice", "*", write, allow)}, true},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", write, allow), acl(topic, "*", literal, "User:*", "*", write, deny)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "*", read, allow)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:bob", "*", write, allow)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:alice", "10.9.9.9", write, allow)}, false},
		{[]metadata.ACLBinding{acl(topic, "t1", literal, "User:*", "*", metadata.ACLOperationAll, allow)}, true},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			a := newAuthorizer(t, false)
			if got := a.AuthorizeAny(imageWith(c.acls...), alice, write, topic); got != c.expect {
				t.Errorf("AuthorizeAny with %+v = %v, want %v", c.acls, got, c.expect)
			}
		})
	}
	if !newAuthorizer(t, true).AuthorizeAny(imageWith(), alice, write, topic) {
		t.Error("allow.everyone.if.no.acl.found without ACLs: AuthorizeAny refused")
	}
	if !newAuthorizer(t, false, "User:alice").AuthorizeAny(imageWith(acl(topic, "*", literal, "User:*", "*", write, deny)), alice, write, topic) {
		t.Error("a super user was refused by a DENY")
	}
}

func TestAuthorizedOperations(t *testing.T) {
	a := newAuthorizer(t, false)
	img := imageWith(acl(topic, "orders", literal, "User:alice", "*", write, allow), acl(topic, "orders", literal, "User:alice", "*", metadata.ACLOperationAlterConfigs, allow))
	want := int32(1<<write | 1<<describe | 1<<metadata.ACLOperationAlterConfigs | 1<<metadata.ACLOperationDescribeConfigs)
	if got := a.AuthorizedOperations(img, alice, topic, "orders"); got != want {
		t.Errorf("AuthorizedOperations = %b, want %b", got, want)
	}
}
