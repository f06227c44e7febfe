package e2e

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSecurityWritesDualWritten: during dual-write, an ACL created on the quorum
// (CreateAcls on the active controller's listener) reaches ZooKeeper as Kafka's
// authorizer stores it, with its change event, and a SCRAM credential created through
// a broker on the quorum (forwarded with the keys the broker derived) reaches
// /config/users/<user> with its notification: what ZooKeeper-mode brokers, and a
// rollback, read.
func TestSecurityWritesDualWritten(t *testing.T) {
	m := StartMigrationCluster(t, 1, 1)
	m.CommitToQuorum()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	conn, err := kwire.Dial(ctx, m.activeController(t).BrokerAddr, "e2e-acls")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	create := kmsg.NewPtrCreateACLsRequest()
	create.Creations = append(create.Creations, metadata.ACLBinding{
		ResourceType: metadata.ACLResourceTopic, ResourceName: "orders", PatternType: metadata.ACLPatternLiteral,
		Principal: "User:alice", Host: "*", Operation: metadata.ACLOperationRead, PermissionType: metadata.ACLPermissionAllow,
	}.Creation())
	resp, err := conn.Request(ctx, create)
	if err != nil {
		t.Fatalf("CreateAcls on the controller: %v", err)
	}
	if r := resp.(*kmsg.CreateACLsResponse).Results; len(r) != 1 || r[0].ErrorCode != 0 {
		t.Fatalf("CreateAcls on the controller: %+v", r)
	}
	altered, err := kadm.NewClient(m.Client()).AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: "bob", Mechanism: kadm.ScramSha512, Iterations: 8192, Password: "bob-secret"}})
	if err != nil || altered["bob"].Err != nil {
		t.Fatalf("create bob through a broker on the quorum: %v %+v", err, altered)
	}

	zc := m.ZooKeeper()
	read := func(path string) string {
		data, _, err := zc.Get(ctx, path)
		if err != nil {
			return ""
		}
		return string(data)
	}
	WaitFor(t, 30*time.Second, "alice's ACL in /kafka-acl/Topic/orders", func() bool {
		return read("/kafka-acl/Topic/orders") == `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`
	})
	if got := childrenData(ctx, zc, znode.LiteralACLChangesPath); !slices.Contains(got, "TOPIC:orders") {
		t.Errorf("%s events %q, want TOPIC:orders", znode.LiteralACLChangesPath, got)
	}
	var stored znode.ScramCredential
	WaitFor(t, 30*time.Second, "bob's credential in /config/users/bob", func() bool {
		cfg, err := znode.DecodeConfig([]byte(read("/config/users/bob")))
		if err != nil {
			return false
		}
		stored, err = znode.ParseScramCredential(cfg["SCRAM-SHA-512"])
		return err == nil
	})
	want, err := saslserver.NewScramCredential(saslserver.ScramSHA512, "bob-secret", stored.Salt, 8192)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored.StoredKey, want.StoredKey) || !bytes.Equal(stored.ServerKey, want.ServerKey) || stored.Iterations != 8192 {
		t.Errorf("bob's credential in ZooKeeper %+v, want the keys of his password", stored)
	}
	if got := childrenData(ctx, zc, znode.ConfigChangesPath); !slices.Contains(got, `{"version":2,"entity_path":"users/bob"}`) {
		t.Errorf("config change notifications %q, want one for users/bob", got)
	}
}
