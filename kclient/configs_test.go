package kclient

import (
	"strings"
	"testing"
)

// TestParseAddConfig: --add-config's grammar as ConfigCommand splits it:
// brackets group commas and '=', are dropped from values, white space around
// '=' goes, a trailing comma is ignored, an empty value is a value.
func TestParseAddConfig(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"retention.ms=1000,cleanup.policy=[compact,delete], min.insync.replicas = 2,", map[string]string{
			"retention.ms": "1000", "cleanup.policy": "compact,delete", "min.insync.replicas": "2"}},
		{"SCRAM-SHA-512=[password=secret],SCRAM-SHA-256=[iterations=8192,password=alice-secret]", map[string]string{
			"SCRAM-SHA-512": "password=secret", "SCRAM-SHA-256": "iterations=8192,password=alice-secret"}},
		{"ssl.endpoint.identification.algorithm=", map[string]string{"ssl.endpoint.identification.algorithm": ""}},
	} {
		got, err := ConfigsOptions{AddConfig: tc.in}.parseConfigsToAdd()
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.in, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Fatalf("%s: %s=%q, want %q", tc.in, k, got[k], v)
			}
		}
	}
	for in, want := range map[string]string{
		"a=b=c":          `all configs to be added must be in the format "key=val"`,
		"novalue":        `all configs to be added must be in the format "key=val"`,
		"bad key!=1":     "invalid character found for config key: bad key!",
		"k=[a,b],j=[c=d": `all configs to be added must be in the format "key=val"`,
	} {
		if _, err := (ConfigsOptions{AddConfig: in}).parseConfigsToAdd(); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: got %v, want %q", in, err, want)
		}
	}
}

// TestParseScramUpsert: ConfigCommand's SCRAM values: 4096 iterations unless
// given (-1 also means the default), fewer than 4096 refused, and errors that
// never repeat the password.
func TestParseScramUpsert(t *testing.T) {
	for value, iterations := range map[string]int32{
		"password=secret": 4096, "iterations=8192,password=alice-secret": 8192, "iterations=-1,password=p,with,commas": 4096,
	} {
		u, err := parseScramUpsert("alice", "SCRAM-SHA-256", value)
		if err != nil || u.Iterations != iterations || u.User != "alice" || !strings.HasPrefix(value[strings.Index(value, "password="):], "password="+u.Password) {
			t.Fatalf("%s: got %+v, %v", value, u, err)
		}
	}
	for value, want := range map[string]string{
		"iterations=1000,password=x-secret": "iterations 1000 is less than the minimum 4096 required for SCRAM-SHA-256",
		"pass=x-secret":                     "invalid credential property SCRAM-SHA-256",
		"iterations=,password=x-secret":     "not a number",
	} {
		_, err := parseScramUpsert("alice", "SCRAM-SHA-256", value)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "x-secret") {
			t.Fatalf("%s: got %v, want %q without the password", value, err, want)
		}
	}
}

