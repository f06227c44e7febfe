package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
)

// secureExample is a copy of examples/secure in a test's temporary directory, with
// the example's fixed ports rewritten to free ones and its /tmp paths to the test's
// directory. The rewriting is done here, on the copy, so that the example files keep
// the plain ports and paths an operator types.
type secureExample struct {
	dir   string      // the copy of examples/secure
	tmp   string      // what /tmp is in the copy's files
	ports map[int]int // the example's ports to the test's
}

// localhostPort is how the example files name every address: localhost:PORT.
var localhostPort = regexp.MustCompile(`localhost:(\d+)`)

// copySecureExample copies examples/secure (the README left out: it is read, not
// run) and rewrites every file of the copy.
func copySecureExample(t *testing.T) *secureExample {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "examples", "secure")
	ex := &secureExample{tmp: t.TempDir(), ports: map[int]int{}}
	ex.dir = filepath.Join(ex.tmp, "examples-secure")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		dst := filepath.Join(ex.dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, []byte(ex.rewrite(t, string(text))), info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy examples/secure: %v", err)
	}
	ex.checkRewritten(t)
	return ex
}

// rewrite points the example's /tmp/kbridge-secure* paths into the test's directory
// and gives each distinct localhost port a free one.
func (ex *secureExample) rewrite(t *testing.T, text string) string {
	text = strings.ReplaceAll(text, "/tmp/kbridge-secure", filepath.Join(ex.tmp, "kbridge-secure"))
	return localhostPort.ReplaceAllStringFunc(text, func(m string) string {
		p, _ := strconv.Atoi(strings.TrimPrefix(m, "localhost:"))
		if _, ok := ex.ports[p]; !ok {
			ex.ports[p] = freePort(t)
		}
		return fmt.Sprintf("localhost:%d", ex.ports[p])
	})
}

// checkRewritten fails the test if a file of the copy still names one of the
// example's ports outside a comment (written some other way than localhost:PORT): the
// test would then reach, or collide with, a cluster an operator runs.
func (ex *secureExample) checkRewritten(t *testing.T) {
	t.Helper()
	if len(ex.ports) == 0 {
		t.Fatal("the example files name no localhost:PORT address")
	}
	filepath.WalkDir(ex.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, _ := os.ReadFile(path)
		for i, line := range strings.Split(string(text), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for p := range ex.ports {
				if regexp.MustCompile(`\b` + strconv.Itoa(p) + `\b`).MatchString(line) {
					t.Errorf("%s:%d still names the example's port %d: %s", path, i+1, p, line)
				}
			}
		}
		return nil
	})
}

// path is a file of the copy, named as in examples/secure.
func (ex *secureExample) path(rel string) string { return filepath.Join(ex.dir, rel) }

// tmpPath is where the example's /tmp path p is in the test.
func (ex *secureExample) tmpPath(p string) string {
	return filepath.Join(ex.tmp, strings.TrimPrefix(p, "/tmp/"))
}

// addr is the test's address for the example's localhost:port.
func (ex *secureExample) addr(t *testing.T, port int) string {
	t.Helper()
	p, ok := ex.ports[port]
	if !ok {
		t.Fatalf("the example files do not name localhost:%d", port)
	}
	return fmt.Sprintf("localhost:%d", p)
}

