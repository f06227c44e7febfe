package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// runDryRunCmd runs a fresh `migrate dry-run` with args and returns its stdout and
// the exit status main would end with.
func runDryRunCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := migrateDryRunCmd()
	// As under rootCmd, which leaves printing the error to main.
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return out.String(), 0
	}
	return out.String(), exitCode(err)
}

// TestMigrateDryRunExitCodes: 2 when the check cannot run, 1 on a blocker, 0 when ready.
func TestMigrateDryRunExitCodes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, args := range [][]string{
		{"--zookeeper", closed, "--timeout", "300ms"},
		{"--zookeeper", closed, "--output", "yaml"},
		{"--zookeeper", closed, "--no-such-flag"},
		{},
	} {
		if _, code := runDryRunCmd(t, args...); code != migrate.ExitUnreadable {
			t.Errorf("dry-run %q: exit %d, want %d", args, code, migrate.ExitUnreadable)
		}
	}

	srv := zktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zkmode.Dial(ctx, srv.Addr()+"/ready", 10*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.CreateRecursive(ctx, znode.ClusterIDPath, znode.EncodeClusterID("fMCL8kv1SWm87L_Md-I2hg"), zk.FlagPersistent); err != nil {
		t.Fatal(err)
	}

	out, code := runDryRunCmd(t, "--zookeeper", srv.Addr()+"/ready")
	if code != migrate.ExitReady || !strings.Contains(out, "Ready: yes") || !strings.Contains(out, migrate.CodeControllerNotChecked) {
		t.Fatalf("ready cluster: exit %d, output:\n%s", code, out)
	}

	out, code = runDryRunCmd(t, "--zookeeper", srv.Addr()+"/nothing", "--output", "json")
	var report migrate.Report
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out)
	}
	if code != migrate.ExitBlocked || report.Ready || report.Findings[0].Code != migrate.CodeClusterIDMissing {
		t.Fatalf("no cluster: exit %d, report %+v", code, report)
	}
}
