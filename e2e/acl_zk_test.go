package e2e

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// secureZKCluster is a ZooKeeper-mode cluster as a secured Kafka cluster runs: brokers
// replicate over mutual TLS as User:CN=broker, clients come in over SASL_SSL with
// SCRAM-SHA-512 users stored in /config/users, AclAuthorizer with super users
// User:CN=broker and User:admin.
type secureZKCluster struct {
	*ZKCluster
	pki       testPKI
	saslAddrs []string
	sslAddrs  []string
}

func startSecureZKCluster(t *testing.T, n int, extra ...string) *secureZKCluster {
	t.Helper()
	s := &secureZKCluster{pki: makePKI(t)}
	props := append(s.pki.brokerTLS("none"),
		"listener.name.ssl.ssl.client.auth=required",
		"inter.broker.listener.name=SSL",
		"sasl.enabled.mechanisms=SCRAM-SHA-512",
		"authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
		"super.users=User:CN=broker;User:admin",
	)
	s.ZKCluster = StartZKClusterWith(t, n, func(_ int, addr string) []string {
		saslAddr, sslAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t))
		s.saslAddrs, s.sslAddrs = append(s.saslAddrs, saslAddr), append(s.sslAddrs, sslAddr)
		return []string{fmt.Sprintf("listeners=PLAINTEXT://%s,SSL://%s,SASL_SSL://%s", addr, sslAddr, saslAddr)}
	}, append(props, extra...)...)
	return s
}

// addScramUser writes a SCRAM-SHA-512 credential to /config/users/<name> and its
// change notification, as kafka-configs.sh --zookeeper did.
func (s *secureZKCluster) addScramUser(t *testing.T, name, password string) {
	t.Helper()
	writeScramUser(t, s.ZooKeeper(), name, password)
}

// writeScramUser writes name's SCRAM-SHA-512 credential into ZooKeeper as Kafka's
// tools do: /config/users/<name> and a /config/changes notification.
func writeScramUser(t *testing.T, zc *zkmode.Conn, name, password string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cred, err := saslserver.NewScramCredential(saslserver.ScramSHA512, password, nil, 4096)
	if err != nil {
		t.Fatal(err)
	}
	value := znode.FormatScramCredential(znode.ScramCredential{Salt: cred.Salt, StoredKey: cred.StoredKey, ServerKey: cred.ServerKey, Iterations: cred.Iterations})
	if _, err := zc.CreateRecursive(ctx, "/config/users/"+name, []byte(`{"version":1,"config":{"SCRAM-SHA-512":"`+value+`"}}`), 0); err != nil {
		t.Fatalf("write %s's SCRAM credential: %v", name, err)
	}
	if _, err := zc.CreateRecursive(ctx, "/config/changes/config_change_", []byte(`{"version":2,"entity_path":"users/`+name+`"}`), 2); err != nil {
		t.Fatalf("notify %s's SCRAM credential: %v", name, err)
	}
}

// scramClient is a franz-go client of user over SASL_SSL with SCRAM-SHA-512.
func (s *secureZKCluster) scramClient(t *testing.T, user, password string, opts ...kgo.Opt) *kgo.Client {
	return newClient(t, s.saslAddrs[0], append([]kgo.Opt{kgo.SeedBrokers(s.saslAddrs...), kgo.DialTLSConfig(s.pki.clientTLS(t, false)),
		kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha512Mechanism())}, opts...)...)
}

