package broker

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// TestScramCredentialAPIs: AlterUserScramCredentials stores the keys Kafka derives
// from the client's salted password and refuses per user with Kafka's codes;
// DescribeUserScramCredentials answers from the image with mechanisms and iterations,
// every user for an empty list, RESOURCE_NOT_FOUND and DUPLICATE_RESOURCE for named
// ones.
func TestScramCredentialAPIs(t *testing.T) {
	c := newCluster(t, 1)
	client := c.nodes[1].client
	ctx := context.Background()
	request := func(req kmsg.Request) kmsg.Response {
		t.Helper()
		resp, err := client.Request(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", kmsg.NameForKey(req.Key()), err)
		}
		return resp
	}
	salt := []byte("alice-salt")
	salted, err := pbkdf2.Key(sha256.New, "alice-secret", salt, 8192, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	alter := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	upsert := func(name string, mech int8, iterations int32) {
		u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
		u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword = name, mech, iterations, salt, salted
		alter.Upsertions = append(alter.Upsertions, u)
	}
	d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
	d.Name, d.Mechanism = "bob", metadata.ScramSHA512
	alter.Deletions = append(alter.Deletions, d)
	upsert("alice", metadata.ScramSHA256, 8192)
	upsert("carol", metadata.ScramSHA256, 4096)
	upsert("carol", metadata.ScramSHA512, 4096)
	upsert("dave", metadata.ScramSHA256, 100000)
	upsert("erin", 9, 4096)
	results := request(alter).(*kmsg.AlterUserSCRAMCredentialsResponse).Results
	want := map[string]int16{
		"bob": kerr.ResourceNotFound.Code, "alice": 0, "carol": kerr.DuplicateResource.Code,
		"dave": kerr.UnacceptableCredential.Code, "erin": kerr.UnsupportedSaslMechanism.Code,
	}
	if len(results) != len(want) {
		t.Fatalf("results %+v, want one per user", results)
	}
	for _, r := range results {
		if r.ErrorCode != want[r.User] {
			t.Errorf("%s: code %d, want %d", r.User, r.ErrorCode, want[r.User])
		}
	}
	cred, err := saslserver.NewScramCredential(saslserver.ScramSHA256, "alice-secret", salt, 8192)
	if err != nil {
		t.Fatal(err)
	}
	got := c.src.Image().Scram[metadata.ScramKey{Name: "alice", Mechanism: metadata.ScramSHA256}]
	if got == nil || !bytes.Equal(got.StoredKey, cred.StoredKey) || !bytes.Equal(got.ServerKey, cred.ServerKey) ||
		!bytes.Equal(got.Salt, salt) || got.Iterations != 8192 || len(c.src.Image().Scram) != 1 {
		t.Fatalf("stored credentials %v, want alice's with the keys of her password", c.src.Image().Scram)
	}

	describe := kmsg.NewPtrDescribeUserSCRAMCredentialsRequest()
	all := request(describe).(*kmsg.DescribeUserSCRAMCredentialsResponse).Results
	if len(all) != 1 || all[0].User != "alice" || all[0].ErrorCode != 0 || len(all[0].CredentialInfos) != 1 ||
		all[0].CredentialInfos[0].Mechanism != metadata.ScramSHA256 || all[0].CredentialInfos[0].Iterations != 8192 {
		t.Fatalf("describe all: %+v", all)
	}
	for _, name := range []string{"alice", "bob", "carol", "carol"} {
		u := kmsg.NewDescribeUserSCRAMCredentialsRequestUser()
		u.Name = name
		describe.Users = append(describe.Users, u)
	}
	named := request(describe).(*kmsg.DescribeUserSCRAMCredentialsResponse).Results
	if len(named) != 3 || named[0].User != "alice" || named[0].ErrorCode != 0 || len(named[0].CredentialInfos) != 1 ||
		named[1].User != "bob" || named[1].ErrorCode != kerr.ResourceNotFound.Code ||
		named[2].User != "carol" || named[2].ErrorCode != kerr.DuplicateResource.Code {
		t.Fatalf("describe alice, bob, carol twice: %+v", named)
	}
}
