package tlsconf

import (
	"fmt"
	"strings"
	"testing"
)

// kafkaString renders parsed rules as SslPrincipalMapper.toString does, so
// Kafka's own expectations can be used as they are.
func kafkaString(m mapper) string {
	var rules []string
	for _, r := range m {
		if r.isDefault {
			rules = append(rules, "DEFAULT")
			continue
		}
		s := "RULE:" + r.pattern.String() + "/" + r.replacement
		switch {
		case r.lower:
			s += "/L"
		case r.upper:
			s += "/U"
		}
		rules = append(rules, s)
	}
	return "[" + strings.Join(rules, ", ") + "]"
}

// The cases of Kafka's SslPrincipalMapperTest.
func TestMappingRulesAsKafkaParsesThem(t *testing.T) {
	for _, rules := range []string{
		"DEFAULT",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT",
		"RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/",
		"RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L",
		"RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U",
		"RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/",
		"RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/",
	} {
		if _, err := parseRules(rules); err != nil {
			t.Errorf("parseRules(%q): %v", rules, err)
		}
	}
	for _, rules := range []string{
		"default",
		"DEFAUL",
		"DEFAULT/L",
		"DEFAULT/U",
		"RULE:CN=(.*?),OU=ServiceUsers.*/$1",
		"rule:^CN=(.*?),OU=ServiceUsers.*$/$1/",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/L",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/U",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/LU",
	} {
		if _, err := parseRules(rules); err == nil {
			t.Errorf("parseRules(%q) accepted invalid rules", rules)
		}
	}
	for _, c := range []struct{ want, rules string }{
		{"[]", ""},
		{"[DEFAULT]", "DEFAULT"},
		{"[RULE:/]", "RULE://"},
		{"[RULE:/.*]", "RULE:/.*/"},
		{"[RULE:/.*/L]", "RULE:/.*/L"},
		{"[RULE:/, DEFAULT]", "RULE://,DEFAULT"},
		{"[RULE:/, DEFAULT]", "  RULE:// ,  DEFAULT  "},
		{"[RULE:   /     , DEFAULT]", "  RULE:   /     / ,  DEFAULT  "},
		{"[RULE:  /     /U, DEFAULT]", "  RULE:  /     /U   ,DEFAULT  "},
		{"[RULE:([A-Z]*)/$1/U, RULE:([a-z]+)/$1, DEFAULT]", "  RULE:([A-Z]*)/$1/U   ,RULE:([a-z]+)/$1/,   DEFAULT  "},
		{"[]", ",   , , ,      , , ,   "},
		{"[RULE:/, DEFAULT]", ",,RULE://,,,DEFAULT,,"},
		{"[RULE: /   , DEFAULT]", ",  , RULE: /   /    ,,,   DEFAULT, ,   "},
		{"[RULE:   /  /U, DEFAULT]", "     ,  , RULE:   /  /U    ,,  ,DEFAULT, ,"},
		{`[RULE:\/\\\(\)\n\t/\/\/]`, `RULE:\/\\\(\)\n\t/\/\//`},
		{`[RULE:\**\/+/*/L, RULE:\/*\**/**]`, `RULE:\**\/+/*/L,RULE:\/*\**/**/`},
		{`[RULE:,RULE:,/,RULE:,\//U, RULE:,/RULE:,, RULE:,RULE:,/L,RULE:,/L, RULE:, DEFAULT, /DEFAULT, DEFAULT]`,
			`RULE:,RULE:,/,RULE:,\//U,RULE:,/RULE:,/,RULE:,RULE:,/L,RULE:,/L,RULE:, DEFAULT, /DEFAULT/,DEFAULT`},
	} {
		m, err := parseRules(c.rules)
		if got := kafkaString(m); err != nil || got != c.want {
			t.Errorf("parseRules(%q) = %s, %v; want %s", c.rules, got, err, c.want)
		}
	}
}

