//go:build !linux

package zktest

import "syscall"

// sysProcAttr has no parent-death signal outside Linux: a test binary that dies
// without running its cleanups leaves the JVM running there.
func sysProcAttr() *syscall.SysProcAttr { return nil }
