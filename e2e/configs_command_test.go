package e2e

import (
	"strings"
	"testing"
)

// TestConfigsCommandTopics drives `kbridge configs` on a topic of a KRaft node:
// --alter --add-config (a bracketed list value), --describe in
// ConfigCommand's format, --delete-config, and the refusal to delete a config
// the topic does not set.
func TestConfigsCommandTopics(t *testing.T) {
	n := StartSingleNode(t)
	createTopic(t, n.BrokerAddr, "orders", 1, nil)
	configs := func(args ...string) string {
		t.Helper()
		return Run(t, append([]string{"configs", "--bootstrap-server", n.BrokerAddr, "--entity-type", "topics", "--entity-name", "orders"}, args...)...)
	}
	if got := configs("--alter", "--add-config", "retention.ms=3600000,cleanup.policy=[compact,delete]"); got != "Completed updating config for topic orders.\n" {
		t.Fatalf("alter printed %q", got)
	}
	got := configs("--describe")
	for _, want := range []string{
		"Dynamic configs for topic orders are:\n",
		"\n  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete",
		"\n  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("describe printed no %q:\n%s", want, got)
		}
	}
	if all := configs("--describe", "--all"); !strings.HasPrefix(all, "All configs for topic orders are:\n") || !strings.Contains(all, "\n  segment.bytes=") {
		t.Fatalf("describe --all printed:\n%s", all)
	}
	configs("--alter", "--delete-config", "retention.ms,cleanup.policy")
	if got := configs("--describe"); got != "Dynamic configs for topic orders are:\n" {
		t.Fatalf("after --delete-config describe printed:\n%s", got)
	}
	_, errOut, err := RunWithInput(t, nil, "configs", "--bootstrap-server", n.BrokerAddr, "--entity-type", "topics", "--entity-name", "orders",
		"--alter", "--delete-config", "retention.ms")
	if err == nil || !strings.Contains(errOut, "invalid config(s): retention.ms") {
		t.Fatalf("deleting an unset config: %v %s", err, errOut)
	}
}

// TestConfigsCommandUsers sets a user's SCRAM credentials with kafka-configs'
// syntax (4096 iterations by default, 8192 given), describes them as
// ConfigCommand does, deletes one, and logs in with the other through a
// --command-config file while the deleted one is refused. It needs the broker's DescribeUserScramCredentials
// and AlterUserScramCredentials (APIs 50 and 51).
func TestConfigsCommandUsers(t *testing.T) {
	pki := makePKI(t)
	n, saslAddr := startSecuredNode(t, pki, nil)
	users := func(args ...string) string {
		t.Helper()
		return Run(t, append([]string{"configs", "--bootstrap-server", n.BrokerAddr, "--entity-type", "users", "--entity-name", "alice"}, args...)...)
	}
	if got := users("--alter", "--add-config", "SCRAM-SHA-512=[password=secret],SCRAM-SHA-256=[iterations=8192,password=alice-secret]"); got != "Completed updating config for user alice.\n" {
		t.Fatalf("alter printed %q", got)
	}
	if got, want := users("--describe"), "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n"; got != want {
		t.Fatalf("describe printed\n%q\nwant\n%q", got, want)
	}
	users("--alter", "--delete-config", "SCRAM-SHA-512")
	if got, want := users("--describe"), "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n"; got != want {
		t.Fatalf("after --delete-config describe printed\n%q\nwant\n%q", got, want)
	}
	alice := clientProperties(t, pki, "SCRAM-SHA-256", "alice", "alice-secret")
	Run(t, "topics", "list", "--bootstrap-server", saslAddr, "--command-config", alice)
	deleted := clientProperties(t, pki, "SCRAM-SHA-512", "alice", "secret")
	if _, errOut, err := RunWithInput(t, nil, "topics", "list", "--bootstrap-server", saslAddr, "--command-config", deleted); err == nil {
		t.Fatalf("alice logged in with her deleted SCRAM-SHA-512 credential\n%s", errOut)
	}
}
