package znode

import "testing"

func TestSanitizeEntityName(t *testing.T) {
	for _, c := range []struct{ name, sanitized string }{
		{"alice", "alice"},
		{"CN=bob,OU=ops", "CN%3Dbob%2COU%3Dops"},
		{"user name*", "user%20name%2A"},
		{"a.b-c_d~e", "a.b-c_d%7Ee"},
		{"ünï", "%C3%BCn%C3%AF"},
		{"<default>", "%3Cdefault%3E"},
	} {
		if got := SanitizeEntityName(c.name); got != c.sanitized {
			t.Errorf("SanitizeEntityName(%q) = %q, want %q", c.name, got, c.sanitized)
		}
		if got, err := DesanitizeEntityName(c.sanitized); err != nil || got != c.name {
			t.Errorf("DesanitizeEntityName(%q) = %q, %v; want %q", c.sanitized, got, err, c.name)
		}
	}
	// URLDecoder reads '+' as a space.
	if got, err := DesanitizeEntityName("a+b"); err != nil || got != "a b" {
		t.Errorf("DesanitizeEntityName(a+b) = %q, %v", got, err)
	}
	if _, err := DesanitizeEntityName("50%"); err == nil {
		t.Error("DesanitizeEntityName accepted a broken escape")
	}
}
