package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kbridgeBin is the binary under test, built once by TestMain.
var kbridgeBin string

func TestMain(m *testing.M) {
	if id := os.Getenv(eosWorkerEnv); id != "" {
		// This process is a consume-transform-produce worker another test started.
		os.Exit(runEOSWorker(id))
	}
	dir, err := os.MkdirTemp("", "kbridge-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	kbridgeBin = filepath.Join(dir, "kbridge")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", kbridgeBin, "./cmd/kbridge")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build kbridge:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireTool finds an external tool. A missing tool fails the test, in CI and
// everywhere else: `make test` installs it, and a test never passes by skipping.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required but not installed (make test-deps installs it): %v", name, err)
	}
	return path
}

// freePort asks the kernel for an unused loopback port, never one it handed out
// before in this run.
func freePort(t testing.TB) int {
	t.Helper()
	handedOut.mu.Lock()
	defer handedOut.mu.Unlock()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		// The kernel may offer a port again once it is closed; one handed out earlier
		// in this run may not be listening yet (two controllers got the same one).
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port
		}
	}
	t.Fatal("no free port that was not handed out already")
	return 0
}

// handedOut are the ports freePort gave out in this test binary.
var handedOut = struct {
	mu    sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// Node is one kbridge server process started by a test.
type Node struct {
	t          testing.TB
	ConfigPath string
	DataDir    string
	BrokerAddr string
	logPath    string
	// Member is the node's member of the test's netfault layout; empty on loopback.
	Member string
	// MetricsAddr is where the node serves /metrics, /healthz and /readyz (host:port);
	// empty when it serves none.
	MetricsAddr string
	// wrap, when set, changes the command before each start: a fault test runs the
	// node in a network namespace (netfault.Layout.Wrap).
	wrap func(*exec.Cmd) error

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// StartSingleNode formats and starts one combined KRaft node on free loopback ports.
// extra holds additional server.properties lines.
func StartSingleNode(t testing.TB, extra ...string) *Node {
	t.Helper()
	return StartSingleNodeOn(t, "PLAINTEXT", extra...)
}

// StartSingleNodeOn is StartSingleNode with the client listener named listener (SSL:
// a TLS listener, whose keys extra must hold).
func StartSingleNodeOn(t testing.TB, listener string, extra ...string) *Node {
	t.Helper()
	dir := t.TempDir()
	broker, controller := fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t))
	return startFormatted(t, dir, broker, append(singleNodeProps(dir, listener, broker, controller), extra...))
}

// singleNodeProps are the lines of a combined node with id 1 and its client and
// controller listeners on the given addresses.
func singleNodeProps(dir, listener, broker, controller string) []string {
	props := []string{
		"process.roles=broker,controller",
		"node.id=1",
		"controller.quorum.voters=1@" + controller,
		fmt.Sprintf("listeners=%s://%s,CONTROLLER://%s", listener, broker, controller),
		"controller.listener.names=CONTROLLER",
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
		"transaction.state.log.replication.factor=1",
		"transaction.state.log.min.isr=1",
		// A group's first member is not kept waiting 3 s for others to join (Kafka's
		// default): the tests' groups form at once, the coordinator's delayed join is
		// broker/group's unit tests' business.
		"group.initial.rebalance.delay.ms=0",
	}
	if listener != "PLAINTEXT" {
		// As in Kafka, a KRaft node with an SSL or SASL listener maps its controller
		// listener explicitly.
		props = append(props, "inter.broker.listener.name="+listener,
			fmt.Sprintf("listener.security.protocol.map=%s:%s,CONTROLLER:PLAINTEXT", listener, listener))
	}
	return props
}

// startFormatted writes props as dir/server.properties, formats the node with a new
// cluster id and formatArgs (e.g. --add-scram), starts it with brokerAddr as the
// address it waits for, and stops it when the test ends, showing its log on failure.
func startFormatted(t testing.TB, dir, brokerAddr string, props []string, formatArgs ...string) *Node {
	t.Helper()
	n := newFormatted(t, dir, brokerAddr, props, formatArgs...)
	n.Start()
	return n
}

