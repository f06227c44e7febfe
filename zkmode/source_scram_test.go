package zkmode

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSourceScramCredentials: AlterScramCredentials writes as Kafka's ZkAdminManager
// does: a user's credentials in /config/users/<sanitized user> in
// ScramCredentialUtils' format beside its quotas, each write announced by a v2
// config_change_ notification; deleting the last credential leaves the znode (and the
// quotas); the deletion of a missing credential is RESOURCE_NOT_FOUND and writes
// nothing; the image holds every change when the call returns.
func TestSourceScramCredentials(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	s := startSource(t, conn, "")
	writer := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := writer.CreateRecursive(ctx, "/config/users/carol", znode.EncodeConfig(map[string]string{"producer_byte_rate": "1024"}), 0); err != nil {
		t.Fatal(err)
	}
	waitImage(t, s, "carol's quota", func(img *metadata.Image) bool { return len(img.Quotas) == 1 })
	base := len(configChanges(t, writer))

	cred := &metadata.UserScramCredentialRecord{Salt: []byte("salt-1"), StoredKey: []byte("stored-1"), ServerKey: []byte("server-1"), Iterations: 4096}
	b64 := base64.StdEncoding.EncodeToString
	credString := "salt=" + b64(cred.Salt) + ",stored_key=" + b64(cred.StoredKey) + ",server_key=" + b64(cred.ServerKey) + ",iterations=4096"
	errs := s.AlterScramCredentials(ctx, []metadata.ScramChange{
		{Name: "svc@corp", Mechanism: metadata.ScramSHA512, Credential: cred},
		{Name: "carol", Mechanism: metadata.ScramSHA256, Credential: cred},
		{Name: "bob", Mechanism: metadata.ScramSHA256},
		{Name: "", Mechanism: metadata.ScramSHA256, Credential: cred},
	})
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], kerr.ResourceNotFound) || !errors.Is(errs[3], kerr.UnacceptableCredential) {
		t.Fatalf("alter: %v, want success twice, RESOURCE_NOT_FOUND and UNACCEPTABLE_CREDENTIAL", errs)
	}
	if got, want := mustGet(t, writer, "/config/users/svc%40corp"), `{"version":1,"config":{"SCRAM-SHA-512":"`+credString+`"}}`; got != want {
		t.Fatalf("/config/users/svc%%40corp = %s, want %s", got, want)
	}
	checkConfigZNode(t, writer, "/config/users/carol", map[string]any{"producer_byte_rate": "1024", "SCRAM-SHA-256": credString})
	mustExist(t, writer, "/config/users/bob", false)
	changes := configChanges(t, writer)[base:]
	if len(changes) != 2 {
		t.Fatalf("%d notifications, want 2: %q", len(changes), changes)
	}
	checkConfigChange(t, changes[0], "users/svc%40corp")
	checkConfigChange(t, changes[1], "users/carol")
	img := s.Image()
	if got := img.Scram[metadata.ScramKey{Name: "svc@corp", Mechanism: metadata.ScramSHA512}]; got == nil || !bytes.Equal(got.StoredKey, cred.StoredKey) {
		t.Fatalf("svc@corp's credential in the image when the write returned: %+v", got)
	}
	if got := img.Scram[metadata.ScramKey{Name: "carol", Mechanism: metadata.ScramSHA256}]; got == nil || got.Iterations != 4096 {
		t.Fatalf("carol's credential in the image when the write returned: %+v", got)
	}

	// The last credential goes, the znode and carol's quota stay; a second deletion
	// finds nothing and writes nothing.
	errs = s.AlterScramCredentials(ctx, []metadata.ScramChange{
		{Name: "svc@corp", Mechanism: metadata.ScramSHA512}, {Name: "carol", Mechanism: metadata.ScramSHA256},
	})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("delete: %v", errs)
	}
	if got := mustGet(t, writer, "/config/users/svc%40corp"); got != `{"version":1,"config":{}}` {
		t.Fatalf("/config/users/svc%%40corp after its last credential went: %s", got)
	}
	checkConfigZNode(t, writer, "/config/users/carol", map[string]any{"producer_byte_rate": "1024"})
	if n := len(s.Image().Scram); n != 0 {
		t.Fatalf("the image holds %d credentials when the deletion returned", n)
	}
	if q := s.Image().Quotas; len(q) != 1 {
		t.Fatalf("quotas after the deletion: %v", q)
	}
	errs = s.AlterScramCredentials(ctx, []metadata.ScramChange{{Name: "carol", Mechanism: metadata.ScramSHA256}})
	if !errors.Is(errs[0], kerr.ResourceNotFound) {
		t.Fatalf("delete carol's credential again: %v, want RESOURCE_NOT_FOUND", errs[0])
	}
	if got := configChanges(t, writer)[base:]; len(got) != 4 || !slices.Equal(got[:2], changes) {
		t.Fatalf("notifications %q, want the two writes of each call", got)
	}
}