// run runs one of the example's scripts with the binary under test, in the copy.
func (ex *secureExample) run(t *testing.T, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ex.path(script), args...)
	cmd.Dir = ex.dir
	cmd.Env = append(os.Environ(), "KBRIDGE="+kbridgeBin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// caTLS is a client's TLS config trusting only the example's CA (ca.pem in certs);
// franz-go verifies the name it dials, localhost, against the node's certificate.
func caTLS(t *testing.T, certs string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(certs, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in the example's ca.pem")
	}
	return &tls.Config{RootCAs: pool}
}

// secureTarget is what the checks shared by the single node and the cluster need: the
// brokers' addresses, the example's certificates and its client config files.
type secureTarget struct {
	seeds  []string
	certs  string // the directory make-certs.sh wrote
	config string // the directory of admin.properties, alice.properties, bob.properties
}

// client is a franz-go client of the target logging in as user with SCRAM-SHA-512
// over TLS.
func (st secureTarget) client(t *testing.T, user, password string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(st.seeds...), kgo.DialTLSConfig(caTLS(t, st.certs)),
		kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha512Mechanism())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// kbridge runs a client command of the binary under test against the target with
// user's properties file (--command-config and its aliases are the same flag).
func (st secureTarget) kbridge(t *testing.T, user string, args ...string) string {
	t.Helper()
	return Run(t, append(args, "--bootstrap-server", strings.Join(st.seeds, ","), "--command-config", filepath.Join(st.config, user+".properties"))...)
}

// kcat runs kcat as user with the README's SASL_SSL settings and returns its output
// and error.
func (st secureTarget) kcat(t *testing.T, user, password string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, requireTool(t, "kcat"), append([]string{"-b", strings.Join(st.seeds, ","),
		"-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
		"-X", "sasl.username=" + user, "-X", "sasl.password=" + password,
		"-X", "ssl.ca.location=" + filepath.Join(st.certs, "ca.pem")}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// waitServing waits until every one of brokers unfenced brokers is listed in a
// Metadata response to admin.
func (st secureTarget) waitServing(t *testing.T, brokers int) {
	t.Helper()
	adm := kadm.NewClient(st.client(t, "admin", "admin-secret"))
	WaitFor(t, 30*time.Second, fmt.Sprintf("%d brokers serving admin over SASL_SSL", brokers), func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		md, err := adm.BrokerMetadata(ctx)
		return err == nil && len(md.Brokers) == brokers
	})
}

// checkAliceAndBob is the example's point, on a target where admin created orders and
// the acls step ran: alice produces (acks=all) and consumes in group orders-app with
// franz-go and kcat, every record read once; bob is refused TOPIC_AUTHORIZATION_FAILED
// and GROUP_AUTHORIZATION_FAILED and does not see orders in Metadata; a wrong password
// is refused SASL_AUTHENTICATION_FAILED, a plaintext client on the SASL_SSL port is
// refused. It returns what alice produced, group orders-app having committed all of it.
func checkAliceAndBob(t *testing.T, st secureTarget) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	alice := st.client(t, "alice", "alice-secret", kgo.DefaultProduceTopic("orders"), kgo.RequiredAcks(kgo.AllISRAcks()))
	produced := produceSync(t, ctx, alice, "franz", 20)
	kcatLines := "kcat-0\nkcat-1\nkcat-2\nkcat-3\nkcat-4\n"
	if out, err := st.kcat(t, "alice", "alice-secret", kcatLines, "-P", "-t", "orders", "-X", "acks=all"); err != nil {
		t.Fatalf("alice produces with kcat: %v\n%s", err, out)
	}
	produced = append(produced, strings.Fields(kcatLines)...)

	out, err := st.kcat(t, "alice", "alice-secret", "", "-C", "-t", "orders", "-o", "beginning", "-e", "-q")
	if err != nil {
		t.Fatalf("alice consumes with kcat: %v\n%s", err, out)
	}
	checkAcked(t, produced, strings.Fields(out))
	if n := len(strings.Fields(out)); n != len(produced) {
		t.Fatalf("kcat read %d records as alice, want %d:\n%s", n, len(produced), out)
	}

	group := st.client(t, "alice", "alice-secret", kgo.ConsumeTopics("orders"), kgo.ConsumerGroup("orders-app"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := readValues(group, len(produced))
	checkAcked(t, produced, got)
	if len(got) != len(produced) {
		t.Fatalf("alice read %d records in group orders-app, want %d", len(got), len(produced))
	}
	if err := group.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("alice commits group orders-app's offsets: %v", err)
	}
	group.Close()

	bob := st.client(t, "bob", "bob-secret", kgo.DefaultProduceTopic("orders"), kgo.RequestRetries(0))
	if err := bob.ProduceSync(ctx, &kgo.Record{Value: []byte("bob")}).FirstErr(); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("bob produces to orders: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	bobAdm := kadm.NewClient(bob)
	if all, err := bobAdm.ListTopics(ctx); err != nil || all.Has("orders") {
		t.Errorf("bob's Metadata of all topics: %v, %v; want it without orders", all.Names(), err)
	}
	// kadm returns a named topic's authorization failure as the call's error.
	if _, err := bobAdm.ListTopics(ctx, "orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("bob's Metadata of orders: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	if _, err := bobAdm.FetchOffsets(ctx, "orders-app"); !errors.Is(err, kerr.GroupAuthorizationFailed) {
		t.Errorf("bob fetches group orders-app's offsets: %v, want GROUP_AUTHORIZATION_FAILED", err)
	}
	bobReads := st.client(t, "bob", "bob-secret", kgo.ConsumeTopics("orders"), kgo.ConsumerGroup("orders-app"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var bobErr error
	WaitFor(t, 20*time.Second, "bob's group consumer to be refused", func() bool {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		defer pcancel()
		fs := bobReads.PollFetches(pctx)
		if n := fs.NumRecords(); n > 0 {
			t.Fatalf("bob read %d records of orders", n)
		}
		for _, e := range fs.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) {
				bobErr = e.Err
				return true
			}
		}
		return false
	})
	if !errors.Is(bobErr, kerr.GroupAuthorizationFailed) && !errors.Is(bobErr, kerr.TopicAuthorizationFailed) {
		t.Errorf("bob consumes orders in group orders-app: %v, want GROUP_ or TOPIC_AUTHORIZATION_FAILED", bobErr)
	}
	t.Logf("bob's group consumer of orders: %v", bobErr)
	if out, err := st.kcat(t, "bob", "bob-secret", "", "-C", "-t", "orders", "-o", "beginning", "-e", "-q"); err == nil || !strings.Contains(out, "Topic authorization failed") {
		t.Errorf("bob consumes with kcat: %v, want Topic authorization failed:\n%s", err, out)
	}

	wrong := st.client(t, "alice", "guess", kgo.RequestRetries(0))
	if err := wrong.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("alice with a wrong password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	refusePlaintext(t, st.seeds[0])
	return produced
}

// produceSync produces n values "<prefix>-NN" one at a time to cl's default topic and
// returns them; any failure fails the test.
func produceSync(t *testing.T, ctx context.Context, cl *kgo.Client, prefix string, n int) []string {
	t.Helper()
	var values []string
	for i := range n {
		v := fmt.Sprintf("%s-%02d", prefix, i)
		values = append(values, v)
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce %s: %v", v, err)
		}
	}
	return values
}

// refusePlaintext requires a plaintext Kafka client of addr (a TLS port) to be
// refused: the connection is closed before any answer, well within the deadline.
func refusePlaintext(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := kwire.DialWith(ctx, addr, "e2e", kwire.DialTCP)
	if err == nil {
		conn.Close()
		t.Errorf("a plaintext client of %s was answered", addr)
	} else if ctx.Err() != nil {
		t.Errorf("a plaintext client of %s was neither answered nor refused: %v", addr, err)
	}
}

// formatUsers are the --add-scram arguments of the format command that a properties
// file's header comment shows, so that the test formats with what the example says.
func formatUsers(t *testing.T, path string) []string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, m := range regexp.MustCompile(`--add-scram '([^']+)'`).FindAllStringSubmatch(string(text), -1) {
		args = append(args, "--add-scram", m[1])
	}
	if len(args) == 0 {
		t.Fatalf("%s shows no `storage format --add-scram` command", path)
	}
	return args
}

// TestSecureExampleSingleNode runs examples/secure/single-node as its README says:
// make-certs.sh writes the CA and the node's PKCS12 keystore, the node is formatted
// with the SCRAM users its server.properties names and started from that file (both
// listeners SASL_SSL with SCRAM-SHA-512, StandardAuthorizer), admin creates orders with
// `kbridge topics --command-config admin.properties` and grants alice Write and Read on
// orders and Read on group orders-app with `kbridge acls`; then alice produces and
// consumes with franz-go and kcat, bob and a wrong password are refused, and a
// plaintext client of the SASL_SSL port is refused (checkAliceAndBob).
func TestSecureExampleSingleNode(t *testing.T) {
	requireTool(t, "openssl")
	ex := copySecureExample(t)
	certs := ex.tmpPath("/tmp/kbridge-secure/certs")
	ex.run(t, "make-certs.sh", certs)

	props := ex.path("single-node/server.properties")
	n := &Node{t: t, ConfigPath: props, DataDir: ex.tmpPath("/tmp/kbridge-secure/data"),
		BrokerAddr: ex.addr(t, 9092), logPath: filepath.Join(ex.tmp, "server.log")}
	clusterID := strings.TrimSpace(Run(t, "storage", "random-uuid"))
	Run(t, append([]string{"storage", "format", "-t", clusterID, "-c", props}, formatUsers(t, props)...)...)
	n.Start()
	t.Cleanup(func() {
		n.Stop()
		if t.Failed() {
			n.dumpLog()
		}
	})

	st := secureTarget{seeds: []string{n.BrokerAddr}, certs: certs, config: ex.path("single-node")}
	st.waitServing(t, 1)
	st.kbridge(t, "admin", "topics", "create", "--topic", "orders", "--partitions", "1", "--replication-factor", "1")
	st.kbridge(t, "admin", "acls", "--add", "--allow-principal", "User:alice", "--operation", "Write", "--operation", "Read", "--topic", "orders")
	st.kbridge(t, "admin", "acls", "--add", "--allow-principal", "User:alice", "--operation", "Read", "--group", "orders-app")
	checkAliceAndBob(t, st)
	refusePlaintext(t, ex.addr(t, 9093))
}

// secureCluster is examples/secure/cluster run by its cluster.sh in a copy.
type secureCluster struct {
	ex   *secureExample
	root string // the cluster's /tmp/kbridge-secure-cluster
}

// pid is the process id cluster.sh wrote for node name.
func (c secureCluster) pid(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.root, name+".pid"))
	if err != nil {
		t.Fatalf("no pid of %s: %v", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file of %s: %v", name, err)
	}
	return pid
}

// kill sends node name SIGKILL, as in a crash, and waits for it to be gone (or a
// zombie waiting to be reaped: cluster.sh's shell has exited, so the node is no child
// of this test).
func (c secureCluster) kill(t *testing.T, name string) {
	t.Helper()
	pid := c.pid(t, name)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %s (pid %d): %v", name, pid, err)
	}
	WaitFor(t, 10*time.Second, name+" to be gone", func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		_, after, _ := strings.Cut(string(stat), ") ")
		return strings.HasPrefix(after, "Z")
	})
}