// TestACLsZooKeeperMode: three ZooKeeper-mode brokers with AclAuthorizer, SCRAM users
// and ACLs written in ZooKeeper's layout as Kafka 2.x-3.x write them (the literal
// store /kafka-acl with a /kafka-acl-changes notification, the prefixed store
// /kafka-acl-extended). alice, allowed to write and read orders and to use group
// app, produces with acks=all to RF=3 and consumes in the group, with franz-go and
// kcat; bob, with no ACLs, is refused with Kafka's error codes and does not see the
// topic; the admin (a super user) creates the topic and grants bob access with
// `kbridge acls --add`, which writes the znode and its notification as Kafka does and
// which the brokers enforce at once; a wrong password and a plaintext
// client on the TLS port fail; a client certificate is a principal (User:CN=alice,O=kbridge).
func TestACLsZooKeeperMode(t *testing.T) {
	s := startSecureZKCluster(t, 3)
	for _, u := range []string{"admin", "alice", "bob"} {
		s.addScramUser(t, u, u+"-secret")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	zc := s.ZooKeeper()
	for path, data := range map[string]string{
		"/kafka-acl/Topic/orders":                   `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Write","host":"*"},{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},{"principal":"User:CN=alice,O=kbridge","permissionType":"Allow","operation":"All","host":"*"}]}`,
		"/kafka-acl/Group/app":                      `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`,
		"/kafka-acl-extended/prefixed/Group/app-":   `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`,
		"/kafka-acl-extended/prefixed/Topic/audit-": `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Describe","host":"*"}]}`,
	} {
		if _, err := zc.CreateRecursive(ctx, path, []byte(data), 0); err != nil {
			t.Fatalf("write %s: %v", path, err)
		}
	}
	if _, err := zc.CreateRecursive(ctx, "/kafka-acl-changes/acl_changes_", []byte("TOPIC:orders"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := zc.CreateRecursive(ctx, "/kafka-acl-extended-changes/acl_changes_", []byte(`{"version":1,"type":"Group","name":"app-","patternType":"PREFIXED"}`), 2); err != nil {
		t.Fatal(err)
	}

	var admin *kgo.Client
	WaitFor(t, 30*time.Second, "the admin's SCRAM credential in use on every broker", func() bool {
		for _, addr := range s.saslAddrs {
			cl := newClient(t, addr, kgo.DialTLSConfig(s.pki.clientTLS(t, false)),
				kgo.SASL(scram.Auth{User: "admin", Pass: "admin-secret"}.AsSha512Mechanism()), kgo.RequestRetries(0))
			if cl.Ping(ctx) != nil {
				return false
			}
		}
		admin = s.scramClient(t, "admin", "admin-secret")
		return true
	})
	adm := kadm.NewClient(admin)
	minISR := "2"
	for _, topic := range []string{"orders", "audit-log"} {
		if resp, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil || resp.Err != nil {
			t.Fatalf("the super user creates %s: %v %v", topic, err, resp.Err)
		}
	}

	alice := s.scramClient(t, "alice", "alice-secret", kgo.DefaultProduceTopic("orders"), kgo.RequiredAcks(kgo.AllISRAcks()))
	var produced []string
	for i := range 30 {
		v := fmt.Sprintf("order-%02d", i)
		produced = append(produced, v)
		if err := alice.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("alice's acks=all produce: %v", err)
		}
	}
	got := readValues(s.scramClient(t, "alice", "alice-secret", kgo.ConsumeTopics("orders"), kgo.ConsumerGroup("app"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(produced))
	slices.Sort(got)
	checkAcked(t, produced, got)
	if topics, err := kadm.NewClient(alice).ListTopics(ctx); err != nil || !slices.Equal(topics.Names(), []string{"audit-log", "orders"}) {
		t.Errorf("alice's topics: %v %v, want audit-log (prefixed Describe) and orders", topics.Names(), err)
	}

	bob := s.scramClient(t, "bob", "bob-secret", kgo.DefaultProduceTopic("orders"), kgo.RequestRetries(0), kgo.RetryTimeout(5*time.Second))
	if err := bob.ProduceSync(ctx, &kgo.Record{Value: []byte("nope")}).FirstErr(); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("bob's produce: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	if topics, err := kadm.NewClient(bob).ListTopics(ctx); err != nil || len(topics) != 0 {
		t.Errorf("bob's topics: %v %v, want none", topics.Names(), err)
	}
	offsets, err := kadm.NewClient(bob).FetchOffsets(ctx, "app")
	if err == nil {
		err = offsets.Error()
	}
	if !errors.Is(err, kerr.GroupAuthorizationFailed) {
		t.Errorf("bob's OffsetFetch of group app: %v, want GROUP_AUTHORIZATION_FAILED", err)
	}

	// kcat (librdkafka) as alice and as bob.
	kcat := func(user string, args ...string) (string, error) {
		base := []string{"-b", s.saslAddrs[0], "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
			"-X", "sasl.username=" + user, "-X", "sasl.password=" + user + "-secret", "-X", "ssl.ca.location=" + s.pki.caCert}
		out, err := exec.CommandContext(ctx, "kcat", append(base, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := kcat("alice", "-G", "app-kcat", "-o", "beginning", "-e", "-q", "orders"); err != nil || len(strings.Fields(out)) != len(produced) {
		t.Errorf("kcat as alice in group app: %v, %d records, want %d:\n%s", err, len(strings.Fields(out)), len(produced), out)
	}
	if out, err := kcat("bob", "-C", "-t", "orders", "-o", "beginning", "-e", "-q"); err == nil || !strings.Contains(strings.ToLower(out), "authoriz") {
		t.Errorf("kcat as bob: %v, want an authorization failure:\n%s", err, out)
	}

	// The super user grants bob Write with `kbridge acls --add` (CreateAcls); the
	// broker stores it in ZooKeeper as AclAuthorizer does, and every broker enforces it.
	out := Run(t, "acls", "--bootstrap-server", s.saslAddrs[0], "--command-config", clientProperties(t, s.pki, "SCRAM-SHA-512", "admin", "admin-secret"),
		"--add", "--allow-principal", "User:bob", "--operation", "Write", "--topic", "orders")
	if !strings.Contains(out, "(principal=User:bob, host=*, operation=WRITE, permissionType=ALLOW)") {
		t.Errorf("kbridge acls --add printed:\n%s", out)
	}
	data, _, err := zc.Get(ctx, "/kafka-acl/Topic/orders")
	if err != nil || !strings.Contains(string(data), `{"principal":"User:bob","permissionType":"Allow","operation":"Write","host":"*"}`) {
		t.Errorf("/kafka-acl/Topic/orders after CreateAcls: %s %v", data, err)
	}
	changes, err := zc.Children(ctx, "/kafka-acl-changes")
	if err != nil || len(changes) < 2 {
		t.Errorf("/kafka-acl-changes after CreateAcls: %v %v, want a second notification", changes, err)
	}
	WaitFor(t, 15*time.Second, "bob's Write ACL enforced", func() bool {
		return bob.ProduceSync(ctx, &kgo.Record{Value: []byte("now allowed")}).FirstErr() == nil
	})

	wrong := s.scramClient(t, "alice", "guess", kgo.RequestRetries(0))
	if err := wrong.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a wrong password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	plaintext := newClient(t, s.saslAddrs[0], kgo.SASL(scram.Auth{User: "alice", Pass: "alice-secret"}.AsSha512Mechanism()),
		kgo.RequestRetries(0), kgo.RetryTimeout(2*time.Second), kgo.DialTimeout(2*time.Second))
	pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
	defer pcancel()
	if err := plaintext.Ping(pctx); err == nil {
		t.Error("a plaintext client was served on the SASL_SSL port")
	}

	// mTLS: alice's certificate is the principal User:CN=alice,O=kbridge, allowed All on orders.
	certAlice := newClient(t, s.sslAddrs[0], kgo.DialTLSConfig(s.pki.clientTLS(t, true)), kgo.DefaultProduceTopic("orders"))
	if err := certAlice.ProduceSync(ctx, &kgo.Record{Value: []byte("by certificate")}).FirstErr(); err != nil {
		t.Errorf("produce as User:CN=alice,O=kbridge over mTLS: %v", err)
	}
	certAliceOther := newClient(t, s.sslAddrs[0], kgo.DialTLSConfig(s.pki.clientTLS(t, true)), kgo.DefaultProduceTopic("audit-log"),
		kgo.RequestRetries(0), kgo.RetryTimeout(5*time.Second), kgo.DisableIdempotentWrite())
	if err := certAliceOther.ProduceSync(ctx, &kgo.Record{Value: []byte("no")}).FirstErr(); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("produce to audit-log as User:CN=alice,O=kbridge: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
}