// newFormatted is startFormatted up to the start: the caller starts the node.
func newFormatted(t testing.TB, dir, brokerAddr string, props []string, formatArgs ...string) *Node {
	t.Helper()
	n := &Node{
		t:          t,
		ConfigPath: filepath.Join(dir, "server.properties"),
		DataDir:    filepath.Join(dir, "data"),
		BrokerAddr: brokerAddr,
		logPath:    filepath.Join(dir, "server.log"),
	}
	if err := os.WriteFile(n.ConfigPath, []byte(strings.Join(props, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	clusterID := strings.TrimSpace(Run(t, "storage", "random-uuid"))
	Run(t, append([]string{"storage", "format", "-t", clusterID, "-c", n.ConfigPath}, formatArgs...)...)
	t.Cleanup(func() {
		n.Stop()
		if t.Failed() {
			n.dumpLog()
		}
	})
	return n
}

// Start launches the process and waits until the broker port accepts connections.
func (n *Node) Start() {
	n.t.Helper()
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(kbridgeBin, "server", "start", n.ConfigPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if n.wrap != nil {
		if err := n.wrap(cmd); err != nil {
			logf.Close()
			n.t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
	waitForPort(n.t, n.BrokerAddr, done, 30*time.Second, n.dumpLog)
}

// Kill sends SIGKILL: no shutdown code runs, as in a crash.
func (n *Node) Kill() { n.signal(syscall.SIGKILL) }

// Stop sends SIGTERM and waits for a clean exit.
func (n *Node) Stop() { n.signal(syscall.SIGTERM) }

func (n *Node) signal(sig syscall.Signal) {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		n.t.Errorf("node did not stop within 30s after %v", sig)
	}
}

// Log returns what the server wrote so far.
func (n *Node) Log() string {
	b, _ := os.ReadFile(n.logPath)
	return string(b)
}

// keepDirEnv names a directory where a failed test's nodes are copied whole (config,
// full log, data), since the test's own temporary directories go when it ends and the
// log it prints is cut to its tail: E2E_KEEP=/tmp/failed go test ./e2e -run X.
const keepDirEnv = "E2E_KEEP"

func (n *Node) dumpLog() {
	log := n.Log()
	n.keep()
	if len(log) > 20000 {
		log = "...\n" + log[len(log)-20000:]
	}
	n.t.Logf("server log %s:\n%s", n.logPath, log)
}

// keep copies the node's directory under $E2E_KEEP, when it is set.
func (n *Node) keep() {
	root := os.Getenv(keepDirEnv)
	if root == "" {
		return
	}
	dst := filepath.Join(root, strings.Trim(strings.ReplaceAll(strings.TrimPrefix(filepath.Dir(n.ConfigPath), os.TempDir()), "/", "_"), "_"))
	if err := os.MkdirAll(root, 0o755); err != nil {
		n.t.Logf("keep %s: %v", n.ConfigPath, err)
		return
	}
	if out, err := exec.Command("cp", "-a", filepath.Dir(n.ConfigPath), dst).CombinedOutput(); err != nil {
		n.t.Logf("keep %s: %v: %s", n.ConfigPath, err, out)
		return
	}
	n.t.Logf("kept the node's directory as %s", dst)
}

func waitForPort(t testing.TB, addr string, exited <-chan struct{}, timeout time.Duration, onFail func()) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			onFail()
			t.Fatalf("server exited before listening on %s", addr)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	onFail()
	t.Fatalf("nothing listening on %s after %v", addr, timeout)
}

// Run runs a kbridge command to completion and returns its stdout; it fails the test
// on a non-zero exit.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, err := RunWithInput(t, nil, args...)
	if err != nil {
		t.Fatalf("kbridge %s: %v\nstderr: %s\nstdout: %s", strings.Join(args, " "), err, errOut, out)
	}
	return out
}

// RunWithInput runs a kbridge command with stdin and returns stdout, stderr and the error.
func RunWithInput(t testing.TB, stdin []byte, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kbridgeBin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// Pid is the running process's id, 0 when it is stopped.
func (n *Node) Pid() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return 0
	}
	return n.cmd.Process.Pid
}