// TestConfigsRefused: the flag combinations ConfigCommand refuses.
func TestConfigsRefused(t *testing.T) {
	topics := []string{"topics"}
	for _, tc := range []struct {
		name string
		o    ConfigsOptions
		want string
	}{
		{"no action", ConfigsOptions{EntityTypes: topics}, "exactly one action"},
		{"describe with add-config", ConfigsOptions{Describe: true, EntityTypes: topics, AddConfig: "a=b"}, "--describe can't be used"},
		{"no entity type", ConfigsOptions{Describe: true}, "at least one entity type"},
		{"unknown entity type", ConfigsOptions{Describe: true, EntityTypes: []string{"ips"}}, "invalid entity type ips"},
		{"duplicate entity type", ConfigsOptions{Describe: true, EntityTypes: []string{"users", "users"}}, "duplicate entity type"},
		{"topics and users", ConfigsOptions{Describe: true, EntityTypes: []string{"topics", "users"}}, "only 'users' and 'clients'"},
		{"broker name not a number", ConfigsOptions{Describe: true, EntityTypes: []string{"brokers"}, EntityNames: []string{"b1"}}, "valid integer broker id"},
		{"alter topics without a name", ConfigsOptions{Alter: true, EntityTypes: topics, AddConfig: "a=b"}, "an entity name must be specified with --alter of topics"},
		{"alter users without a name", ConfigsOptions{Alter: true, EntityTypes: []string{"users"}, AddConfig: "a=b"}, "an entity-name or default entity"},
		{"alter user and client, one name", ConfigsOptions{Alter: true, EntityTypes: []string{"users", "clients"}, EntityNames: []string{"alice"},
			AddConfig: "producer_byte_rate=1"}, "an entity name must be specified for every entity type"},
		{"alter without configs", ConfigsOptions{Alter: true, EntityTypes: topics, EntityNames: []string{"t"}}, "at least one of --add-config"},
		{"add-config and its file", ConfigsOptions{Alter: true, EntityTypes: topics, EntityNames: []string{"t"}, AddConfig: "a=b", AddConfigFile: "f"},
			"only one of --add-config or --add-config-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.o.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// TestConfigsAgainstKfake: a topic's dynamic configs set, described in
// ConfigCommand's format and deleted; a user's SCRAM credentials set
// (default and given iterations), described and deleted; a user's quota set
// and described; all against franz-go's kfake.
func TestConfigsAgainstKfake(t *testing.T) {
	conn := startCluster(t, 1, "orders")
	ctx := testContext(t)
	run := func(o ConfigsOptions) string {
		t.Helper()
		o.Conn = conn
		var out strings.Builder
		if err := ManageConfigs(ctx, &out, o); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	orders := func(o ConfigsOptions) ConfigsOptions {
		o.EntityTypes, o.EntityNames = []string{"topics"}, []string{"orders"}
		return o
	}
	if got := run(orders(ConfigsOptions{Alter: true, AddConfig: "retention.ms=3600000,cleanup.policy=[compact,delete]"})); got != "Completed updating config for topic orders.\n" {
		t.Fatalf("alter printed %q", got)
	}
	// kfake lists a dynamic config's default among its synonyms, not the
	// config itself as Kafka also does; the lines are as the broker says.
	got := run(orders(ConfigsOptions{Describe: true}))
	want := "Dynamic configs for topic orders are:\n" +
		"  cleanup.policy=compact,delete sensitive=false synonyms={DEFAULT_CONFIG:cleanup.policy=delete}\n" +
		"  retention.ms=3600000 sensitive=false synonyms={DEFAULT_CONFIG:retention.ms=604800000}\n"
	if got != want {
		t.Fatalf("describe printed\n%s\nwant\n%s", got, want)
	}
	run(orders(ConfigsOptions{Alter: true, DeleteConfigs: []string{"retention.ms,cleanup.policy"}}))
	if got := run(orders(ConfigsOptions{Describe: true})); got != "Dynamic configs for topic orders are:\n" {
		t.Fatalf("after deleting both configs describe printed\n%s", got)
	}
	o := orders(ConfigsOptions{Alter: true, DeleteConfigs: []string{"retention.ms"}})
	o.Conn = conn
	if err := ManageConfigs(ctx, &strings.Builder{}, o); err == nil || !strings.Contains(err.Error(), "invalid config(s): retention.ms") {
		t.Fatalf("deleting an unset config: %v", err)
	}

	alice := func(o ConfigsOptions) ConfigsOptions {
		o.EntityTypes, o.EntityNames = []string{"users"}, []string{"alice"}
		return o
	}
	if got := run(alice(ConfigsOptions{Alter: true,
		AddConfig: "SCRAM-SHA-512=[password=secret],SCRAM-SHA-256=[iterations=8192,password=alice-secret]"})); got != "Completed updating config for user alice.\n" {
		t.Fatalf("alter SCRAM printed %q", got)
	}
	if got, want := run(alice(ConfigsOptions{Describe: true})), "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n"; got != want {
		t.Fatalf("describe user printed\n%q\nwant\n%q", got, want)
	}
	run(alice(ConfigsOptions{Alter: true, DeleteConfigs: []string{"SCRAM-SHA-512"}}))
	run(alice(ConfigsOptions{Alter: true, AddConfig: "producer_byte_rate=1024,consumer_byte_rate=1e7"}))
	got = run(alice(ConfigsOptions{Describe: true}))
	if want := "Quota configs for user-principal 'alice' are consumer_byte_rate=1.0E7, producer_byte_rate=1024.0\n" +
		"SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n"; got != want {
		t.Fatalf("describe user printed\n%q\nwant\n%q", got, want)
	}
}
