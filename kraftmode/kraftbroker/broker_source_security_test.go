package kraftbroker

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// TestBrokerSourceForwardsSecurityWrites: ACL and SCRAM writes of a broker-only node
// reach the controller, which stores them (a credential with the keys the broker
// derived), and the broker's own image holds each when the write returns; the
// controller's refusals come back with their codes.
func TestBrokerSourceForwardsSecurityWrites(t *testing.T) {
	tc := startController(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, s := tc.startBrokerSource(t, ctx)

	acl := metadata.ACLBinding{ResourceType: metadata.ACLResourceGroup, ResourceName: "app-", PatternType: metadata.ACLPatternPrefixed,
		Principal: "User:alice", Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow}
	invalid := acl
	invalid.ResourceName = ""
	errs := s.CreateACLs(ctx, []metadata.ACLBinding{acl, invalid})
	if errs[0] != nil || !errors.Is(errs[1], kerr.InvalidRequest) {
		t.Fatalf("create: %v, want success and INVALID_REQUEST", errs)
	}
	if n := len(f.Image().ACLs); n != 1 {
		t.Fatalf("the broker's image holds %d ACLs when CreateACLs returned", n)
	}
	filter := metadata.ACLFilter{ResourceType: metadata.ACLResourceGroup, PatternType: metadata.ACLPatternAny,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	res := s.DeleteACLs(ctx, []metadata.ACLFilter{filter, {}})
	if res[0].Err != nil || len(res[0].Deleted) != 1 || res[0].Deleted[0] != acl || !errors.Is(res[1].Err, kerr.InvalidRequest) {
		t.Fatalf("delete: %+v", res)
	}
	if n := len(f.Image().ACLs); n != 0 {
		t.Fatalf("the broker's image holds %d ACLs when DeleteACLs returned", n)
	}

	cred := &metadata.UserScramCredentialRecord{Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096}
	errs = s.AlterScramCredentials(ctx, []metadata.ScramChange{
		{Name: "alice", Mechanism: metadata.ScramSHA512, Credential: cred},
		{Name: "bob", Mechanism: metadata.ScramSHA256},
	})
	if errs[0] != nil || !errors.Is(errs[1], kerr.ResourceNotFound) {
		t.Fatalf("alter SCRAM: %v, want success and RESOURCE_NOT_FOUND", errs)
	}
	got := f.Image().Scram[metadata.ScramKey{Name: "alice", Mechanism: metadata.ScramSHA512}]
	if got == nil || !bytes.Equal(got.StoredKey, cred.StoredKey) || !bytes.Equal(got.ServerKey, cred.ServerKey) || !bytes.Equal(got.Salt, cred.Salt) {
		t.Fatalf("alice's credential in the broker's image when the write returned: %+v", got)
	}
	waitSameImage(t, f, tc.c)
}