// TestMappingNames checks names against what Kafka 3.9's SslPrincipalMapper
// returns on a JVM for the same rules and names (Kafka's own cases first,
// then Java's String.replaceAll corners); "error" marks a name Kafka fails.
func TestMappingNames(t *testing.T) {
	kafkaRules := strings.Join([]string{
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L",
		"RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L",
		"RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U",
		"RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U",
		"DEFAULT",
	}, ", ")
	const errorWanted = "error"
	for _, c := range []struct{ rules, dn, want string }{
		{"DEFAULT", "CN=alice,OU=eng,O=example", "CN=alice,OU=eng,O=example"},
		{kafkaRules, "CN=Duke,OU=ServiceUsers,O=Org,C=US", "duke"},
		{kafkaRules, "CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US", "duke@sme"},
		{kafkaRules, "cn=duke,ou=sme,dc=mycp,dc=com", "DUKE@SME"},
		{kafkaRules, "cN=duke,OU=JavaSoft,O=Sun Microsystems", "DUKE"},
		{kafkaRules, "OU=JavaSoft,O=Sun Microsystems,C=US", "OU=JavaSoft,O=Sun Microsystems,C=US"},
		{`RULE:^CN=((\\, *|\w)+)(,.*|$)/$1/,DEFAULT`, `CN=Tkac\, Adam,OU=ITZ,DC=geodis,DC=cz`, `Tkac\, Adam`},
		// Java's Matcher finds an empty match where a match ended.
		{"RULE:.*/kafka/", "CN=alice,OU=eng,O=example", "kafkakafka"},
		{"RULE:^.*$/kafka/", "CN=alice,OU=eng,O=example", "kafka"},
		{"RULE:(.*)/x$1y/", "CN=alice,OU=eng,O=example", "xCN=alice,OU=eng,O=exampleyxy"},
		{"RULE:(CN=a)?.*?/[$1]/", "CN=a", "[CN=a][]"},
		{`RULE:\bCN\b.*?(?:,|$)/<>/`, "CN=a,OU=CN", "<>OU=<>"},
		{"RULE:x*/-/", "", "-"},
		// A rule applies only to a whole name.
		{"RULE:b*/-/", "abc", errorWanted},
		// Group references: Kafka's literal "$n" for a missing group,
		// Java's longest existing group number, named groups, escapes.
		{"RULE:CN=([^,]*),.*/$1 and $2/", "CN=alice,OU=eng", "alice and $2"},
		{"RULE:CN=([^,]*),.*/$12/", "CN=alice,OU=eng", "alice2"},
		{"RULE:CN=([^,]*),(.*)/$12/", "CN=alice,OU=eng", "alice2"},
		{"RULE:CN=([^,]*),.*/$2 and $3/", "CN=alice,OU=eng", errorWanted},
		{"RULE:CN=.*/$1/", "CN=alice,OU=eng", errorWanted},
		{`RULE:CN=(?<user>[^,]*),.*/${user}\$\\/`, "CN=alice,OU=eng", `alice$\`},
		{"RULE:CN=([^,]*),.*/${nope}/", "CN=alice,OU=eng", errorWanted},
		{"RULE:CN=([^,]*),.*/$/", "CN=alice,OU=eng", errorWanted},
		{"RULE:CN=([^,]*),.*/$x/", "CN=alice,OU=eng", errorWanted},
		{`RULE:CN=([^,]*)\/x,.*/$1/`, "CN=alice/x,OU=eng", "alice"},
		{"RULE:O=x/y/, RULE:OU=.*/z/", "CN=alice,OU=eng", errorWanted},
		{"", "CN=alice", errorWanted},
		{"RULE:^CN=(.*?),.*$/$1/L,DEFAULT", "CN=ÀLICE,OU=eng", "àlice"},
		{"RULE:(?i)cn=([^,]+)(,.*)?/$1/", "cn=bob", "bob"},
	} {
		t.Run(fmt.Sprintf("%s on %s", c.rules, c.dn), func(t *testing.T) {
			m, err := parseRules(c.rules)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.name(c.dn)
			switch {
			case c.want == errorWanted && err == nil:
				t.Fatalf("name = %q, want an error", got)
			case c.want != errorWanted && (err != nil || got != c.want):
				t.Fatalf("name = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
