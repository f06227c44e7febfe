package saslserver

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// scramCase is one of the two SCRAM mechanisms with franz-go's client for it.
type scramCase struct {
	name   string
	client func(scram.Auth) sasl.Mechanism
}

var scramCases = []scramCase{
	{ScramSHA256, scram.Auth.AsSha256Mechanism},
	{ScramSHA512, scram.Auth.AsSha512Mechanism},
}

// scramUsers returns credentials of mechanism for users (name to password),
// with MinScramIterations, and a lookup over them that records the names it
// was asked for.
func scramUsers(t *testing.T, mechanism string, users map[string]string) (map[string]ScramCredential, func(string) (ScramCredential, bool), *[]string) {
	t.Helper()
	creds := map[string]ScramCredential{}
	for name, password := range users {
		c, err := NewScramCredential(mechanism, password, nil, MinScramIterations)
		if err != nil {
			t.Fatal(err)
		}
		creds[name] = c
	}
	var asked []string
	lookup := func(user string) (ScramCredential, bool) {
		asked = append(asked, user)
		c, ok := creds[user]
		return c, ok
	}
	return creds, lookup, &asked
}

func newScram(t *testing.T, mechanism string, lookup func(string) (ScramCredential, bool)) Mechanism {
	t.Helper()
	m, err := Scram(mechanism, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != mechanism {
		t.Fatalf("Name %q, want %q", m.Name(), mechanism)
	}
	return m
}

func TestScramExchange(t *testing.T) {
	for _, sc := range scramCases {
		for _, tc := range []struct{ zid, user string }{
			{"", "alice"},
			{"alice", "alice"}, // an authzid equal to the user, with franz-go's "c=biws"
			{"", "a,b=c"},      // escaped as "a=2Cb=3Dc"
			{"a,b=c", "a,b=c"}, // the authzid is escaped too
			{"", "user with spaces"},
			{"", "x" + strings.Repeat("y", 300)},
		} {
			_, lookup, asked := scramUsers(t, sc.name, map[string]string{tc.user: "secret-" + tc.user})
			client := sc.client(scram.Auth{Zid: tc.zid, User: tc.user, Pass: "secret-" + tc.user})
			s, err := exchange(t, client, newScram(t, sc.name, lookup), nil)
			if err != nil {
				t.Errorf("%s %+v: %v (reason: %v)", sc.name, tc, err, errors.Unwrap(err))
				continue
			}
			if s.Principal() != tc.user {
				t.Errorf("%s %+v: principal %q", sc.name, tc, s.Principal())
			}
			if len(*asked) != 1 || (*asked)[0] != tc.user {
				t.Errorf("%s %+v: looked up %q, want the decoded user name once", sc.name, tc, *asked)
			}
		}
	}
}

// TestScramNonASCIIUser checks that a user name outside ASCII is refused, as
// Kafka's ClientFirstMessage pattern (SASLNAME) refuses it, before any lookup.
func TestScramNonASCIIUser(t *testing.T) {
	_, lookup, asked := scramUsers(t, ScramSHA256, map[string]string{"j\u00f6rg": "secret"})
	client := scram.Auth{User: "j\u00f6rg", Pass: "secret"}.AsSha256Mechanism()
	if _, err := exchange(t, client, newScram(t, ScramSHA256, lookup), nil); err == nil || len(*asked) != 0 {
		t.Errorf("error %v after looking up %q; want a format error and no lookup", err, *asked)
	}
}

// TestScramNewUser checks that the credential is looked up when a client
// authenticates, not when the mechanism is made.
func TestScramNewUser(t *testing.T) {
	creds, lookup, _ := scramUsers(t, ScramSHA512, map[string]string{})
	m := newScram(t, ScramSHA512, lookup)
	client := scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha512Mechanism()
	if _, err := exchange(t, client, m, nil); err == nil {
		t.Fatal("unknown user accepted")
	}
	c, err := NewScramCredential(ScramSHA512, "bob-secret", []byte("salt"), 8192)
	if err != nil {
		t.Fatal(err)
	}
	creds["bob"] = c
	if _, err := exchange(t, client, m, nil); err != nil {
		t.Fatalf("user added after the mechanism was made: %v", err)
	}
}

// replaceAttr rewrites the value of attribute name ("c", "r", "p") in a
// client-final message.
func replaceAttr(msg []byte, name string, edit func(string) string) []byte {
	attrs := strings.Split(string(msg), ",")
	for i, a := range attrs {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			attrs[i] = name + "=" + edit(v)
		}
	}
	return []byte(strings.Join(attrs, ","))
}

