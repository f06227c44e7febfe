package saslserver

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sasl/plain"
)

var plainUsers = map[string]string{"admin": "admin-secret", "alice": "alice-secret"}

func TestPlainExchange(t *testing.T) {
	for _, zid := range []string{"", "alice"} {
		client := plain.Auth{Zid: zid, User: "alice", Pass: "alice-secret"}.AsMechanism()
		s, err := exchange(t, client, Plain(plainUsers), nil)
		if err != nil {
			t.Fatalf("zid %q: %v", zid, err)
		}
		if got := s.Principal(); got != "alice" {
			t.Errorf("zid %q: principal %q, want alice", zid, got)
		}
	}
}

func TestPlainFailures(t *testing.T) {
	const invalid = "Authentication failed: Invalid username or password"
	for _, tc := range []struct {
		name string
		auth plain.Auth
		want string
	}{
		{"wrong password", plain.Auth{User: "alice", Pass: "admin-secret"}, invalid},
		{"unknown user", plain.Auth{User: "mallory", Pass: "alice-secret"}, invalid},
		{"password prefix", plain.Auth{User: "alice", Pass: "alice-secre"}, invalid},
		{"authzid mismatch", plain.Auth{Zid: "admin", User: "alice", Pass: "alice-secret"},
			"Authentication failed: Client requested an authorization id that is different from username"},
	} {
		s, err := exchange(t, tc.auth.AsMechanism(), Plain(plainUsers), nil)
		if err == nil {
			t.Errorf("%s: authenticated as %q", tc.name, s.Principal())
			continue
		}
		if ae := authError(t, err); ae.Error() != tc.want {
			t.Errorf("%s: error %q, want %q", tc.name, ae.Error(), tc.want)
		}
		if s.Principal() != "" {
			t.Errorf("%s: principal %q after a failure", tc.name, s.Principal())
		}
	}
}

// TestPlainMessages follows Kafka's PlainSaslServerTest.
func TestPlainMessages(t *testing.T) {
	for _, tc := range []struct {
		msg, want string
	}{
		{"\x00alice\x00alice-secret", ""},
		{"alice\x00alice\x00alice-secret", ""},
		{"admin\x00alice\x00alice-secret", "Authentication failed: Client requested an authorization id that is different from username"},
		{"\x00\x00", "Authentication failed: username not specified"},
		{"\x00\x00p", "Authentication failed: username not specified"},
		{"\x00u\x00", "Authentication failed: password not specified"},
		{"a\x00\x00", "Authentication failed: username not specified"},
		{"a\x00\x00p", "Authentication failed: username not specified"},
		{"a\x00u\x00", "Authentication failed: password not specified"},
		{"a\x00u\x00p\x00", "Invalid SASL/PLAIN response: expected 3 tokens, got 4"},
		{"\x00u", "Invalid SASL/PLAIN response: expected 3 tokens, got 2"},
		{"", "Invalid SASL/PLAIN response: expected 3 tokens, got 1"},
		{"\x00alice\x00alice-secret\x00", "Invalid SASL/PLAIN response: expected 3 tokens, got 4"},
		{"\x00alice\x00\xffalice-secret", "Authentication failed: Invalid username or password"},
	} {
		s := Plain(plainUsers).Start()
		reply, done, err := s.Step([]byte(tc.msg))
		if tc.want == "" {
			if err != nil || !done || reply == nil || len(reply) != 0 {
				t.Errorf("%q: reply %q, done %v, error %v; want an empty reply, done", tc.msg, reply, done, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: accepted, want %q", tc.msg, tc.want)
			continue
		}
		if got := authError(t, err).Error(); got != tc.want || done {
			t.Errorf("%q: error %q, done %v; want %q", tc.msg, got, done, tc.want)
		}
	}
}

func TestPlainSessionEnds(t *testing.T) {
	ok := []byte("\x00alice\x00alice-secret")
	s := Plain(plainUsers).Start()
	if _, _, err := s.Step(ok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Step(ok); err == nil || !strings.Contains(err.Error(), "COMPLETE") {
		t.Errorf("second message after success: %v, want an unexpected-challenge error", err)
	}
	s = Plain(plainUsers).Start()
	if _, _, err := s.Step([]byte("\x00alice\x00wrong")); err == nil {
		t.Fatal("wrong password accepted")
	}
	if _, done, err := s.Step(ok); err == nil || done || !strings.Contains(err.Error(), "FAILED") {
		t.Errorf("retry after a failure: done %v, error %v; want an unexpected-challenge error", done, err)
	}
}

func TestPlainCopiesUsers(t *testing.T) {
	users := map[string]string{"alice": "alice-secret"}
	m := Plain(users)
	users["alice"] = "changed"
	if _, _, err := m.Start().Step([]byte("\x00alice\x00alice-secret")); err != nil {
		t.Errorf("changing the caller's map changed the mechanism: %v", err)
	}
	if m.Name() != "PLAIN" {
		t.Errorf("Name %q", m.Name())
	}
}
