package znode

import (
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func TestACLID(t *testing.T) {
	base := metadata.AccessControlEntryRecord{
		ResourceType: metadata.ACLResourceTopic, ResourceName: "orders", PatternType: metadata.ACLPatternLiteral,
		Principal: "User:alice", Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow,
	}
	id := ACLID(&base)
	withID := base
	withID.ID = metadata.RandomUuid()
	if ACLID(&withID) != id {
		t.Error("ACLID depends on the record's own id")
	}
	if id[6]>>4 != 8 || id[8]>>6 != 2 {
		t.Errorf("ACLID %s is not a version 8 RFC 9562 UUID", id)
	}
	variants := []func(*metadata.AccessControlEntryRecord){
		func(r *metadata.AccessControlEntryRecord) { r.ResourceType = metadata.ACLResourceGroup },
		func(r *metadata.AccessControlEntryRecord) { r.ResourceName = "orders2" },
		func(r *metadata.AccessControlEntryRecord) { r.PatternType = metadata.ACLPatternPrefixed },
		func(r *metadata.AccessControlEntryRecord) { r.Principal = "User:bob" },
		func(r *metadata.AccessControlEntryRecord) { r.Host = "10.0.0.1" },
		func(r *metadata.AccessControlEntryRecord) { r.Operation = metadata.ACLOperationWrite },
		func(r *metadata.AccessControlEntryRecord) { r.PermissionType = metadata.ACLPermissionDeny },
		// Length prefixes keep field boundaries apart.
		func(r *metadata.AccessControlEntryRecord) { r.ResourceName, r.Principal = "ordersUser:alice", "" },
	}
	for i, change := range variants {
		r := base
		change(&r)
		if ACLID(&r) == id {
			t.Errorf("variant %d has the same id as the base ACL", i)
		}
	}
	// No id renders with a leading '-' (tools would take it for a flag).
	for i := range 5000 {
		r := base
		r.ResourceName = string(rune('a'+i%26)) + string(rune(i))
		if s := ACLID(&r).String(); s[0] == '-' {
			t.Fatalf("ACLID of %q = %s", r.ResourceName, s)
		}
	}
}
