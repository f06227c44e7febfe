package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// scramLogin is a client's SCRAM mechanism for user and password.
func scramLogin(mech kadm.ScramMechanism, user, password string) sasl.Mechanism {
	a := scram.Auth{User: user, Pass: password}
	if mech == kadm.ScramSha512 {
		return a.AsSha512Mechanism()
	}
	return a.AsSha256Mechanism()
}

// scramUserLifecycle runs a SCRAM user's life through the admin API: kadm creates it
// through adminAddr, DescribeUserSCRAMs shows its mechanism and iterations, it logs
// in on saslAddr (a wrong password does not), deleting it removes it from
// DescribeUserSCRAMs and it can no longer log in. created and deleted, when not nil,
// look at the cluster after each step.
func scramUserLifecycle(t *testing.T, adminAddr, saslAddr string, mech kadm.ScramMechanism, created, deleted func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm := kadm.NewClient(newClient(t, adminAddr))
	altered, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: "alice", Mechanism: mech, Iterations: 8192, Password: "alice-secret"}})
	if err != nil || altered["alice"].Err != nil {
		t.Fatalf("create alice: %v %+v", err, altered)
	}
	described, err := adm.DescribeUserSCRAMs(ctx, "alice")
	if d := described["alice"]; err != nil || d.Err != nil || len(d.CredInfos) != 1 || d.CredInfos[0].Mechanism != mech || d.CredInfos[0].Iterations != 8192 {
		t.Fatalf("describe alice: %v %+v, want one %s credential of 8192 iterations", err, described, mech)
	}
	if created != nil {
		created()
	}
	alice := newClient(t, saslAddr, kgo.SASL(scramLogin(mech, "alice", "alice-secret")))
	if err := alice.Ping(ctx); err != nil {
		t.Fatalf("alice's login over %s: %v", mech, err)
	}
	guess := newClient(t, saslAddr, kgo.SASL(scramLogin(mech, "alice", "guess")), kgo.RequestRetries(0))
	if err := guess.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Fatalf("alice with a wrong password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}

	altered, err = adm.AlterUserSCRAMs(ctx, []kadm.DeleteSCRAM{{User: "alice", Mechanism: mech}}, nil)
	if err != nil || altered["alice"].Err != nil {
		t.Fatalf("delete alice: %v %+v", err, altered)
	}
	described, err = adm.DescribeUserSCRAMs(ctx, "alice")
	if err != nil || !errors.Is(described["alice"].Err, kerr.ResourceNotFound) {
		t.Fatalf("describe alice after the deletion: %v %+v, want RESOURCE_NOT_FOUND", err, described)
	}
	if deleted != nil {
		deleted()
	}
	gone := newClient(t, saslAddr, kgo.SASL(scramLogin(mech, "alice", "alice-secret")), kgo.RequestRetries(0))
	if err := gone.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Fatalf("alice's login after the deletion: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
}

// TestSCRAMUserAdminKRaft: on a KRaft node, a user created with AlterUserScramCredentials
// (the broker derives the keys, the controller stores them) is described and logs in
// over SCRAM-SHA-512 at once; deleted, it is gone and cannot log in.
func TestSCRAMUserAdminKRaft(t *testing.T) {
	plainAddr, saslAddr := startKRaftSASLNode(t, "SCRAM-SHA-512")
	scramUserLifecycle(t, plainAddr, saslAddr, kadm.ScramSha512, nil, nil)
}

// TestSCRAMUserAdminZooKeeper: on a ZooKeeper-mode broker the same life, with the
// credential written as Kafka writes it: /config/users/alice holds SCRAM-SHA-256 in
// ScramCredentialUtils' format with the keys of alice's password, each write is
// announced by a v2 config_change_ notification for users/alice, and the deletion
// leaves the znode without the credential.
func TestSCRAMUserAdminZooKeeper(t *testing.T) {
	var saslAddr string
	c := StartZKClusterWith(t, 1, func(_ int, addr string) []string {
		saslAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		return []string{
			fmt.Sprintf("listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s", addr, saslAddr),
			"sasl.enabled.mechanisms=SCRAM-SHA-256",
		}
	})
	zc := c.ZooKeeper()
	ctx := context.Background()
	const userPath = "/config/users/alice"
	before := len(childrenData(ctx, zc, znode.ConfigChangesPath))
	checkNotice := func(n int) {
		t.Helper()
		got := childrenData(ctx, zc, znode.ConfigChangesPath)
		if len(got) != before+n || got[len(got)-1] != `{"version":2,"entity_path":"users/alice"}` {
			t.Fatalf("config change notifications %q, want %d more for users/alice", got, n)
		}
	}
	created := func() {
		data, _, err := zc.Get(ctx, userPath)
		if err != nil {
			t.Fatalf("read %s: %v", userPath, err)
		}
		cfg, err := znode.DecodeConfig(data)
		if err != nil || len(cfg) != 1 {
			t.Fatalf("%s = %s (%v), want one key", userPath, data, err)
		}
		stored, err := znode.ParseScramCredential(cfg["SCRAM-SHA-256"])
		if err != nil {
			t.Fatalf("%s's SCRAM-SHA-256: %v", userPath, err)
		}
		want, err := saslserver.NewScramCredential(saslserver.ScramSHA256, "alice-secret", stored.Salt, 8192)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored.StoredKey, want.StoredKey) || !bytes.Equal(stored.ServerKey, want.ServerKey) || stored.Iterations != 8192 ||
			cfg["SCRAM-SHA-256"] != znode.FormatScramCredential(znode.ScramCredential(want)) {
			t.Fatalf("%s = %s, want the keys of alice's password in Kafka's format", userPath, data)
		}
		checkNotice(1)
	}
	deleted := func() {
		data, _, err := zc.Get(ctx, userPath)
		if err != nil || string(data) != `{"version":1,"config":{}}` {
			t.Fatalf("%s after the deletion = %s (%v), want the empty config", userPath, data, err)
		}
		checkNotice(2)
	}
	scramUserLifecycle(t, c.BrokerAddrs()[0], saslAddr, kadm.ScramSha256, created, deleted)
}

// childrenData is the data of parent's children in name order (sequential znodes in
// the order they were made); a child that cannot be read is "".
func childrenData(ctx context.Context, zc *zkmode.Conn, parent string) []string {
	kids, _ := zc.Children(ctx, parent)
	slices.Sort(kids)
	out := make([]string, len(kids))
	for i, k := range kids {
		data, _, _ := zc.Get(ctx, parent+"/"+k)
		out[i] = string(data)
	}
	return out
}