// dumpLogs shows the tail of every node's log.
func (c secureCluster) dumpLogs(t *testing.T) {
	logs, _ := filepath.Glob(filepath.Join(c.root, "*.log"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if len(b) > 20000 {
			b = append([]byte("...\n"), b[len(b)-20000:]...)
		}
		t.Logf("%s:\n%s", l, b)
	}
}

// checkSASLSSLEverywhere loads each node's properties file of the copy as kbridge does
// and requires what the example claims: every listener, the controller listener
// included, mapped to SASL_SSL with SCRAM-SHA-512 only; the nodes' own connections
// (to the controllers, between brokers) authenticating with SCRAM-SHA-512; the
// StandardAuthorizer, with no ACL meaning no access.
func checkSASLSSLEverywhere(t *testing.T, ex *secureExample) {
	t.Helper()
	files, _ := filepath.Glob(ex.path("cluster/*-*.properties"))
	if len(files) != 6 {
		t.Fatalf("the cluster example has %d node files, want 6: %v", len(files), files)
	}
	for _, f := range files {
		cfg, err := config.Load(f, nil)
		if err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
		name := filepath.Base(f)
		for l, proto := range cfg.ListenerSecurityProtocolMap {
			if proto != "SASL_SSL" {
				t.Errorf("%s maps listener %s to %s", name, l, proto)
			}
			if m := cfg.ListenerSASL(l).Mechanisms; !slices.Equal(m, []string{"SCRAM-SHA-512"}) {
				t.Errorf("%s enables %v on listener %s", name, m, l)
			}
		}
		keys := []string{config.KeyControllerMechanism}
		if slices.Contains(cfg.ProcessRoles, "broker") {
			keys = append(keys, config.KeyInterBrokerMechanism)
		}
		for _, k := range keys {
			if m := cfg.ClientMechanism(k); m != "SCRAM-SHA-512" {
				t.Errorf("%s: %s is %s", name, k, m)
			}
		}
		if cfg.AuthorizerClassName != "org.apache.kafka.metadata.authorizer.StandardAuthorizer" || cfg.AllowEveryoneIfNoACLFound {
			t.Errorf("%s: authorizer %q, allow.everyone.if.no.acl.found %v", name, cfg.AuthorizerClassName, cfg.AllowEveryoneIfNoACLFound)
		}
	}
}

// TestSecureExampleCluster runs examples/secure/cluster with its own cluster.sh: start
// (certificates, format with the SCRAM users, three controllers and three brokers on
// SASL_SSL everywhere), acls, status; admin creates orders with RF=3 and
// min.insync.replicas=2, and checkAliceAndBob runs against the three brokers. Then,
// with every inter-node connection on SASL_SSL and SCRAM-SHA-512:
//   - alice's idempotent acks=all producer keeps going while the partition leader's
//     broker is killed with SIGKILL, and group orders-app resumes after its committed
//     offsets and reads every acknowledged record exactly once;
//   - `cluster.sh start` brings the killed broker back into the ISR;
//   - the active controller is killed, another is elected, and admin creates a topic
//     with RF=3 through the new one and writes to it with acks=all;
//   - the controller port refuses a plaintext client and serves a TLS client that does
//     not authenticate nothing but ApiVersions.
func TestSecureExampleCluster(t *testing.T) {
	requireTool(t, "openssl")
	ex := copySecureExample(t)
	checkSASLSSLEverywhere(t, ex)
	c := secureCluster{ex: ex, root: ex.tmpPath("/tmp/kbridge-secure-cluster")}
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(t)
		}
		ex.run(t, "cluster/cluster.sh", "stop")
	})
	ex.run(t, "cluster/cluster.sh", "start")

	st := secureTarget{seeds: []string{ex.addr(t, 9092), ex.addr(t, 9192), ex.addr(t, 9292)},
		certs: filepath.Join(c.root, "certs"), config: ex.path("cluster")}
	st.waitServing(t, 3)
	ex.run(t, "cluster/cluster.sh", "acls")
	if out := ex.run(t, "cluster/cluster.sh", "status"); !strings.Contains(out, "LeaderId:") || !strings.Contains(out, "brokers: serving SASL_SSL") {
		t.Fatalf("cluster.sh status:\n%s", out)
	}
	st.kbridge(t, "admin", "topics", "create", "--topic", "orders", "--partitions", "1", "--replication-factor", "3", "--config", "min.insync.replicas=2")
	adminCl := st.client(t, "admin", "admin-secret")
	adm := kadm.NewClient(adminCl)
	var leader int32
	WaitFor(t, 20*time.Second, "orders-0 with 3 in-sync replicas", func() bool {
		pd, err := describePartition(adm, "orders", 0)
		leader = pd.Leader
		return err == nil && len(pd.ISR) == 3
	})
	first := checkAliceAndBob(t, st)

	// A partition leader killed mid-way through alice's acks=all producer.
	p := &ackedProducer{cl: st.client(t, "alice", "alice-secret", kgo.ProducerLinger(0)), topic: "orders"}
	stop := p.start()
	WaitFor(t, 30*time.Second, "200 acknowledged records", func() bool { return p.count() >= 200 })
	c.kill(t, fmt.Sprintf("broker-%d", leader))
	before := p.count()
	WaitFor(t, 40*time.Second, "alice's producer to continue on a new leader", func() bool { return p.count() >= before+200 })
	acked := stop()
	pd, err := describePartition(adm, "orders", 0)
	if err != nil || pd.Leader == leader || pd.Leader < 0 {
		t.Fatalf("orders-0 after killing broker %d: leader %d, %v", leader, pd.Leader, err)
	}
	t.Logf("broker %d killed; broker %d leads orders-0; %d acknowledged, %d failed produce calls", leader, pd.Leader, len(acked), p.failed)
	group := st.client(t, "alice", "alice-secret", kgo.ConsumeTopics("orders"), kgo.ConsumerGroup("orders-app"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := readValues(group, len(acked))
	checkAcked(t, acked, got)
	for _, v := range got {
		if slices.Contains(first, v) {
			t.Fatalf("group orders-app read %s again, which it had committed before the broker was killed", v)
		}
	}

	// cluster.sh start starts what is not running: the killed broker comes back.
	ex.run(t, "cluster/cluster.sh", "start")
	st.waitServing(t, 3)
	WaitFor(t, 30*time.Second, "orders-0 with 3 in-sync replicas again", func() bool {
		pd, err := describePartition(adm, "orders", 0)
		return err == nil && len(pd.ISR) == 3
	})

	// A controller failover, then a topic created through the new active controller.
	old := quorumLeaderOf(t, adminCl)
	if old < 1 {
		t.Fatalf("no quorum leader known to the brokers: %d", old)
	}
	c.kill(t, fmt.Sprintf("controller-%d", old))
	var now int32
	WaitFor(t, 30*time.Second, "a new quorum leader", func() bool {
		now = quorumLeaderOf(t, adminCl)
		return now > 0 && now != old
	})
	t.Logf("controller %d killed, controller %d leads", old, now)
	st.kbridge(t, "admin", "topics", "create", "--topic", "shipments", "--partitions", "1", "--replication-factor", "3", "--config", "min.insync.replicas=2")
	admin := st.client(t, "admin", "admin-secret", kgo.DefaultProduceTopic("shipments"), kgo.RequiredAcks(kgo.AllISRAcks()))
	shipped := produceSync(t, context.Background(), admin, "shipment", 20)
	checkAcked(t, shipped, readValues(st.client(t, "admin", "admin-secret", kgo.ConsumeTopics("shipments"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(shipped)))
	if out := ex.run(t, "cluster/cluster.sh", "status"); !strings.Contains(out, fmt.Sprintf("LeaderId:               %d", now)) {
		t.Errorf("cluster.sh status after the failover does not show controller %d leading:\n%s", now, out)
	}

	// The controller port: TLS first, then SASL.
	live := ex.addr(t, 19090+int(now))
	refusePlaintext(t, live)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tlsOnly := kwire.TLSDialer(func(string) (*tls.Config, error) { return caTLS(t, st.certs), nil })
	conn, err := kwire.DialWith(ctx, live, "e2e", tlsOnly)
	if err != nil {
		t.Fatalf("ApiVersions on the controller port over TLS, before SASL: %v", err)
	}
	defer conn.Close()
	if _, err := conn.Request(ctx, describeQuorumRequest()); err == nil {
		t.Error("the controller port served DescribeQuorum to a connection that did not authenticate")
	}
}
