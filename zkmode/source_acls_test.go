package zkmode

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// zkACL is a binding for the ZooKeeper-mode ACL tests.
func zkACL(rt int8, name string, pt int8, principal string, op int8) metadata.ACLBinding {
	return metadata.ACLBinding{ResourceType: rt, ResourceName: name, PatternType: pt, Principal: principal, Host: "*",
		Operation: op, PermissionType: metadata.ACLPermissionAllow}
}

// checkChangeEvents checks that the change store holds exactly want since the last
// look, as sequential persistent acl_changes_ znodes.
func checkChangeEvents(t *testing.T, l *changeLog, want ...string) {
	t.Helper()
	names, err := l.c.Children(context.Background(), l.parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, znode.ACLChangePrefix) || len(n) != len(znode.ACLChangePrefix)+10 {
			t.Fatalf("%s/%s is not %s followed by a 10-digit sequence number", l.parent, n, znode.ACLChangePrefix)
		}
		if stat := mustExist(t, l.c, l.parent+"/"+n, true); stat.EphemeralOwner != 0 {
			t.Fatalf("%s/%s is ephemeral", l.parent, n)
		}
	}
	slices.Sort(want)
	if got := l.news(t); !slices.Equal(got, want) {
		t.Fatalf("%s events %q, want %q", l.parent, got, want)
	}
}

