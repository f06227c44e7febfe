package saslserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// oauthServer is an OAUTHBEARER mechanism requiring the scope "kafka", on the
// test clock.
func oauthServer() Mechanism {
	opts := defaultOAuthOptions
	opts.RequiredScope = []string{"kafka"}
	return &oauthMechanism{opts: opts, now: func() time.Time { return oauthNow }}
}

// aliceToken is valid for an hour from oauthNow, with the scope "kafka".
var aliceToken = unsecuredToken(noneHeader, fmt.Sprintf(`{"sub":"alice","iat":%v,"exp":%v,"scope":["kafka"]}`, nowSeconds, nowSeconds+3600))

// initialResponse is the client initial response Kafka's client sends.
func initialResponse(authzid, token string) []byte {
	if authzid != "" {
		authzid = "a=" + authzid
	}
	return []byte("n," + authzid + ",\x01auth=Bearer " + token + "\x01\x01")
}

// TestOAuthBearerExchange authenticates franz-go's OAUTHBEARER client, with and
// without an authorization id and extensions (Kafka's OAuthBearerSaslServerTest
// noAuthorizationIdSpecified, authorizationIdEqualsAuthenticationId and
// unrecognizedExtensionsAreNotSaved), and checks the session's principal and
// expiry.
func TestOAuthBearerExchange(t *testing.T) {
	for _, a := range []oauth.Auth{
		{Token: aliceToken},
		{Zid: "alice", Token: aliceToken},
		{Token: aliceToken, Extensions: map[string]string{"firstKey": "value1", "secondKey": "value2", "thirdKey": "value1"}},
	} {
		s, err := exchange(t, a.AsMechanism(), oauthServer(), nil)
		if err != nil {
			t.Fatalf("%+v: %v", a, err)
		}
		if got := s.Principal(); got != "alice" {
			t.Errorf("%+v: principal %q, want alice", a, got)
		}
		want := oauthNow.Add(time.Hour)
		if got := s.(ExpiringSession).CredentialExpiry(); !got.Equal(want) {
			t.Errorf("%+v: credential expiry %v, want %v", a, got, want)
		}
	}
	if m := oauthServer(); m.Name() != "OAUTHBEARER" {
		t.Errorf("Name %q", m.Name())
	}
}

// TestOAuthBearerRefusedToken follows a refused token through RFC 7628's error
// flow: the server's challenge is Kafka's JSON, the client's lone kvsep ends
// the exchange with that JSON as the error, and the session takes no more.
func TestOAuthBearerRefusedToken(t *testing.T) {
	expired := unsecuredToken(noneHeader, fmt.Sprintf(`{"sub":"alice","exp":%v,"scope":"kafka"}`, nowSeconds-1))
	noScope := unsecuredToken(noneHeader, fmt.Sprintf(`{"sub":"alice","exp":%v,"scope":"other"}`, nowSeconds+60))
	for _, tc := range []struct {
		name, token, challenge, reason string
	}{
		{"expired", expired, `{"status":"invalid_token"}`, "was on or after the Expiration Time value"},
		{"without the required scope", noScope, `{"status":"insufficient_scope", "scope":"[kafka]"}`, "missing a required scope (kafka)"},
		{"illegalToken", aliceToken + "AB", `{"status":"invalid_token"}`, "must not contain a digital signature"},
		{"not a JWS", "not-a-jws", `{"status":"invalid_token"}`, "must have 3 dot-separated"},
	} {
		s := oauthServer().Start()
		reply, done, err := s.Step(initialResponse("", tc.token))
		if err != nil || done || string(reply) != tc.challenge {
			t.Errorf("%s: reply %q, done %v, error %v; want the challenge %s", tc.name, reply, done, err, tc.challenge)
			continue
		}
		_, done, err = s.Step([]byte{0x01})
		if err == nil || done {
			t.Errorf("%s: the client's kvsep was accepted", tc.name)
			continue
		}
		ae := authError(t, err)
		if ae.Error() != tc.challenge || ae.Unwrap() == nil || !strings.Contains(ae.Unwrap().Error(), tc.reason) {
			t.Errorf("%s: error %q (reason %v), want %q because %q", tc.name, ae.Error(), ae.Unwrap(), tc.challenge, tc.reason)
		}
		checkFailed(t, s, err)
		if s.(ExpiringSession).CredentialExpiry() != (time.Time{}) {
			t.Errorf("%s: credential expiry after a failure", tc.name)
		}
	}
}

// TestOAuthBearerRetryAfterChallenge: after an error challenge a client may
// send a new initial response instead of the kvsep, as Kafka's
// OAuthBearerSaslServer allows, and a kvsep with no challenge pending is a
// malformed message.
func TestOAuthBearerRetryAfterChallenge(t *testing.T) {
	s := oauthServer().Start()
	if reply, _, err := s.Step(initialResponse("", "a.b.")); err != nil || !strings.HasPrefix(string(reply), `{"status"`) {
		t.Fatalf("bad token: reply %q, error %v", reply, err)
	}
	if reply, done, err := s.Step(initialResponse("", aliceToken)); err != nil || !done || len(reply) != 0 || s.Principal() != "alice" {
		t.Fatalf("retry: reply %q, done %v, error %v, principal %q", reply, done, err, s.Principal())
	}
	if _, _, err := s.Step([]byte{0x01}); err == nil || !strings.Contains(err.Error(), "COMPLETE") {
		t.Errorf("a message after success: %v, want an unexpected-challenge error", err)
	}
	s = oauthServer().Start()
	_, _, err := s.Step([]byte{0x01})
	if err == nil || err.Error() != "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER" {
		t.Errorf("a lone kvsep first: %v", err)
	}
}

// TestOAuthBearerFailures are the failures Kafka reports at once, without a
// challenge: a malformed message (SaslException: the generic text) and an
// authorization id that is not the token's principal (Kafka's
// authorizationIdNotEqualsAuthenticationId: its own text).
func TestOAuthBearerFailures(t *testing.T) {
	for _, tc := range []struct {
		name, msg, want, reason string
	}{
		{"malformed", "n,,\x01auth=Bearer " + aliceToken + "\x01", "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER",
			"Invalid OAUTHBEARER client first message"},
		{"not a bearer token", "n,,\x01auth=Basic YWxpY2U=\x01\x01", "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER",
			"Invalid scheme in OAUTHBEARER client first message: Basic"},
		{"another authorization id", string(initialResponse("alicex", aliceToken)),
			"Authentication failed: Client requested an authorization id (alicex) that is different from the token's principal name (alice)", ""},
		{"an escaped authorization id", string(initialResponse("al=2Cice", aliceToken)),
			"Authentication failed: Client requested an authorization id (al=2Cice) that is different from the token's principal name (alice)", ""},
	} {
		s := oauthServer().Start()
		reply, done, err := s.Step([]byte(tc.msg))
		if err == nil {
			t.Errorf("%s: reply %q, done %v", tc.name, reply, done)
			continue
		}
		ae := authError(t, err)
		if ae.Error() != tc.want || (tc.reason != "" && (ae.Unwrap() == nil || !strings.Contains(ae.Unwrap().Error(), tc.reason))) {
			t.Errorf("%s: error %q (reason %v), want %q because %q", tc.name, ae.Error(), ae.Unwrap(), tc.want, tc.reason)
		}
		checkFailed(t, s, err)
	}
}
