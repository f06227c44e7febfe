package saslserver

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// exchange authenticates client against a new session of server, stepping
// them as franz-go's broker connection does: the client's Authenticate
// message first, then each server reply through the client session's
// Challenge. tamper, if not nil, rewrites the client's message number step
// (from 0) before the server sees it. It returns the server session and the
// server's error; a client-side failure fails the test.
func exchange(t *testing.T, client sasl.Mechanism, server Mechanism, tamper func(step int, msg []byte) []byte) (Session, error) {
	t.Helper()
	clientSession, msg, err := client.Authenticate(context.Background(), "localhost:9092")
	if err != nil {
		t.Fatalf("%s client: %v", client.Name(), err)
	}
	serverSession := server.Start()
	for step := 0; step < 4; step++ {
		if tamper != nil {
			msg = tamper(step, msg)
		}
		reply, serverDone, err := serverSession.Step(msg)
		if err != nil {
			return serverSession, err
		}
		clientDone, next, err := clientSession.Challenge(reply)
		if err != nil {
			t.Fatalf("%s client refused server reply %q: %v", client.Name(), reply, err)
		}
		if clientDone != serverDone {
			t.Fatalf("%s step %d: client done %v, server done %v", client.Name(), step, clientDone, serverDone)
		}
		if clientDone {
			return serverSession, nil
		}
		msg = next
	}
	t.Fatalf("%s exchange did not end", client.Name())
	return nil, nil
}

// authError asserts that err is an *AuthError and returns it.
func authError(t *testing.T, err error) *AuthError {
	t.Helper()
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *AuthError", err, err)
	}
	return ae
}

// TestMechanismsConcurrent runs sessions of one mechanism in parallel, as a
// listener does, so that the race detector sees any state they share.
func TestMechanismsConcurrent(t *testing.T) {
	cred, err := NewScramCredential(ScramSHA512, "alice-secret", nil, MinScramIterations)
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]ScramCredential{"alice": cred}
	scramServer, err := Scram(ScramSHA512, func(user string) (ScramCredential, bool) {
		c, ok := creds[user]
		return c, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	plainServer := Plain(map[string]string{"alice": "alice-secret"})
	oauthBearerServer := oauthServer()
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				client sasl.Mechanism
				server Mechanism
			}{
				{scram.Auth{User: "alice", Pass: "alice-secret"}.AsSha512Mechanism(), scramServer},
				{plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism(), plainServer},
				{oauth.Auth{Token: aliceToken}.AsMechanism(), oauthBearerServer},
			} {
				s, err := exchange(t, tc.client, tc.server, nil)
				if err != nil || s.Principal() != "alice" {
					t.Errorf("%s: principal %q, error %v", tc.server.Name(), s.Principal(), err)
				}
			}
		})
	}
}
