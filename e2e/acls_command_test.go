package e2e

import (
	"strings"
	"testing"
)

// TestACLsCommand drives `kbridge acls` against a KRaft node running Kafka's
// StandardAuthorizer (the anonymous PLAINTEXT user is a super user, so the
// command may manage ACLs): --producer and --consumer add the ACLs AclCommand
// 3.9 adds, --list shows them per resource in its format, --remove --force
// takes them away. It needs the broker's CreateAcls, DescribeAcls and
// DeleteAcls (APIs 29-31).
func TestACLsCommand(t *testing.T) {
	n := StartSingleNode(t, "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer", "super.users=User:ANONYMOUS")
	acls := func(args ...string) string {
		t.Helper()
		return Run(t, append([]string{"acls", "--bootstrap-server", n.BrokerAddr}, args...)...)
	}
	topic := "ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)"
	group := "ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)"
	cluster := "ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)"
	ace := func(principal, op string) string {
		return "(principal=" + principal + ", host=*, operation=" + op + ", permissionType=ALLOW)"
	}

	added := acls("--add", "--allow-principal", "User:alice", "--producer", "--idempotent", "--topic", "orders")
	for _, want := range []string{"Adding ACLs for resource `" + topic + "`: \n", "Adding ACLs for resource `" + cluster + "`: \n",
		ace("User:alice", "WRITE"), ace("User:alice", "CREATE"), ace("User:alice", "IDEMPOTENT_WRITE")} {
		if !strings.Contains(added, want) {
			t.Fatalf("add --producer printed no %q:\n%s", want, added)
		}
	}
	acls("--add", "--allow-principal", "User:bob", "--consumer", "--topic", "orders", "--group", "billing")

	listed := acls("--list", "--topic", "orders")
	if !strings.HasPrefix(listed, "Current ACLs for resource `"+topic+"`: \n \t") {
		t.Fatalf("list --topic printed:\n%s", listed)
	}
	for _, want := range []string{ace("User:alice", "WRITE"), ace("User:alice", "DESCRIBE"), ace("User:alice", "CREATE"),
		ace("User:bob", "READ"), ace("User:bob", "DESCRIBE")} {
		if !strings.Contains(listed, want) {
			t.Fatalf("list --topic printed no %s:\n%s", want, listed)
		}
	}
	if got, want := acls("--list", "--group", "billing"), "Current ACLs for resource `"+group+"`: \n \t"+ace("User:bob", "READ")+" \n\n"; got != want {
		t.Fatalf("list --group printed\n%q\nwant\n%q", got, want)
	}
	all := acls("--list", "--principal", "User:alice")
	if !strings.HasPrefix(all, "ACLs for principal `User:alice`\n") || !strings.Contains(all, cluster) || strings.Contains(all, "User:bob") {
		t.Fatalf("list --principal User:alice printed:\n%s", all)
	}

	acls("--remove", "--allow-principal", "User:bob", "--consumer", "--topic", "orders", "--group", "billing", "--force")
	if got := acls("--list", "--group", "billing"); got != "" {
		t.Fatalf("bob's group ACL is still there:\n%s", got)
	}
	acls("--remove", "--topic", "orders", "--cluster", "--force")
	if got := acls("--list"); got != "" {
		t.Fatalf("ACLs left after removing every one:\n%s", got)
	}
}
