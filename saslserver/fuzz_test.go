package saslserver

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzScramStep feeds arbitrary client-first and client-final messages to a
// SCRAM-SHA-256 session; "NONCE" in the final message is replaced by the
// nonce the server sent, so the fuzzer reaches the proof check. The session
// must never panic, must fail with an *AuthError, must answer a client-first
// it accepts with a server-first that extends the client's nonce, and must
// never accept a proof the fuzzer cannot have computed.
func FuzzScramStep(f *testing.F) {
	cred, err := NewScramCredential(ScramSHA256, "pencil", []byte("salt"), MinScramIterations)
	if err != nil {
		f.Fatal(err)
	}
	m, err := Scram(ScramSHA256, func(user string) (ScramCredential, bool) { return cred, user == "user" })
	if err != nil {
		f.Fatal(err)
	}
	proof := "p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	f.Add([]byte("n,,n=user,r=abc"), []byte("c=biws,r=NONCE,"+proof))
	f.Add([]byte("n,a=user,n=user,r=abc,tokenauth=false"), []byte("c=bixhPXVzZXIs,r=NONCE,x=y,"+proof))
	f.Add([]byte("n,,n=us=2Cer,r=abc"), []byte("c=biws,r=NONCE"))
	f.Add([]byte("p=tls-unique,,n=user,r=abc"), []byte(""))
	f.Add([]byte("n,,n=user,r=abc,tokenauth=true"), []byte("c=,r=,p="))
	f.Fuzz(func(t *testing.T, first, final []byte) {
		s := m.Start()
		reply, done, err := s.Step(first)
		if err != nil {
			checkFailed(t, s, err)
			return
		}
		if done {
			t.Fatalf("done after the client-first %q", first)
		}
		parsed, err := parseClientFirst(first)
		if err != nil {
			t.Fatalf("client-first %q accepted but does not parse: %v", first, err)
		}
		nonce, _, _ := bytes.Cut(bytes.TrimPrefix(reply, []byte("r=")), []byte(","))
		if !bytes.HasPrefix(reply, []byte("r="+parsed.nonce)) || len(nonce) <= len(parsed.nonce) {
			t.Fatalf("server-first %q does not extend the client nonce %q", reply, parsed.nonce)
		}
		reply, done, err = s.Step(bytes.ReplaceAll(final, []byte("NONCE"), nonce))
		if err == nil || done {
			t.Fatalf("client-final %q accepted: reply %q, done %v", final, reply, done)
		}
		checkFailed(t, s, err)
	})
}

// checkFailed asserts that err is an *AuthError and that s takes no more
// messages.
func checkFailed(t *testing.T, s Session, err error) {
	t.Helper()
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Error() == "" {
		t.Fatalf("error %v (%T) is not an *AuthError with a message", err, err)
	}
	if _, done, err := s.Step([]byte("n,,n=user,r=abc")); err == nil || done {
		t.Fatalf("a failed session took another message: done %v, error %v", done, err)
	}
	if s.Principal() != "" {
		t.Fatalf("principal %q after a failure", s.Principal())
	}
}

// FuzzParseJAAS checks that any text parses without panicking and that
// ParsePlainJAAS and ParseJAASOption agree.
func FuzzParseJAAS(f *testing.F) {
	f.Add(kafkaDocsPlain)
	f.Add(`m required a="q\"b\\c\td\101\1010\477\x" b='it\'s';`)
	f.Add("/* c */ m // x\n required a=-1 b=.5 c=\"\\")
	f.Fuzz(func(t *testing.T, jaas string) {
		users, err := ParsePlainJAAS(jaas)
		if err != nil {
			return
		}
		for name, password := range users {
			if v, ok, err := ParseJAASOption(jaas, plainUserPrefix+name); v != password || !ok || err != nil {
				t.Fatalf("user %q: ParseJAASOption = %q, %v, %v; ParsePlainJAAS %q", name, v, ok, err, password)
			}
		}
	})
}
