package e2e

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestSASLListeners: a ZooKeeper-mode broker with a SASL_PLAINTEXT listener (PLAIN,
// users from its JAAS config) and a SASL_SSL one (SCRAM-SHA-512, bob's credential in
// /config/users as Kafka writes it), beside its PLAINTEXT inter-broker listener. alice
// (PLAIN) and bob (SCRAM over TLS, franz-go and kcat) produce and consume; a wrong
// password is refused with SASL_AUTHENTICATION_FAILED; a client that does not
// authenticate is served nothing.
func TestSASLListeners(t *testing.T) {
	pki := makePKI(t)
	var plainAddr, scramAddr string
	c := StartZKClusterWith(t, 1, func(_ int, addr string) []string {
		plainAddr, scramAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t))
		return []string{
			fmt.Sprintf("listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s,SASL_SSL://%s", addr, plainAddr, scramAddr),
			"listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
			`listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";`,
			"listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512",
		}
	}, pki.brokerTLS("none")...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// bob's SCRAM-SHA-512 credential, as kafka-configs.sh writes it, then a restart so
	// the broker reads it (it also follows config changes, not tested here).
	cred, err := saslserver.NewScramCredential(saslserver.ScramSHA512, "bob-secret", nil, 8192)
	if err != nil {
		t.Fatal(err)
	}
	zc := c.ZooKeeper()
	userCfg := znode.EncodeConfig(map[string]string{"SCRAM-SHA-512": znode.FormatScramCredential(znode.ScramCredential{
		Salt: cred.Salt, StoredKey: cred.StoredKey, ServerKey: cred.ServerKey, Iterations: cred.Iterations})})
	if _, err := zc.CreateRecursive(ctx, znode.ConfigEntityPath("users", "bob"), userCfg, 0); err != nil {
		t.Fatalf("write bob's SCRAM credential: %v", err)
	}
	c.Brokers[0].Stop()
	c.Brokers[0].Start()
	if resp, err := kadm.NewClient(c.Client()).CreateTopic(ctx, 1, 1, nil, "sasl"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}

	alice := newClient(t, plainAddr, kgo.SASL(plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism()), kgo.DefaultProduceTopic("sasl"))
	bob := newClient(t, scramAddr, kgo.DialTLSConfig(pki.clientTLS(t, false)),
		kgo.SASL(scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha512Mechanism()), kgo.DefaultProduceTopic("sasl"))
	var produced []string
	for i, cl := range []*kgo.Client{alice, bob} {
		for j := range 20 {
			v := fmt.Sprintf("sasl-%d-%02d", i, j)
			produced = append(produced, v)
			if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatalf("produce as %s: %v", []string{"alice (PLAIN)", "bob (SCRAM over TLS)"}[i], err)
			}
		}
	}
	got := readValues(newClient(t, scramAddr, kgo.DialTLSConfig(pki.clientTLS(t, false)),
		kgo.SASL(scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha512Mechanism()), kgo.ConsumeTopics("sasl"),
		kgo.ConsumerGroup("bobs"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(produced))
	slices.Sort(got)
	checkAcked(t, produced, got)

	out, err := exec.CommandContext(ctx, "kcat", "-b", scramAddr, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
		"-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-X", "ssl.ca.location="+pki.caCert,
		"-C", "-t", "sasl", "-o", "beginning", "-e", "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat with SCRAM-SHA-512 over TLS: %v\n%s", err, out)
	}
	if n := len(strings.Fields(string(out))); n != len(produced) {
		t.Fatalf("kcat read %d records, want %d:\n%s", n, len(produced), out)
	}

	wrong := newClient(t, plainAddr, kgo.SASL(plain.Auth{User: "alice", Pass: "guess"}.AsMechanism()), kgo.RequestRetries(0))
	if err := wrong.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a wrong PLAIN password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	wrongScram := newClient(t, scramAddr, kgo.DialTLSConfig(pki.clientTLS(t, false)),
		kgo.SASL(scram.Auth{User: "bob", Pass: "guess"}.AsSha512Mechanism()), kgo.RequestRetries(0))
	if err := wrongScram.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a wrong SCRAM password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	anonymous := newClient(t, plainAddr, kgo.RequestRetries(0), kgo.RetryTimeout(2*time.Second))
	pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
	defer pcancel()
	if _, err := kadm.NewClient(anonymous).ListTopics(pctx); err == nil {
		t.Error("a client that did not authenticate was served Metadata")
	}
}

// TestSCRAMUserFromFormat: a KRaft node formatted with `storage format --add-scram`
// (Kafka 3.9's way to give a new cluster its first SCRAM user) authenticates that user
// over SCRAM-SHA-512 on its SASL_PLAINTEXT listener from the first start, and refuses
// a wrong password.
func TestSCRAMUserFromFormat(t *testing.T) {
	_, saslAddr := startKRaftSASLNode(t, "SCRAM-SHA-512", "--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret]")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := newClient(t, saslAddr, kgo.SASL(scram.Auth{User: "admin", Pass: "admin-secret"}.AsSha512Mechanism()), kgo.DefaultProduceTopic("bootstrapped"))
	if resp, err := kadm.NewClient(admin).CreateTopic(ctx, 1, 1, nil, "bootstrapped"); err != nil || resp.Err != nil {
		t.Fatalf("create a topic as the bootstrapped SCRAM user: %v %v", err, resp.Err)
	}
	if err := admin.ProduceSync(ctx, &kgo.Record{Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatalf("produce as the bootstrapped SCRAM user: %v", err)
	}
	wrong := newClient(t, saslAddr, kgo.SASL(scram.Auth{User: "admin", Pass: "guess"}.AsSha512Mechanism()), kgo.RequestRetries(0))
	if err := wrong.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a wrong password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
}

// startKRaftSASLNode formats and starts a combined KRaft node with a PLAINTEXT and a
// SASL_PLAINTEXT listener, the latter with the SASL mechanisms given
// (sasl.enabled.mechanisms); formatArgs go to `storage format`.
func startKRaftSASLNode(t *testing.T, mechanisms string, formatArgs ...string) (plainAddr, saslAddr string) {
	t.Helper()
	dir := t.TempDir()
	bp, sp, cp := freePort(t), freePort(t), freePort(t)
	startFormatted(t, dir, fmt.Sprintf("127.0.0.1:%d", bp), []string{
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", cp),
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,SASL_PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", bp, sp, cp),
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
		"controller.listener.names=CONTROLLER",
		"sasl.enabled.mechanisms=" + mechanisms,
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
	}, formatArgs...)
	return fmt.Sprintf("127.0.0.1:%d", bp), fmt.Sprintf("127.0.0.1:%d", sp)
}
