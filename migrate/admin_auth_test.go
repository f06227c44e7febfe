package migrate

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// adminAnswer sends GET /v1/state as c and returns the status and the body, with a
// refusal's WWW-Authenticate challenge after it.
func adminAnswer(t *testing.T, c *AdminClient, addr string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.do(ctx, http.MethodGet, addr, "/v1/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body) + resp.Header.Get("WWW-Authenticate")
}

// TestAdminAuthentication: on a SASL listener with an authorizer the endpoint wants
// Basic credentials (401 without or with a wrong password), refuses a user who is not
// a super user (403) and serves one who is; on a TLS listener the client
// certificate's principal decides, User:ANONYMOUS being unauthenticated (401);
// without an authorizer any authenticated request is served, and on a TLS listener
// any request.
func TestAdminAuthentication(t *testing.T) {
	member := fixedMember{img: testImage(t), leader: 1}
	noVoters := func(string) []Voter { return nil }
	passwords := map[string]string{"admin": "admin-secret", "alice": "alice-secret"}
	sasl := AdminAccess{
		CheckPassword: func(user, password string) bool { p, ok := passwords[user]; return ok && p == password },
		Authorize:     true,
		SuperUsers:    []string{"User:admin", "User:CN=ctl,O=kb"},
	}
	addr := serveAdminWith(t, member, 1, noVoters, sasl, Peer{TLS: true, Principal: "User:CN=ctl,O=kb"})
	for _, tt := range []struct {
		name   string
		client *AdminClient
		status int
		says   string
	}{
		{"no credentials", &AdminClient{}, http.StatusUnauthorized, "}\n" + basicRealm},
		{"a wrong password", &AdminClient{Username: "admin", Password: "guess"}, http.StatusUnauthorized, "invalid username or password"},
		{"a user who is not a super user", &AdminClient{Username: "alice", Password: "alice-secret"}, http.StatusForbidden, "User:alice is not a super user"},
		{"a super user", &AdminClient{Username: "admin", Password: "admin-secret"}, http.StatusOK, ""},
	} {
		if status, body := adminAnswer(t, tt.client, addr); status != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("SASL, %s: %d %s, want %d saying %q", tt.name, status, body, tt.status, tt.says)
		}
	}

	tlsAccess := AdminAccess{Authorize: true, SuperUsers: []string{"User:CN=ctl,O=kb"}}
	for _, tt := range []struct {
		principal string
		status    int
		says      string
	}{
		{"User:CN=ctl,O=kb", http.StatusOK, ""},
		{"User:CN=alice,O=kb", http.StatusForbidden, "not a super user"},
		{"User:ANONYMOUS", http.StatusUnauthorized, "present a client certificate"},
	} {
		addr := serveAdminWith(t, member, 1, noVoters, tlsAccess, Peer{TLS: true, Principal: tt.principal})
		if status, body := adminAnswer(t, &AdminClient{}, addr); status != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("TLS as %s: %d %s, want %d saying %q", tt.principal, status, body, tt.status, tt.says)
		}
	}

	open := serveAdminWith(t, member, 1, noVoters, AdminAccess{}, Peer{TLS: true, Principal: "User:ANONYMOUS"})
	if status, _ := adminAnswer(t, &AdminClient{}, open); status != http.StatusOK {
		t.Errorf("without an authorizer an anonymous TLS client got %d", status)
	}
	plainSASL := sasl
	plainSASL.Authorize = false
	noAuthorizer := serveAdminWith(t, member, 1, noVoters, plainSASL, Peer{})
	if status, _ := adminAnswer(t, &AdminClient{Username: "alice", Password: "alice-secret"}, noAuthorizer); status != http.StatusOK {
		t.Errorf("without an authorizer an authenticated user got %d", status)
	}
}