// onFinal applies edit to the client-final message (the client's second).
func onFinal(edit func([]byte) []byte) func(int, []byte) []byte {
	return func(step int, msg []byte) []byte {
		if step == 1 {
			return edit(msg)
		}
		return msg
	}
}

func TestScramFailures(t *testing.T) {
	const (
		authzidMismatch = "Authentication failed: Client requested an authorization id that is different from username"
		tokenAuth       = "Authentication failed: delegation token authentication (tokenauth) is not supported by this broker"
	)
	for _, sc := range scramCases {
		generic := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + sc.name
		alice := scram.Auth{User: "alice", Pass: "alice-secret"}
		for _, tc := range []struct {
			name   string
			auth   scram.Auth
			tamper func(int, []byte) []byte
			want   string // the client's text
			reason string // part of the logged reason; "" for none
		}{
			{name: "wrong password", auth: scram.Auth{User: "alice", Pass: "bob-secret"},
				want: generic, reason: "Invalid client credentials"},
			{name: "unknown user", auth: scram.Auth{User: "mallory", Pass: "alice-secret"},
				want: generic, reason: "Invalid user credentials"},
			{name: "tampered nonce", auth: alice,
				tamper: onFinal(func(m []byte) []byte { return replaceAttr(m, "r", func(v string) string { return v[:len(v)-1] + "x" }) }),
				want:   generic, reason: "Invalid client nonce"},
			// A prefix passes the nonce check, as in Kafka (librdkafka sends one), but
			// the proof no longer signs what the client signed.
			{name: "nonce with a prefix", auth: alice,
				tamper: onFinal(func(m []byte) []byte { return replaceAttr(m, "r", func(v string) string { return "x" + v }) }),
				want:   generic, reason: "Invalid client credentials"},
			{name: "tampered channel binding", auth: alice,
				tamper: onFinal(func(m []byte) []byte { return replaceAttr(m, "c", func(string) string { return "eSws" }) }), // "y,,"
				want:   generic, reason: "Invalid channel binding"},
			{name: "empty channel binding", auth: alice,
				tamper: onFinal(func(m []byte) []byte { return replaceAttr(m, "c", func(string) string { return "" }) }),
				want:   generic, reason: "Invalid channel binding"},
			{name: "tampered proof", auth: alice,
				tamper: onFinal(func(m []byte) []byte {
					return replaceAttr(m, "p", func(v string) string {
						if v[0] == 'A' {
							return "B" + v[1:]
						}
						return "A" + v[1:]
					})
				}),
				want: generic, reason: "Invalid client credentials"},
			{name: "short proof", auth: alice,
				tamper: onFinal(func(m []byte) []byte { return replaceAttr(m, "p", func(v string) string { return v[4:] }) }),
				want:   generic, reason: "Invalid client credentials"},
			{name: "extension in the final message", auth: alice, // signed over, so the proof no longer matches
				tamper: onFinal(func(m []byte) []byte { return bytes.Replace(m, []byte(",p="), []byte(",ext=1,p="), 1) }),
				want:   generic, reason: "Invalid client credentials"},
			{name: "authzid mismatch", auth: scram.Auth{Zid: "admin", User: "alice", Pass: "alice-secret"},
				want: authzidMismatch},
			{name: "authzid of an unknown user", auth: scram.Auth{Zid: "admin", User: "mallory", Pass: "x"},
				want: generic, reason: "Invalid user credentials"},
			{name: "delegation token", auth: scram.Auth{User: "alice", Pass: "alice-secret", IsToken: true},
				want: tokenAuth},
			{name: "too few iterations", auth: scram.Auth{User: "weak", Pass: "weak-secret"},
				want: generic, reason: "Iterations 4095 is less than the minimum 4096 for " + strings.ReplaceAll(sc.name, "-", "_")},
		} {
			creds, lookup, _ := scramUsers(t, sc.name, map[string]string{"alice": "alice-secret", "admin": "admin-secret"})
			weak, err := NewScramCredential(sc.name, "weak-secret", nil, MinScramIterations-1)
			if err != nil {
				t.Fatal(err)
			}
			creds["weak"] = weak
			s, err := exchange(t, sc.client(tc.auth), newScram(t, sc.name, lookup), tc.tamper)
			if err == nil {
				t.Errorf("%s %s: authenticated as %q", sc.name, tc.name, s.Principal())
				continue
			}
			ae := authError(t, err)
			if ae.Error() != tc.want {
				t.Errorf("%s %s: client sees %q, want %q", sc.name, tc.name, ae.Error(), tc.want)
			}
			reason := ""
			if ae.Unwrap() != nil {
				reason = ae.Unwrap().Error()
			}
			if (tc.reason == "") != (reason == "") || !strings.Contains(reason, tc.reason) {
				t.Errorf("%s %s: reason %q, want one containing %q", sc.name, tc.name, reason, tc.reason)
			}
			if s.Principal() != "" {
				t.Errorf("%s %s: principal %q after a failure", sc.name, tc.name, s.Principal())
			}
			if _, done, err := s.Step([]byte("n,,n=alice,r=abc")); err == nil || done || !strings.Contains(err.Error(), "FAILED") {
				t.Errorf("%s %s: a message after the failure: done %v, error %v", sc.name, tc.name, done, err)
			}
		}
	}
}