// TestSourceACLs: CreateACLs and DeleteACLs write ACLs as Kafka's AclAuthorizer does
// in ZooKeeper mode: one resource znode per pattern in Kafka's JSON, read fresh (so an
// entry another writer made stays), one change event per changed pattern in the
// literal or extended store, the znode deleted when its last entry goes; an existing
// binding writes nothing; a name with '/' and an unknown filter are refused alone; the
// image holds every write when it returns.
func TestSourceACLs(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	writer := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	literal := &changeLog{c: writer, parent: znode.LiteralACLChangesPath, seen: map[string]bool{}}
	extended := &changeLog{c: writer, parent: znode.ExtendedACLChangesPath, seen: map[string]bool{}}
	const ordersPath, appPath = "/kafka-acl/Topic/orders", "/kafka-acl-extended/prefixed/Group/app-"

	aliceRead := zkACL(metadata.ACLResourceTopic, "orders", metadata.ACLPatternLiteral, "User:alice", metadata.ACLOperationRead)
	bobWrite := zkACL(metadata.ACLResourceTopic, "orders", metadata.ACLPatternLiteral, "User:bob", metadata.ACLOperationWrite)
	aliceGroup := zkACL(metadata.ACLResourceGroup, "app-", metadata.ACLPatternPrefixed, "User:alice", metadata.ACLOperationRead)
	slash := zkACL(metadata.ACLResourceTopic, "a/b", metadata.ACLPatternLiteral, "User:alice", metadata.ACLOperationRead)
	errs := s.CreateACLs(ctx, []metadata.ACLBinding{bobWrite, aliceRead, aliceGroup, slash, aliceRead})
	if errs[0] != nil || errs[1] != nil || errs[2] != nil || errs[4] != nil || !errors.Is(errs[3], kerr.InvalidRequest) {
		t.Fatalf("create: %v, want INVALID_REQUEST for a/b only", errs)
	}
	if got, want := mustGet(t, writer, ordersPath), `{"version":1,"acls":[`+
		`{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},`+
		`{"principal":"User:bob","permissionType":"Allow","operation":"Write","host":"*"}]}`; got != want {
		t.Fatalf("%s = %s, want %s", ordersPath, got, want)
	}
	if got, want := mustGet(t, writer, appPath), `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`; got != want {
		t.Fatalf("%s = %s, want %s", appPath, got, want)
	}
	checkChangeEvents(t, literal, "TOPIC:orders")
	checkChangeEvents(t, extended, `{"version":1,"resourceType":"GROUP","name":"app-","patternType":"PREFIXED"}`)
	if n := len(s.Image().ACLs); n != 3 {
		t.Fatalf("the image holds %d ACLs when CreateACLs returned, want 3", n)
	}

	// A stored binding writes nothing.
	before := mustExist(t, writer, ordersPath, true)
	if errs := s.CreateACLs(ctx, []metadata.ACLBinding{aliceRead}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if after := mustExist(t, writer, ordersPath, true); after.Version != before.Version {
		t.Fatalf("creating a stored ACL rewrote %s", ordersPath)
	}
	checkChangeEvents(t, literal)

	// The znode is read fresh: an entry another writer made, not yet in the image, stays.
	carol := zkACL(metadata.ACLResourceTopic, "orders", metadata.ACLPatternLiteral, "User:carol", metadata.ACLOperationRead)
	data, err := znode.EncodeACLs([]znode.ACLEntry{aclEntry(aliceRead), aclEntry(bobWrite), aclEntry(carol)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Set(ctx, ordersPath, data, before.Version); err != nil {
		t.Fatal(err)
	}
	dave := zkACL(metadata.ACLResourceTopic, "orders", metadata.ACLPatternLiteral, "User:dave", metadata.ACLOperationRead)
	if errs := s.CreateACLs(ctx, []metadata.ACLBinding{dave}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	entries, err := znode.DecodeACLs([]byte(mustGet(t, writer, ordersPath)))
	if err != nil || len(entries) != 4 {
		t.Fatalf("%s holds %+v (%v), want alice, bob, carol and dave", ordersPath, entries, err)
	}
	checkChangeEvents(t, literal, "TOPIC:orders")

	// A write conditional on a version another writer moved past loses the race.
	stale := mustExist(t, writer, ordersPath, true)
	if _, err := writer.Set(ctx, ordersPath, data, stale.Version); err != nil {
		t.Fatal(err)
	}
	op, err := aclOp(znode.ResourcePattern{ResourceType: metadata.ACLResourceTopic, Name: "orders", PatternType: metadata.ACLPatternLiteral}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeOp(ctx, "test", op, ordersPath, stale); !errors.Is(err, errConcurrentWrite) {
		t.Fatalf("a write at a stale version: %v, want a lost race", err)
	}
	mustExist(t, writer, ordersPath, true)
	if errs := s.CreateACLs(ctx, []metadata.ACLBinding{dave}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	waitImage(t, s, "alice, bob, carol, dave and alice's group ACL", func(img *metadata.Image) bool { return len(img.ACLs) == 5 })
	literal.news(t)

	alice, orders := "User:alice", "orders"
	byAlice := metadata.ACLFilter{ResourceType: metadata.ACLResourceAny, PatternType: metadata.ACLPatternAny, Principal: &alice,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	onOrders := metadata.ACLFilter{ResourceType: metadata.ACLResourceTopic, ResourceName: &orders, PatternType: metadata.ACLPatternLiteral,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	unknown := onOrders
	unknown.PermissionType = 0
	res := s.DeleteACLs(ctx, []metadata.ACLFilter{unknown, byAlice, onOrders})
	if !errors.Is(res[0].Err, kerr.InvalidRequest) {
		t.Errorf("a filter with an UNKNOWN permission type: %v, want INVALID_REQUEST", res[0].Err)
	}
	if res[1].Err != nil || len(res[1].Deleted) != 2 || !slices.Contains(res[1].Deleted, aliceRead) || !slices.Contains(res[1].Deleted, aliceGroup) {
		t.Errorf("alice's filter deleted %+v (%v), want her two ACLs", res[1].Deleted, res[1].Err)
	}
	if res[2].Err != nil || len(res[2].Deleted) != 3 || slices.Contains(res[2].Deleted, aliceRead) {
		t.Errorf("the orders filter deleted %+v (%v), want bob's, carol's and dave's (alice's is the first filter's)", res[2].Deleted, res[2].Err)
	}
	mustExist(t, writer, ordersPath, false)
	mustExist(t, writer, appPath, false)
	checkChangeEvents(t, literal, "TOPIC:orders")
	checkChangeEvents(t, extended, `{"version":1,"resourceType":"GROUP","name":"app-","patternType":"PREFIXED"}`)
	if n := len(s.Image().ACLs); n != 0 {
		t.Fatalf("the image holds %d ACLs when DeleteACLs returned", n)
	}
}
