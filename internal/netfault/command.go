package netfault

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// tools are the programs the harness drives, with the Debian package of each, so that
// a missing one is reported with what to install.
var tools = []struct{ name, pkg string }{
	{"ip", "iproute2"},
	{"nft", "nftables"},
	{"iptables-nft", "iptables"},
}

// checkTools says which of the tools are missing and how to get them.
func checkTools() error {
	var missing, pkgs []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.name); err != nil {
			missing = append(missing, tool.name)
			pkgs = append(pkgs, tool.pkg)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("netfault needs %s (apt-get install -y %s; make test-deps installs them)",
			strings.Join(missing, ", "), strings.Join(pkgs, " "))
	}
	return nil
}

// run runs a tool to completion and returns its standard output; a failure names the
// whole command line and what the tool wrote to standard error.
func run(stdin io.Reader, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// runIn runs a tool inside the named network namespace.
func runIn(ns string, stdin io.Reader, name string, args ...string) (string, error) {
	return run(stdin, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}
