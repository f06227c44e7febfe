package netfault

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Command is exec.Command for a program that runs in a member's namespace (for the
// clients, in the root namespace, as it is).
func (l *Layout) Command(name, program string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(program, args...)
	if err := l.Wrap(name, cmd); err != nil {
		return nil, err
	}
	return cmd, nil
}

// Wrap turns a command that has not started into one that runs in a member's
// namespace, through `ip netns exec`, which execs the program after switching: the
// process is the program itself, with its own pid, so signals reach it. It leaves a
// command for the clients as it is.
func (l *Layout) Wrap(name string, cmd *exec.Cmd) error {
	ns, err := l.Namespace(name)
	if err != nil {
		return err
	}
	if ns == "" {
		return nil
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return fmt.Errorf("netfault: run %s in %s: %w", cmd.Path, ns, err)
	}
	cmd.Args = append([]string{ip, "netns", "exec", ns, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = ip
	return nil
}

// Do runs fn on an OS thread that has joined a member's network namespace, so that
// sockets fn opens (a listener, a dial) are that member's: a test can be a node's peer
// without a process of its own. Do waits for fn. Sockets keep their namespace after fn
// returns; goroutines fn starts run in the caller's namespace.
func (l *Layout) Do(name string, fn func() error) error {
	ns, err := l.Namespace(name)
	if err != nil {
		return err
	}
	if ns == "" {
		return fn()
	}
	return inNamespace(ns, fn)
}

// inNamespace runs fn on a goroutine locked to its thread, which joins the namespace
// for fn and returns to its own afterwards; only then is the thread unlocked. Should
// the return fail, the thread stays locked and leaves the runtime with its goroutine,
// so no other goroutine ever runs in the namespace by chance.
func inNamespace(ns string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			done <- fmt.Errorf("netfault: open this thread's namespace: %w", err)
			return
		}
		defer own.Close()
		target, err := os.Open(filepath.Join(netnsDir, ns))
		if err != nil {
			done <- fmt.Errorf("netfault: open namespace %s: %w", ns, err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("netfault: join namespace %s: %w", ns, err)
			return
		}
		fnErr := fn()
		if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- errors.Join(fnErr, fmt.Errorf("netfault: leave namespace %s: %w", ns, err))
			return
		}
		runtime.UnlockOSThread()
		done <- fnErr
	}()
	return <-done
}
