package kraftmode

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha512"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// topicACL is a literal ALLOW READ on a topic for a principal from every host.
func topicACL(topic, principal string) metadata.ACLBinding {
	return metadata.ACLBinding{ResourceType: metadata.ACLResourceTopic, ResourceName: topic, PatternType: metadata.ACLPatternLiteral,
		Principal: principal, Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow}
}

// imageACLs is the image's ACLs as bindings, each with how many ids store it.
func imageACLs(img *metadata.Image) map[metadata.ACLBinding]int {
	out := map[metadata.ACLBinding]int{}
	for _, a := range img.ACLs {
		out[a.Binding()]++
	}
	return out
}

// TestControllerACLs: CreateACLs and DeleteACLs as Kafka's AclControlManager: a
// binding stored once however often it is asked for, an invalid one failing alone, a
// request that adds nothing writing nothing; every filter listing all it matches, an
// invalid filter failing alone, all removals in one batch.
func TestControllerACLs(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	alice := topicACL("orders", "User:alice")
	prefixed := topicACL("pay-", "User:bob")
	prefixed.PatternType = metadata.ACLPatternPrefixed
	invalid := topicACL("", "User:alice")

	before := c.Image().Offset
	errs := c.CreateACLs(ctx, []metadata.ACLBinding{alice, alice, invalid, prefixed})
	if errs[0] != nil || errs[1] != nil || errs[3] != nil {
		t.Fatalf("create: %v", errs)
	}
	wantCode(t, "an empty resource name", errs[2], kerr.InvalidRequest)
	img := c.Image()
	if got := imageACLs(img); len(got) != 2 || got[alice] != 1 || got[prefixed] != 1 {
		t.Fatalf("ACLs after create: %v", got)
	}
	if img.Offset != before+1 {
		t.Errorf("create moved the log from %d to %d, want one batch", before, img.Offset)
	}
	if errs := c.CreateACLs(ctx, []metadata.ACLBinding{alice}); errs[0] != nil {
		t.Fatalf("create an existing ACL: %v", errs[0])
	}
	if c.Image().Offset != img.Offset {
		t.Errorf("creating an existing ACL wrote to the log")
	}

	topic := "orders"
	all := metadata.ACLFilter{ResourceType: metadata.ACLResourceAny, PatternType: metadata.ACLPatternAny,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	matchOrders := all
	matchOrders.ResourceType, matchOrders.ResourceName = metadata.ACLResourceTopic, &topic
	unknown := all
	unknown.Operation = 0
	res := c.DeleteACLs(ctx, []metadata.ACLFilter{unknown, matchOrders, all})
	wantCode(t, "a filter with an UNKNOWN operation", res[0].Err, kerr.InvalidRequest)
	if res[1].Err != nil || len(res[1].Deleted) != 1 || res[1].Deleted[0] != alice {
		t.Errorf("the orders filter: %+v, want alice's ACL", res[1])
	}
	if res[2].Err != nil || len(res[2].Deleted) != 2 {
		t.Errorf("the ANY filter: %+v, want both ACLs", res[2])
	}
	if len(c.Image().ACLs) != 0 || c.Image().Offset != img.Offset+1 {
		t.Errorf("after delete: %d ACLs at offset %d, want none after one batch", len(c.Image().ACLs), c.Image().Offset)
	}
	if res := c.DeleteACLs(ctx, []metadata.ACLFilter{all}); res[0].Err != nil || len(res[0].Deleted) != 0 {
		t.Errorf("delete with nothing to match: %+v", res[0])
	}
}

// TestControllerScramCredentials: AlterScramCredentials as ScramControlManager: a
// credential stored under its change's user, a deletion of a credential that does not
// exist (in the image, or after an earlier deletion of the request) RESOURCE_NOT_FOUND,
// an invalid change failing alone.
func TestControllerScramCredentials(t *testing.T) {
	c := startSingleVoter(t, nil)
	ctx := context.Background()
	cred := &metadata.UserScramCredentialRecord{Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 4096}
	errs := c.AlterScramCredentials(ctx, []metadata.ScramChange{
		{Name: "alice", Mechanism: metadata.ScramSHA256, Credential: cred},
		{Name: "bob", Mechanism: metadata.ScramSHA512},
		{Name: "carol", Mechanism: metadata.ScramSHA512, Credential: &metadata.UserScramCredentialRecord{Iterations: 100}},
	})
	if errs[0] != nil {
		t.Fatalf("upsert alice: %v", errs[0])
	}
	wantCode(t, "delete bob's missing credential", errs[1], kerr.ResourceNotFound)
	wantMessage(t, "delete bob's missing credential", errs[1], "Attempt to delete a user credential that does not exist")
	wantCode(t, "carol's 100 iterations", errs[2], kerr.UnacceptableCredential)
	key := metadata.ScramKey{Name: "alice", Mechanism: metadata.ScramSHA256}
	if got := c.Image().Scram[key]; got == nil || got.Name != "alice" || !bytes.Equal(got.StoredKey, cred.StoredKey) || got.Iterations != 4096 {
		t.Fatalf("alice's credential in the image: %+v", got)
	}
	if len(c.Image().Scram) != 1 {
		t.Fatalf("credentials: %v", c.Image().Scram)
	}
	errs = c.AlterScramCredentials(ctx, []metadata.ScramChange{
		{Name: "alice", Mechanism: metadata.ScramSHA256}, {Name: "alice", Mechanism: metadata.ScramSHA256},
	})
	if errs[0] != nil {
		t.Fatalf("delete alice: %v", errs[0])
	}
	wantCode(t, "delete alice twice", errs[1], kerr.ResourceNotFound)
	if len(c.Image().Scram) != 0 {
		t.Fatalf("credentials after the deletion: %v", c.Image().Scram)
	}
}

// TestControllerSecurityAPIs: the controller listener's CreateAcls,
// DeleteAcls and AlterUserScramCredentials: a client's salted password becomes the
// keys Kafka derives from it, the keys a broker forwarded are stored as they came,
// and refusals answer per user with Kafka's codes.
func TestControllerSecurityAPIs(t *testing.T) {
	nd := newTestCluster(t, 1)[0]
	nd.start()
	nd.waitReady()
	nd.serveKafka()
	ctx := context.Background()
	conn, err := kwire.Dial(ctx, nd.ln.Addr().String(), "security-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	request := func(req kmsg.Request) kmsg.Response {
		t.Helper()
		resp, err := conn.Request(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", kmsg.NameForKey(req.Key()), err)
		}
		return resp
	}

	alice, bob := topicACL("orders", "User:alice"), topicACL("orders", "User:bob")
	create := kmsg.NewPtrCreateACLsRequest()
	create.Creations = append(create.Creations, alice.Creation(), topicACL("", "User:x").Creation(), bob.Creation())
	resp := request(create).(*kmsg.CreateACLsResponse)
	if len(resp.Results) != 3 || resp.Results[0].ErrorCode != 0 || resp.Results[1].ErrorCode != kerr.InvalidRequest.Code || resp.Results[2].ErrorCode != 0 {
		t.Fatalf("CreateAcls: %+v", resp.Results)
	}
	if got := imageACLs(nd.c.Image()); len(got) != 2 || got[alice] != 1 || got[bob] != 1 {
		t.Fatalf("ACLs: %v", got)
	}
	del := kmsg.NewPtrDeleteACLsRequest()
	f := metadata.ACLFilter{ResourceType: metadata.ACLResourceTopic, PatternType: metadata.ACLPatternLiteral, Principal: &alice.Principal,
		Operation: metadata.ACLOperationAny, PermissionType: metadata.ACLPermissionAny}
	del.Filters = append(del.Filters, f.DeletionFilter())
	dresp := request(del).(*kmsg.DeleteACLsResponse)
	if len(dresp.Results) != 1 || len(dresp.Results[0].MatchingACLs) != 1 || metadata.ACLBindingFromMatch(dresp.Results[0].MatchingACLs[0]) != alice {
		t.Fatalf("DeleteAcls: %+v", dresp.Results)
	}
	if got := imageACLs(nd.c.Image()); len(got) != 1 || got[bob] != 1 {
		t.Fatalf("ACLs after DeleteAcls: %v", got)
	}

	salt := []byte("client-salt")
	salted, err := pbkdf2.Key(sha512.New, "carol-secret", salt, 8192, sha512.Size)
	if err != nil {
		t.Fatal(err)
	}
	alter := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
	u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword = "carol", metadata.ScramSHA512, 8192, salt, salted
	d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
	d.Name, d.Mechanism = "dave", metadata.ScramSHA256
	alter.Upsertions, alter.Deletions = append(alter.Upsertions, u), append(alter.Deletions, d)
	aresp := request(alter).(*kmsg.AlterUserSCRAMCredentialsResponse)
	if len(aresp.Results) != 2 || aresp.Results[0].User != "dave" || aresp.Results[0].ErrorCode != kerr.ResourceNotFound.Code ||
		aresp.Results[1].User != "carol" || aresp.Results[1].ErrorCode != 0 {
		t.Fatalf("AlterUserScramCredentials: %+v", aresp.Results)
	}
	want, err := saslserver.NewScramCredential(saslserver.ScramSHA512, "carol-secret", salt, 8192)
	if err != nil {
		t.Fatal(err)
	}
	got := nd.c.Image().Scram[metadata.ScramKey{Name: "carol", Mechanism: metadata.ScramSHA512}]
	if got == nil || !bytes.Equal(got.StoredKey, want.StoredKey) || !bytes.Equal(got.ServerKey, want.ServerKey) ||
		!bytes.Equal(got.Salt, salt) || got.Iterations != 8192 {
		t.Fatalf("carol's credential %+v, want the keys of her password", got)
	}

	forwarded := metadata.ScramChange{Name: "erin", Mechanism: metadata.ScramSHA256, Credential: &metadata.UserScramCredentialRecord{
		Salt: []byte("s"), StoredKey: []byte("forwarded-stored"), ServerKey: []byte("forwarded-server"), Iterations: 4096}}
	aresp = request(metadata.ScramForwardRequest([]metadata.ScramChange{forwarded})).(*kmsg.AlterUserSCRAMCredentialsResponse)
	if len(aresp.Results) != 1 || aresp.Results[0].ErrorCode != 0 {
		t.Fatalf("forwarded AlterUserScramCredentials: %+v", aresp.Results)
	}
	got = nd.c.Image().Scram[metadata.ScramKey{Name: "erin", Mechanism: metadata.ScramSHA256}]
	if got == nil || string(got.StoredKey) != "forwarded-stored" || string(got.ServerKey) != "forwarded-server" {
		t.Fatalf("erin's forwarded credential: %+v", got)
	}
}