// TestScramMessages drives the server with hand-written messages: those
// Kafka's ScramMessages patterns refuse, and the extensions it ignores.
func TestScramMessages(t *testing.T) {
	_, lookup, _ := scramUsers(t, ScramSHA256, map[string]string{"user": "pencil"})
	m := newScram(t, ScramSHA256, lookup)
	for _, tc := range []struct {
		first  string
		reason string // "" when the message is accepted
	}{
		{"n,,n=user,r=abc", ""},
		{"n,a=user,n=user,r=abc", ""},
		{"n,,n=user,r=abc,tokenauth=false", ""},
		{"n,,n=user,r=abc,foo=bar,baz=a=b", ""}, // unknown extensions are ignored
		{"n,,n=user,r=abc,tokenauth=TRUE", "tokenauth"},
		{"n,,n=user,r=abc,tokenauth=false,tokenauth=true", "tokenauth"},
		{"", "Invalid SCRAM client first message format"},
		{"n,,", "Invalid SCRAM client first message format"},
		{"n,,n=user", "Invalid SCRAM client first message format"},
		{"n,,n=user,r=", "Invalid SCRAM client first message format"},
		{"n,,n=,r=abc", "Invalid SCRAM client first message format"},
		{"n,,n=us=er,r=abc", "Invalid SCRAM client first message format"},
		{"n,,n=user,r=a b", "Invalid SCRAM client first message format"},
		{"n,,m=ext,n=user,r=abc", "Invalid SCRAM client first message format"},
		{"n,,r=abc,n=user", "Invalid SCRAM client first message format"},
		{"n,,n=user,r=abc,", "Invalid SCRAM client first message format"},
		{"n,,n=user,r=abc,1=x", "Invalid SCRAM client first message format"},
		{"n,,n=user,r=abc\n", "Invalid SCRAM client first message format"},
		{"n,,n=user\x00,r=abc", "Invalid SCRAM client first message format"},
		{"n,,n=User,r=abc", "Invalid user credentials"},
		{"n,,n=user=2C,r=abc", "Invalid user credentials"},
		{"p=tls-unique,,n=user,r=abc", "channel binding"},
		{"y,,n=user,r=abc", "channel binding"},
	} {
		reply, done, err := m.Start().Step([]byte(tc.first))
		switch {
		case done:
			t.Errorf("%q: done after the first message", tc.first)
		case tc.reason == "" && err != nil:
			t.Errorf("%q: %v (reason: %v)", tc.first, err, errors.Unwrap(err))
		case tc.reason == "" && !bytes.HasPrefix(reply, []byte("r=abc")):
			t.Errorf("%q: server-first %q does not extend the client nonce", tc.first, reply)
		case tc.reason != "" && (err == nil || !strings.Contains(errorChain(err), tc.reason)):
			t.Errorf("%q: error %v, want one saying %q", tc.first, errorChain(err), tc.reason)
		}
	}
}

