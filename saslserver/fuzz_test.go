package saslserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// FuzzOAuthBearerStep feeds arbitrary client messages to an OAUTHBEARER
// session requiring the scope "kafka"; "TOKEN" in the message is replaced by
// a valid token for alice, so the fuzzer reaches the validator. The session
// must never panic and must fail with an *AuthError; a message it accepts
// must parse to a token that validates; an error challenge must be one of
// Kafka's two JSON shapes, and the kvsep that answers it must fail with that
// challenge as the error.
func FuzzOAuthBearerStep(f *testing.F) {
	f.Add([]byte("n,,\x01auth=Bearer TOKEN\x01\x01"))
	f.Add([]byte("n,a=alice,\x01auth=Bearer TOKEN\x01k=v\x01\x01"))
	f.Add([]byte("n,a=bob,\x01auth=bearer TOKEN\x01\x01"))
	f.Add([]byte("n,,\x01auth=Bearer TOKENAB\x01\x01"))
	f.Add([]byte("n,,\x01auth=Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjoxfQ.\x01\x01"))
	f.Add([]byte("n,a=x=2C,\x01auth=Basic a==\x01\x01"))
	f.Add([]byte("\x01"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		msg = bytes.ReplaceAll(msg, []byte("TOKEN"), []byte(aliceToken))
		s := oauthServer().Start()
		reply, done, err := s.Step(msg)
		switch {
		case err != nil:
			checkFailed(t, s, err)
		case done:
			r, perr := parseOAuthInitialResponse(msg)
			if perr != nil || len(reply) != 0 || s.Principal() == "" || (r.authzid != "" && r.authzid != s.Principal()) {
				t.Fatalf("%q accepted as %q (reply %q) but parses to %+v, %v", msg, s.Principal(), reply, r, perr)
			}
			if _, verr := oauthServer().(*oauthMechanism).opts.validate(r.token, oauthNow); verr != nil {
				t.Fatalf("%q accepted with a token that does not validate: %v", msg, verr)
			}
		default:
			if !bytes.Equal(reply, []byte(`{"status":"invalid_token"}`)) && !bytes.Equal(reply, []byte(`{"status":"insufficient_scope", "scope":"[kafka]"}`)) {
				t.Fatalf("%q: challenge %q", msg, reply)
			}
			if _, _, err = s.Step([]byte{0x01}); err == nil || err.Error() != string(reply) {
				t.Fatalf("%q: the kvsep after the challenge %q: %v", msg, reply, err)
			}
			checkFailed(t, s, err)
		}
	})
}

// FuzzUnsecuredJWS validates tokens made of arbitrary header and claims
// texts. It must never panic, and a token it accepts must have alg "none",
// a non-blank string principal, an exp after the check time and the
// required scope.
func FuzzUnsecuredJWS(f *testing.F) {
	f.Add(noneHeader, fmt.Sprintf(`{"sub":"alice","iat":%v,"exp":%v,"scope":["kafka"]}`, nowSeconds, nowSeconds+3600))
	f.Add(`{"alg":"none","typ":"JWT"}`, `{"sub":"a","exp":1e400,"scope":"kafka"}`)
	f.Add(`{"alg":"HS256"}`, `{"sub":true,"exp":"1","iat":null,"scope":[1]}`)
	f.Add(`[]`, `{"sub":"a","sub":" ","exp":-1e400} x`)
	f.Fuzz(func(t *testing.T, header, claims string) {
		opts := defaultOAuthOptions
		opts.RequiredScope = []string{"kafka"}
		token, err := opts.validate(unsecuredToken(header, claims), oauthNow)
		if err != nil {
			return
		}
		var h, c map[string]any
		hd, cd := json.NewDecoder(strings.NewReader(header)), json.NewDecoder(strings.NewReader(claims))
		hd.UseNumber()
		cd.UseNumber()
		if hd.Decode(&h) != nil || h["alg"] != "none" || cd.Decode(&c) != nil {
			t.Fatalf("accepted header %q, claims %q", header, claims)
		}
		if sub, _ := c["sub"].(string); sub != token.principal || isBlank(sub) {
			t.Fatalf("claims %q: principal %q", claims, token.principal)
		}
		if 1000*token.exp <= float64(oauthNow.UnixMilli()) || !token.scope["kafka"] {
			t.Fatalf("claims %q accepted: %+v", claims, token)
		}
	})
}
