package saslserver

import "testing"

// TestCheckPassword: PLAIN accepts a JAAS user's password, SCRAM a password whose
// derived stored key is the credential's; wrong passwords, unknown users, an empty
// password and a credential under the iteration floor are refused, and a mechanism
// list without the user refuses.
func TestCheckPassword(t *testing.T) {
	strong, err := NewScramCredential(ScramSHA512, "bob-secret", nil, MinScramIterations)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := NewScramCredential(ScramSHA512, "weak-secret", nil, MinScramIterations-1)
	if err != nil {
		t.Fatal(err)
	}
	scram, err := Scram(ScramSHA512, func(user string) (ScramCredential, bool) {
		switch user {
		case "bob":
			return strong, true
		case "weak":
			return weak, true
		}
		return ScramCredential{}, false
	})
	if err != nil {
		t.Fatal(err)
	}
	mechs := []Mechanism{Plain(map[string]string{"alice": "alice-secret"}), scram}
	for _, tt := range []struct {
		user, password string
		want           bool
	}{
		{"alice", "alice-secret", true},
		{"alice", "guess", false},
		{"alice", "", false},
		{"bob", "bob-secret", true},
		{"bob", "guess", false},
		{"weak", "weak-secret", false},
		{"carol", "carol-secret", false},
	} {
		if got := CheckPassword(mechs, tt.user, tt.password); got != tt.want {
			t.Errorf("CheckPassword(%q, %q) = %v, want %v", tt.user, tt.password, got, tt.want)
		}
	}
	if CheckPassword(nil, "alice", "alice-secret") {
		t.Error("no mechanism accepted a password")
	}
}
