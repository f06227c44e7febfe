package metadata

import (
	"bytes"
	"testing"
)

// TestScramRedacted: a redacted credential holds none of the salt and keys, and two
// credentials compare as they should whether either side is redacted or not.
func TestScramRedacted(t *testing.T) {
	cred := &UserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA512, Salt: []byte("pepper-salt"),
		StoredKey: bytes.Repeat([]byte{1}, 64), ServerKey: bytes.Repeat([]byte{2}, 64), Iterations: 8192}
	r := cred.Redacted()
	if !r.IsRedacted() || len(r.Salt) != 0 || len(r.ServerKey) != 0 || bytes.Equal(r.StoredKey, cred.StoredKey) ||
		r.Name != "alice" || r.Mechanism != ScramSHA512 || r.Iterations != 8192 {
		t.Fatalf("redacted %+v", r)
	}
	if cred.IsRedacted() {
		t.Fatal("a real credential reads as redacted")
	}
	other := *cred
	other.ServerKey = bytes.Repeat([]byte{3}, 64)
	for name, c := range map[string]struct {
		a, b *UserScramCredentialRecord
		same bool
	}{
		"plain, equal":            {cred, cred, true},
		"one redacted, equal":     {cred, r, true},
		"both redacted, equal":    {r, cred.Redacted(), true},
		"plain, different":        {cred, &other, false},
		"one redacted, different": {&other, r, false},
	} {
		if got := SameScram(c.a, c.b); got != c.same {
			t.Errorf("%s: SameScram %v, want %v", name, got, c.same)
		}
	}
}
