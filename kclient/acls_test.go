package kclient

import (
	"strings"
	"testing"
)

// planText renders a plan one resource per line, its entries after it.
func planText(p aclPlan) string {
	var b strings.Builder
	for _, ra := range p {
		b.WriteString(ra.resource.String() + "\n")
		for _, e := range ra.entries {
			b.WriteString("  " + e.String() + "\n")
		}
	}
	return b.String()
}

// TestACLsPlan: the ACLs AclCommand 3.9 makes of its flags: --producer
// (topics, transactional ids, IdempotentWrite on the cluster only with
// --idempotent), --consumer merged with --producer on the same topic,
// --operation names in Kafka's spellings, allow and deny sides with their
// hosts, and the resource types kadm's builder lacks (user principals).
func TestACLsPlan(t *testing.T) {
	alice := []string{"User:alice"}
	for _, tc := range []struct {
		name string
		o    ACLsOptions
		want string
	}{
		{"producer", ACLsOptions{Add: true, Producer: true, Topics: []string{"orders"}, AllowPrincipals: alice}, `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)
  (principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)
  (principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)
  (principal=User:alice, host=*, operation=CREATE, permissionType=ALLOW)
`},
		{"idempotent transactional producer", ACLsOptions{Add: true, Producer: true, Idempotent: true, Topics: []string{"orders"},
			TransactionalIDs: []string{"tx-1"}, AllowPrincipals: alice, AllowHosts: []string{"10.0.0.1"}}, `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)
  (principal=User:alice, host=10.0.0.1, operation=WRITE, permissionType=ALLOW)
  (principal=User:alice, host=10.0.0.1, operation=DESCRIBE, permissionType=ALLOW)
  (principal=User:alice, host=10.0.0.1, operation=CREATE, permissionType=ALLOW)
ResourcePattern(resourceType=TRANSACTIONAL_ID, name=tx-1, patternType=LITERAL)
  (principal=User:alice, host=10.0.0.1, operation=WRITE, permissionType=ALLOW)
  (principal=User:alice, host=10.0.0.1, operation=DESCRIBE, permissionType=ALLOW)
ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)
  (principal=User:alice, host=10.0.0.1, operation=IDEMPOTENT_WRITE, permissionType=ALLOW)
`},
		{"producer and consumer", ACLsOptions{Add: true, Producer: true, Consumer: true, Topics: []string{"orders"}, Groups: []string{"billing"},
			AllowPrincipals: alice}, `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)
  (principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)
  (principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)
  (principal=User:alice, host=*, operation=CREATE, permissionType=ALLOW)
  (principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)
  (principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
`},
		{"operations, allow and deny, prefixed", ACLsOptions{Add: true, PatternType: "Prefixed", Topics: []string{" orders- "},
			Operations: []string{"Read", "describe", "READ"}, AllowPrincipals: []string{"User:*"}, DenyPrincipals: []string{"User:mallory"},
			DenyHosts: []string{"10.0.0.9"}}, `ResourcePattern(resourceType=TOPIC, name=orders-, patternType=PREFIXED)
  (principal=User:*, host=*, operation=READ, permissionType=ALLOW)
  (principal=User:*, host=*, operation=DESCRIBE, permissionType=ALLOW)
  (principal=User:mallory, host=10.0.0.9, operation=READ, permissionType=DENY)
  (principal=User:mallory, host=10.0.0.9, operation=DESCRIBE, permissionType=DENY)
`},
		{"cluster, user principal and delegation token", ACLsOptions{Add: true, Cluster: true, UserPrincipals: []string{"User:bob"},
			DelegationTokens: []string{"tok"}, Operations: []string{"All"}, AllowPrincipals: alice}, `ResourcePattern(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL)
  (principal=User:alice, host=*, operation=ALL, permissionType=ALLOW)
ResourcePattern(resourceType=DELEGATION_TOKEN, name=tok, patternType=LITERAL)
  (principal=User:alice, host=*, operation=ALL, permissionType=ALLOW)
ResourcePattern(resourceType=USER, name=User:bob, patternType=LITERAL)
  (principal=User:alice, host=*, operation=ALL, permissionType=ALLOW)
`},
		{"remove every ACL of a resource", ACLsOptions{Remove: true, PatternType: "match", Groups: []string{"billing"}},
			"ResourcePattern(resourceType=GROUP, name=billing, patternType=MATCH)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.o.check(); err != nil {
				t.Fatal(err)
			}
			plan := tc.o.addPlan
			if tc.o.Remove {
				plan = tc.o.removePlan
			}
			p, err := plan()
			if err != nil {
				t.Fatal(err)
			}
			if got := planText(p); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestACLsRefused: the flag combinations and values AclCommand refuses.
func TestACLsRefused(t *testing.T) {
	alice := []string{"User:alice"}
	orders := []string{"orders"}
	for _, tc := range []struct {
		name string
		o    ACLsOptions
		want string
	}{
		{"no action", ACLsOptions{Topics: orders}, "exactly one action"},
		{"two actions", ACLsOptions{Add: true, List: true}, "exactly one action"},
		{"list with a principal to allow", ACLsOptions{List: true, AllowPrincipals: alice}, "--list can't be used with option --allow-principal"},
		{"producer with operations", ACLsOptions{Add: true, Producer: true, Topics: orders, Operations: []string{"Read"}}, "--producer can't be used with option --operation"},
		{"consumer with deny", ACLsOptions{Add: true, Consumer: true, Topics: orders, Groups: orders, DenyPrincipals: alice}, "--consumer can't be used with option --deny-principal"},
		{"principal without list", ACLsOptions{Add: true, Principals: alice}, "--principal option is only available if --list"},
		{"producer without topic", ACLsOptions{Add: true, Producer: true, AllowPrincipals: alice}, "with --producer you must specify a --topic"},
		{"idempotent without producer", ACLsOptions{Add: true, Idempotent: true, Topics: orders}, "--idempotent option is only available if --producer"},
		{"consumer without group", ACLsOptions{Add: true, Consumer: true, Topics: orders}, "with --consumer you must specify a --topic and a --group"},
		{"consumer with cluster", ACLsOptions{Add: true, Consumer: true, Topics: orders, Groups: orders, Cluster: true}, "no --cluster or --transactional-id"},
		{"add with match", ACLsOptions{Add: true, PatternType: "match", Topics: orders, AllowPrincipals: alice}, "'MATCH' is not valid when adding acls"},
		{"unknown pattern type", ACLsOptions{Add: true, PatternType: "glob", Topics: orders, AllowPrincipals: alice}, "unknown --resource-pattern-type"},
		{"add without principals", ACLsOptions{Add: true, Topics: orders, AllowHosts: []string{"10.0.0.1"}}, "you must specify one of: --allow-principal, --deny-principal"},
		{"no resource", ACLsOptions{Add: true, AllowPrincipals: alice}, "you must provide at least one resource"},
		{"cluster is literal only", ACLsOptions{Remove: true, PatternType: "prefixed", Cluster: true}, "you must provide at least one resource"},
		{"operation of another resource type", ACLsOptions{Add: true, Groups: orders, Operations: []string{"Write"}, AllowPrincipals: alice},
			"ResourceType GROUP only supports operations All, Read, Delete, Describe"},
		{"unknown operation", ACLsOptions{Add: true, Topics: orders, Operations: []string{"Idempotent_Write"}, AllowPrincipals: alice},
			"ResourceType TOPIC only supports operations"},
		{"principal without type", ACLsOptions{Add: true, Topics: orders, AllowPrincipals: []string{"alice"}},
			"expected a string in format principalType:principalName but got alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.check()
			if err == nil && tc.o.Add {
				_, err = tc.o.addPlan()
			}
			if err == nil && tc.o.Remove {
				_, err = tc.o.removePlan()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestACLsAgainstKfake: add with --producer and --consumer, list and remove
// (asking first, then --force) against franz-go's kfake, which serves
// CreateAcls, DescribeAcls and DeleteAcls; the output is AclCommand's, byte
// for byte.
func TestACLsAgainstKfake(t *testing.T) {
	conn := startCluster(t, 1)
	ctx := testContext(t)
	run := func(o ACLsOptions, stdin string) string {
		t.Helper()
		o.Conn = conn
		var out strings.Builder
		if err := ManageACLs(ctx, strings.NewReader(stdin), &out, o); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	topic := "ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)"
	group := "ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)"
	ace := func(p, op string) string {
		return "(principal=" + p + ", host=*, operation=" + op + ", permissionType=ALLOW)"
	}

	got := run(ACLsOptions{Add: true, Producer: true, Topics: []string{"orders"}, AllowPrincipals: []string{"User:alice"}}, "")
	want := "Adding ACLs for resource `" + topic + "`: \n \t" + ace("User:alice", "WRITE") + "\n\t" + ace("User:alice", "DESCRIBE") +
		"\n\t" + ace("User:alice", "CREATE") + " \n\n"
	if got != want {
		t.Fatalf("add --producer printed\n%q\nwant\n%q", got, want)
	}
	run(ACLsOptions{Add: true, Consumer: true, Topics: []string{"orders"}, Groups: []string{"billing"}, AllowPrincipals: []string{"User:bob"}}, "")

	got = run(ACLsOptions{List: true, Groups: []string{"billing"}}, "")
	if want := "Current ACLs for resource `" + group + "`: \n \t" + ace("User:bob", "READ") + " \n\n"; got != want {
		t.Fatalf("list --group printed\n%q\nwant\n%q", got, want)
	}
	got = run(ACLsOptions{List: true, Principals: []string{"User:bob"}}, "")
	if !strings.HasPrefix(got, "ACLs for principal `User:bob`\n") || strings.Contains(got, "User:alice") || strings.Count(got, "User:bob, host") != 3 {
		t.Fatalf("list --principal User:bob printed\n%s", got)
	}

	prompt := run(ACLsOptions{Remove: true, Topics: []string{"orders"}}, "n\n")
	if want := "Are you sure you want to delete all ACLs for resource filter `" + topic + "`? (y/n)\n"; prompt != want {
		t.Fatalf("remove asked\n%q\nwant\n%q", prompt, want)
	}
	if got := run(ACLsOptions{List: true, Topics: []string{"orders"}}, ""); strings.Count(got, "\t(") != 5 {
		t.Fatalf("answering n removed ACLs:\n%s", got)
	}
	run(ACLsOptions{Remove: true, Consumer: true, Topics: []string{"orders"}, Groups: []string{"billing"}, AllowPrincipals: []string{"User:bob"}}, "y\ny\n")
	run(ACLsOptions{Remove: true, Topics: []string{"orders"}, Force: true}, "")
	if got := run(ACLsOptions{List: true}, ""); got != "" {
		t.Fatalf("ACLs left after removing them all:\n%s", got)
	}
}
