package zktest

import "syscall"

// sysProcAttr has the kernel kill the JVM when the test binary dies, so a test
// binary that panics or times out (and so never runs its cleanups) leaves no
// ZooKeeper holding a port and a few hundred MiB behind. The signal is tied to the
// OS thread that started the child; Go only ends threads whose goroutine locked
// them, which the tests here never do.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
