package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/migrate"
)

// secureMigration is a ZooKeeper-mode cluster secured as production clusters are,
// ready to migrate: brokers replicate over mutual TLS (User:CN=broker), clients use a
// SASL_SSL listener with SCRAM-SHA-512 users from /config/users, AclAuthorizer with
// ACLs in /kafka-acl; the migration controllers' listener is SASL_SSL (PLAIN, every
// node as User:kbridge) with StandardAuthorizer, and their admin endpoint serves only
// super users. Super users: admin, kbridge, CN=broker.
type secureMigration struct {
	*MigrationCluster
	pki       testPKI
	saslAddrs []string
}

func startSecureMigration(t *testing.T) *secureMigration {
	t.Helper()
	s := &secureMigration{pki: makePKI(t)}
	extra := append(append([]string{
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL",
		"super.users=User:admin;User:kbridge;User:CN=broker",
	}, s.pki.controllerTLS("none")...), controllerPLAIN...)
	s.MigrationCluster = StartMigrationClusterWith(t, 3, 3, func(_ int, addr string) []string {
		saslAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		s.saslAddrs = append(s.saslAddrs, saslAddr)
		return append(s.pki.brokerTLS("none"),
			fmt.Sprintf("listeners=PLAINTEXT://%s,SSL://127.0.0.1:%d,SASL_SSL://%s", addr, freePort(t), saslAddr),
			"listener.name.ssl.ssl.client.auth=required",
			"inter.broker.listener.name=SSL",
			"listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512",
			"authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
		)
	}, extra...)
	for _, n := range s.Controllers {
		appendProperties(t, n.ConfigPath, "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer")
	}
	s.AdminArgs = []string{"--command-config", s.pki.commandConfig(t, "admin", "admin-secret")}
	zc := s.ZooKeeper()
	for _, u := range []string{"admin", "alice", "bob"} {
		writeScramUser(t, zc, u, u+"-secret")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := zc.CreateRecursive(ctx, "/kafka-acl/Topic/orders", []byte(`{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Write","host":"*"},{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := zc.CreateRecursive(ctx, "/kafka-acl-changes/acl_changes_", []byte("TOPIC:orders"), 2); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, "the admin's SCRAM credential in use", func() bool {
		return s.client(t, "admin", kgo.RequestRetries(0)).Ping(ctx) == nil
	})
	minISR := "2"
	for _, topic := range []string{"orders", "load"} {
		if resp, err := kadm.NewClient(s.client(t, "admin")).CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil || resp.Err != nil {
			t.Fatalf("the super user creates %s: %v %v", topic, err, resp.Err)
		}
	}
	return s
}

// client is a franz-go client of user over the brokers' SASL_SSL listeners.
func (s *secureMigration) client(t *testing.T, user string, opts ...kgo.Opt) *kgo.Client {
	return newClient(t, s.saslAddrs[0], append([]kgo.Opt{kgo.SeedBrokers(s.saslAddrs...), kgo.DialTLSConfig(s.pki.clientTLS(t, false)),
		kgo.SASL(scram.Auth{User: user, Pass: user + "-secret"}.AsSha512Mechanism())}, opts...)...)
}

// doorProbe is one user's attempt to produce to orders: a new client each time, so
// every probe authenticates afresh, and no retries, so that a refusal is never hidden
// behind a later success.
type doorProbe struct {
	user string
	at   time.Time
	err  error
}

// doorProbes runs one probe per user every 100 ms until stopped.
type doorProbes struct {
	mu     sync.Mutex
	probes []doorProbe
}

func (d *doorProbes) run(ctx context.Context, s *secureMigration, t *testing.T, user string) {
	tc := s.pki.clientTLS(t, false)
	for ctx.Err() == nil {
		start := time.Now()
		cl, err := kgo.NewClient(kgo.SeedBrokers(s.saslAddrs...), kgo.DialTLSConfig(tc),
			kgo.SASL(scram.Auth{User: user, Pass: user + "-secret"}.AsSha512Mechanism()),
			kgo.DisableIdempotentWrite(), kgo.RecordRetries(0), kgo.RequestRetries(0))
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = cl.ProduceSync(pctx, &kgo.Record{Topic: "orders", Value: []byte("probe " + user)}).FirstErr()
			cancel()
			cl.Close()
		}
		if ctx.Err() != nil {
			return
		}
		d.mu.Lock()
		d.probes = append(d.probes, doorProbe{user: user, at: start, err: err})
		d.mu.Unlock()
		time.Sleep(time.Until(start.Add(100 * time.Millisecond)))
	}
}

// start probes as each user in the background; stop ends them and returns every probe.
func (d *doorProbes) start(s *secureMigration, t *testing.T, users ...string) (stop func() []doorProbe) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() { defer wg.Done(); d.run(ctx, s, t, u) }()
	}
	return func() []doorProbe {
		cancel()
		wg.Wait()
		d.mu.Lock()
		defer d.mu.Unlock()
		return append([]doorProbe(nil), d.probes...)
	}
}

// count reports how many of user's probes in [from, to) succeeded, and how many
// were refused for authorization or authentication.
func (d *doorProbes) count(user string, from, to time.Time) (ok, refused int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.probes {
		if p.user != user || p.at.Before(from) || !p.at.Before(to) {
			continue
		}
		switch {
		case p.err == nil:
			ok++
		case isSecurityRefusal(p.err):
			refused++
		}
	}
	return ok, refused
}

// waitProbes waits until user has had a successful probe (ok) or a refused one
// (!ok) since from.
func (d *doorProbes) waitProbes(t *testing.T, user string, ok bool, from time.Time, what string) {
	t.Helper()
	WaitFor(t, 30*time.Second, what, func() bool {
		good, refused := d.count(user, from, time.Now().Add(time.Hour))
		return (ok && good > 0) || (!ok && refused > 0)
	})
}

// isSecurityRefusal tells an authorization or authentication refusal from the
// transient errors of a migration (a leader moving, a request timing out).
func isSecurityRefusal(err error) bool {
	for _, e := range []error{kerr.TopicAuthorizationFailed, kerr.ClusterAuthorizationFailed, kerr.GroupAuthorizationFailed,
		kerr.TransactionalIDAuthorizationFailed, kerr.SaslAuthenticationFailed, kerr.IllegalSaslState} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// checkDoorShut requires that alice was never refused and bob never let in, in any
// probe, and reports their counts.
func checkDoorShut(t *testing.T, probes []doorProbe) {
	t.Helper()
	counts := map[string][2]int{}
	for _, p := range probes {
		c := counts[p.user]
		switch {
		case p.user == "bob" && p.err == nil:
			t.Errorf("bob, who has no ACL, produced at %s", p.at.Format(time.TimeOnly))
		case p.user != "bob" && isSecurityRefusal(p.err):
			t.Errorf("%s, allowed to write orders, was refused at %s: %v", p.user, p.at.Format(time.TimeOnly), p.err)
		case p.err == nil:
			c[0]++
		default:
			c[1]++
		}
		counts[p.user] = c
	}
	t.Logf("probes (succeeded, other errors): %v", counts)
}

// grantCarolDuringDualWrite creates user carol and her Write ACL on orders through the
// quorum (a broker that moved to it forwards both to the active controller), checks
// that ZooKeeper holds both as Kafka writes them, and once carol has produced starts
// probing as her too; stop ends her probes.
func (s *secureMigration) grantCarolDuringDualWrite(t *testing.T, probes *doorProbes) (stop func() []doorProbe) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(s.client(t, "admin"))
	if res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: "carol", Mechanism: kadm.ScramSha512, Password: "carol-secret"}}); err != nil || res.Error() != nil {
		t.Fatalf("create carol through the quorum: %v %v", err, res.Error())
	}
	created, err := adm.CreateACLs(ctx, kadm.NewACLs().Allow("User:carol").Topics("orders").Operations(kadm.OpWrite))
	if err != nil || created[0].Err != nil {
		t.Fatalf("grant carol through the quorum: %v %v", err, created)
	}
	zc := s.ZooKeeper()
	WaitFor(t, 15*time.Second, "carol's ACL and credential dual-written to ZooKeeper", func() bool {
		acls, _, err := zc.Get(ctx, "/kafka-acl/Topic/orders")
		user, _, uerr := zc.Get(ctx, "/config/users/carol")
		return err == nil && uerr == nil &&
			strings.Contains(string(acls), `{"principal":"User:carol","permissionType":"Allow","operation":"Write","host":"*"}`) &&
			strings.Contains(string(user), `"SCRAM-SHA-512":"salt=`)
	})
	carol := s.client(t, "carol", kgo.DisableIdempotentWrite())
	WaitFor(t, 15*time.Second, "carol's first record", func() bool {
		return carol.ProduceSync(ctx, &kgo.Record{Topic: "orders", Value: []byte("carol")}).FirstErr() == nil
	})
	return probes.start(s, t, "carol")
}

// TestMigrationKeepsTheDoorShut: a ZooKeeper-mode cluster on SASL_SSL with SCRAM users
// and ACLs migrates under an acks=all load — dry-run, commit, the brokers' switch to
// the quorum, finalize — while probes every 100 ms produce as alice (allowed by an ACL)
// and as bob (no ACL), each with a new SCRAM login. alice is never refused and bob
// never let in, before, during and after; a user and an ACL created through the quorum
// during dual-write reach ZooKeeper and let carol in; every acknowledged record of the
// load is read back.
func TestMigrationKeepsTheDoorShut(t *testing.T) {
	s := startSecureMigration(t)
	probes := &doorProbes{}
	stopProbes := probes.start(s, t, "alice", "bob")
	load := &ackedProducer{cl: s.client(t, "admin", kgo.ProducerLinger(0)), topic: "load"}
	stopLoad := load.start()
	begin := time.Now()
	probes.waitProbes(t, "alice", true, begin, "alice producing on ZooKeeper")
	probes.waitProbes(t, "bob", false, begin, "bob refused on ZooKeeper")

	s.StartControllers()
	s.WaitPhase(60*time.Second, migrate.PhasePreMigration, "READY")
	if report, code := dryRunReport(t, append([]string{"--zookeeper", s.Connect(), "--controller", s.ControllerAddr()}, s.AdminArgs...)...); code != 0 {
		t.Fatalf("dry-run: exit %d, findings %+v", code, report.Findings)
	}
	Run(t, append([]string{"migrate", "commit", "--controller", s.ControllerAddr()}, s.AdminArgs...)...)
	s.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	onQuorum := time.Now()
	probes.waitProbes(t, "alice", true, onQuorum, "alice producing on the quorum")
	probes.waitProbes(t, "bob", false, onQuorum, "bob refused on the quorum")
	stopCarol := s.grantCarolDuringDualWrite(t, probes)

	WaitFor(t, 30*time.Second, "finalize accepted once every broker has soaked 1s on the quorum", func() bool {
		_, _, err := RunWithInput(t, nil, append([]string{"migrate", "finalize", "--controller", s.ControllerAddr(), "--min-soak", "1s", "--yes"}, s.AdminArgs...)...)
		return err == nil
	})
	s.WaitPhase(20*time.Second, migrate.PhaseFinalized, "")
	finalized := time.Now()
	for _, u := range []string{"alice", "carol"} {
		probes.waitProbes(t, u, true, finalized, u+" producing after finalize")
	}
	probes.waitProbes(t, "bob", false, finalized, "bob refused after finalize")
	stopCarol()
	checkDoorShut(t, stopProbes())

	acked := stopLoad()
	got := readValues(s.client(t, "admin", kgo.ConsumeTopics("load"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(acked))
	checkAckedOnce(t, acked, got)
}

// TestMigrationRollbackKeepsTheDoorShut: the same cluster commits, takes a user and an
// ACL through the quorum during dual-write, and rolls back to ZooKeeper, with the
// probes of TestMigrationKeepsTheDoorShut running throughout: alice is never refused,
// bob never let in, and carol's dual-written credential and ACL hold on ZooKeeper.
func TestMigrationRollbackKeepsTheDoorShut(t *testing.T) {
	s := startSecureMigration(t)
	probes := &doorProbes{}
	stopProbes := probes.start(s, t, "alice", "bob")
	s.StartControllers()
	s.WaitPhase(60*time.Second, migrate.PhasePreMigration, "READY")
	Run(t, append([]string{"migrate", "commit", "--controller", s.ControllerAddr()}, s.AdminArgs...)...)
	s.WaitPhase(60*time.Second, migrate.PhaseBrokersOnKRaft, "")
	stopCarol := s.grantCarolDuringDualWrite(t, probes)

	out := Run(t, append([]string{"migrate", "rollback", "--controller", s.ControllerAddr()}, s.AdminArgs...)...)
	if !strings.Contains(out, "Rolled back.") {
		t.Fatalf("rollback:\n%s", out)
	}
	for _, n := range s.Brokers {
		WaitFor(t, 30*time.Second, "every broker back on ZooKeeper", func() bool {
			return strings.Contains(n.Log(), "moved back to ZooKeeper in place")
		})
	}
	back := time.Now()
	for _, u := range []string{"alice", "carol"} {
		probes.waitProbes(t, u, true, back, u+" producing on ZooKeeper after the rollback")
	}
	probes.waitProbes(t, "bob", false, back, "bob refused after the rollback")
	stopCarol()
	checkDoorShut(t, stopProbes())
}

// appendProperties adds lines to a server.properties file written earlier.
func appendProperties(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}