// errorChain is err's text and its reason's, or "<nil>".
func errorChain(err error) string {
	if err == nil {
		return "<nil>"
	}
	if r := errors.Unwrap(err); r != nil {
		return err.Error() + ": " + r.Error()
	}
	return err.Error()
}

func TestScramFinalMessages(t *testing.T) {
	_, lookup, _ := scramUsers(t, ScramSHA256, map[string]string{"user": "pencil"})
	m := newScram(t, ScramSHA256, lookup)
	proof := "p=" + strings.Repeat("A", 43) + "="
	for _, final := range []string{
		"",
		"c=biws",
		"c=biws,r=NONCE",
		"c=biws,r=NONCE,p=",
		"c=biws,r=NONCE,p=AAAA",
		"c=biws,r=NONCE,p=!!!!",
		"c=biws,r=NONCE,p=AAA",
		"c=biw,r=NONCE," + proof,
		"c=biws,r=NONCE," + proof,
		"c=biws,r=NONCE,e=1," + proof,
		"r=NONCE,c=biws," + proof,
		"c=biws,r=NONCE," + proof + ",x=y",
	} {
		s := m.Start()
		reply, _, err := s.Step([]byte("n,,n=user,r=abc"))
		if err != nil {
			t.Fatal(err)
		}
		nonce, _, _ := strings.Cut(strings.TrimPrefix(string(reply), "r="), ",")
		msg := strings.ReplaceAll(final, "NONCE", nonce)
		if _, done, err := s.Step([]byte(msg)); err == nil || done {
			t.Errorf("%q: done %v, error %v; want a failure", msg, done, err)
		} else {
			authError(t, err)
		}
	}
}

func TestScramSessionEnds(t *testing.T) {
	_, lookup, _ := scramUsers(t, ScramSHA256, map[string]string{"alice": "alice-secret"})
	s, err := exchange(t, scram.Auth{User: "alice", Pass: "alice-secret"}.AsSha256Mechanism(), newScram(t, ScramSHA256, lookup), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := s.Step([]byte("n,,n=alice,r=abc")); err == nil || done || !strings.Contains(err.Error(), "COMPLETE") {
		t.Errorf("a message after success: done %v, error %v", done, err)
	}
	if s.Principal() != "alice" {
		t.Errorf("principal %q after a refused extra message", s.Principal())
	}
	if p := newScram(t, ScramSHA256, lookup).Start().Principal(); p != "" {
		t.Errorf("principal %q before the exchange", p)
	}
}

func TestScramRefusesConfig(t *testing.T) {
	lookup := func(string) (ScramCredential, bool) { return ScramCredential{}, false }
	for _, name := range []string{"SCRAM-SHA-1", "scram-sha-256", "PLAIN", ""} {
		if _, err := Scram(name, lookup); err == nil {
			t.Errorf("Scram(%q) made a mechanism", name)
		}
	}
	if _, err := Scram(ScramSHA256, nil); err == nil {
		t.Error("Scram without a lookup made a mechanism")
	}
}
