package zktest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// startTimeout bounds one start; a JVM on a loaded two-core machine can take
	// several seconds, an idle one answers in well under one.
	startTimeout = 30 * time.Second
	// stopTimeout is how long a SIGTERM gets before SIGKILL follows.
	stopTimeout = 10 * time.Second
	// portAttempts is how often Start picks a new port when another process took the
	// free one between the kernel handing it out and the JVM binding it.
	portAttempts = 3
)

// errPortTaken says the JVM could not bind its client port.
var errPortTaken = errors.New("client port already in use")

// Server is one ZooKeeper server process on a loopback port. Its port and data
// directory stay the same across Stop/Start and Kill/Start, so a restarted server
// has the same tree and the same live sessions, as a restarted production server does.
type Server struct {
	t         testing.TB
	javaPath  string
	classpath string
	dataDir   string
	cfgPath   string
	logPath   string
	host      string
	port      int
	// wrap, when set, changes the JVM's command before it starts: StartIn runs it in a
	// network namespace.
	wrap func(*exec.Cmd) error

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start starts a ZooKeeper server on a free loopback port with a data directory in
// t.TempDir, waits until it serves requests, and stops it when the test ends. A
// missing java or ZooKeeper installation fails the test: `make test-deps` installs
// them, and a test never passes by skipping.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, "127.0.0.1", nil)
}

// StartIn is Start for a server that listens on host, with its command changed by wrap
// before each start: a test of network faults runs ZooKeeper in a network namespace of
// its own (wrap runs the JVM through `ip netns exec`) on that namespace's address.
func StartIn(t testing.TB, host string, wrap func(*exec.Cmd) error) *Server {
	t.Helper()
	return start(t, host, wrap)
}

func start(t testing.TB, host string, wrap func(*exec.Cmd) error) *Server {
	t.Helper()
	javaPath, classpath, err := installation()
	if err != nil {
		t.Fatalf("zktest: %v", err)
	}
	dir := t.TempDir()
	s := &Server{
		t:         t,
		javaPath:  javaPath,
		classpath: classpath,
		dataDir:   filepath.Join(dir, "data"),
		cfgPath:   filepath.Join(dir, "zoo.cfg"),
		logPath:   filepath.Join(dir, "zookeeper.log"),
		host:      host,
		wrap:      wrap,
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			s.dumpLog()
		}
	})
	for attempt := 1; ; attempt++ {
		s.port = freePort(t)
		err := s.launch()
		if err == nil {
			return s
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			t.Fatalf("zktest: %v", err)
		}
	}
}

// Addr is the client address, "host:port", usable as zookeeper.connect.
func (s *Server) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// LogPath is the server's log file, kept across restarts.
func (s *Server) LogPath() string { return s.logPath }

// Start starts a stopped or killed server again on the same port and data directory.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		s.t.Fatalf("zktest: Start of the server on %s, which is running", s.Addr())
	}
	if err := s.launch(); err != nil {
		s.t.Fatalf("zktest: %v", err)
	}
}

// Restart stops the server cleanly and starts it again; sessions survive if their
// clients reconnect within the session timeout.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

// Stop sends SIGTERM and waits for the JVM to exit (SIGKILL after stopTimeout).
// Stopping a stopped server does nothing.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill sends SIGKILL: no shutdown code runs, as in a crash.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Errorf("zktest: signal ZooKeeper (pid %d): %v", cmd.Process.Pid, err)
	}
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		s.t.Errorf("zktest: ZooKeeper (pid %d) did not exit within %v of %v; killing it", cmd.Process.Pid, stopTimeout, sig)
		cmd.Process.Kill()
		<-exited
	}
}

// launch writes the config, starts the JVM and waits until the server serves.
func (s *Server) launch() error {
	if err := writeConfig(s.cfgPath, s.dataDir, s.host, s.port); err != nil {
		return err
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open ZooKeeper log: %w", err)
	}
	logStart, err := logf.Seek(0, io.SeekEnd)
	if err != nil {
		logf.Close()
		return fmt.Errorf("open ZooKeeper log: %w", err)
	}
	cmd := exec.Command(s.javaPath, jvmArgs(s.classpath, s.cfgPath)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if s.wrap != nil {
		if err := s.wrap(cmd); err != nil {
			logf.Close()
			return fmt.Errorf("start ZooKeeper: %w", err)
		}
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start ZooKeeper: %s: %w", strings.Join(cmd.Args, " "), err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	began := time.Now()
	if err := s.waitServing(exited, logStart); err != nil {
		s.Kill()
		return err
	}
	s.t.Logf("zktest: ZooKeeper serving on %s after %v (log %s)", s.Addr(), time.Since(began).Round(time.Millisecond), s.logPath)
	return nil
}

// waitServing polls the `conf` four-letter word until the server answers with its
// configuration. `conf` rather than `ruok`: the port accepts connections before the
// database is loaded, and `conf` answers "not currently serving" until it is; and
// the answer names the data directory, so a different server that happens to hold
// the port is never taken for ours.
func (s *Server) waitServing(exited <-chan struct{}, logStart int64) error {
	want := "dataDir=" + filepath.Join(s.dataDir, "version-2") + "\n"
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			tail := s.logSince(logStart)
			if strings.Contains(tail, "Address already in use") {
				return fmt.Errorf("ZooKeeper on %s: %w", s.Addr(), errPortTaken)
			}
			return fmt.Errorf("ZooKeeper exited before serving on %s; its log:\n%s", s.Addr(), tail)
		default:
		}
		if out, err := fourLetterWord(s.Addr(), "conf", time.Second); err == nil && strings.Contains(out, want) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ZooKeeper not serving on %s after %v; its log:\n%s", s.Addr(), startTimeout, s.logSince(logStart))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logSince reads the log from an offset: what one start of the JVM wrote.
func (s *Server) logSince(offset int64) string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", s.logPath, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, offset, 1<<40))
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", s.logPath, err)
	}
	return string(b)
}

// dumpLog shows the end of the server's log in a failed test's output.
func (s *Server) dumpLog() {
	lines := strings.Split(strings.TrimRight(s.logSince(0), "\n"), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	s.t.Logf("zktest: last lines of %s:\n%s", s.logPath, strings.Join(lines, "\n"))
}

// freePort asks the kernel for an unused loopback port.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("zktest: find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
