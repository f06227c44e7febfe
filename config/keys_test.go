package config

import "testing"

// The key tables are the single source of defaults: every default must be a
// valid value of its own key, and no key may be listed twice.
func TestKeyTablesAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range brokerKeys {
		if seen[k.name] {
			t.Errorf("%s listed twice in brokerKeys", k.name)
		}
		seen[k.name] = true
		if k.null {
			continue
		}
		v, ok := parseValue(k.kind, k.def)
		if !ok {
			t.Errorf("%s: default %q does not parse", k.name, k.def)
			continue
		}
		if k.rule != nil {
			if msg := k.rule.check(v); msg != "" {
				t.Errorf("%s: default %q fails its own rule: %s", k.name, k.def, msg)
			}
		}
	}
	for _, name := range kafkaKeys {
		if seen[name] {
			t.Errorf("%s is both typed and in kafkaKeys", name)
		}
		seen[name] = true
	}
}
