package metadata

import (
	"strings"
	"testing"
)

func TestUuidString(t *testing.T) {
	if got := MetadataTopicID.String(); got != "AAAAAAAAAAAAAAAAAAAAAQ" {
		t.Errorf("MetadataTopicID = %s", got)
	}
	if got := ZeroUuid.String(); got != "AAAAAAAAAAAAAAAAAAAAAA" {
		t.Errorf("ZeroUuid = %s", got)
	}
	// A cluster id from Kafka's docs (meta.properties example) parses and prints back.
	const id = "fMCL8kv1SWm87L_Md-I2hg"
	u, err := ParseUuid(id)
	if err != nil || u.String() != id {
		t.Errorf("ParseUuid(%s) = %s, %v", id, u, err)
	}
	if p, err := ParseUuid(id + "=="); err != nil || p != u {
		t.Errorf("padded ParseUuid = %s, %v", p, err)
	}
	for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAA+Q"} {
		if _, err := ParseUuid(bad); err == nil {
			t.Errorf("ParseUuid(%q) succeeded", bad)
		}
	}
	var back Uuid
	if err := back.UnmarshalText([]byte(id)); err != nil || back != u {
		t.Errorf("UnmarshalText = %s, %v", back, err)
	}
}

func TestRandomUuid(t *testing.T) {
	seen := map[Uuid]bool{}
	for range 2000 {
		u := RandomUuid()
		s := u.String()
		if len(s) != 22 || strings.HasPrefix(s, "-") || u == ZeroUuid || u == MetadataTopicID {
			t.Fatalf("RandomUuid gave %s", s)
		}
		if u[6]>>4 != 4 || u[8]>>6 != 2 {
			t.Fatalf("RandomUuid %x is not version 4, IETF variant", u[:])
		}
		if seen[u] {
			t.Fatalf("RandomUuid repeated %s", s)
		}
		seen[u] = true
	}
}

func TestValidateTopicName(t *testing.T) {
	for _, ok := range []string{"foo", "a.b_c-D9", strings.Repeat("x", 249)} {
		if err := ValidateTopicName(ok); err != nil {
			t.Errorf("ValidateTopicName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", strings.Repeat("x", 250), "a b", "ä", "a/b"} {
		if err := ValidateTopicName(bad); err == nil {
			t.Errorf("ValidateTopicName(%q) succeeded", bad)
		}
	}
}
