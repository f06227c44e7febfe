package migrate

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
)

// AdminAccess is how the admin endpoint authenticates its requests, from the
// security of the controller listener it is served on (docs/security.md, "The
// migration admin endpoint"). The zero value lets every request through, as on a
// plaintext listener.
type AdminAccess struct {
	// CheckPassword is set on a SASL controller listener: every request must then
	// carry HTTP Basic credentials that it accepts, the same users and credentials a
	// Kafka client of the listener logs in with.
	CheckPassword func(user, password string) bool
	// Authorize is set when an authorizer is configured (authorizer.class.name): the
	// endpoint then serves only an authenticated principal among SuperUsers
	// (super.users), as only a super user could run the migration through Kafka's
	// APIs. Without an authorizer Kafka lets every authenticated principal do
	// everything, and so does the endpoint.
	Authorize  bool
	SuperUsers []string
}

// Peer is what the controller listener knows of an admin connection before its first
// request: whether it came over TLS, and its client certificate's principal
// (tlsconf.Principal; "" on a plaintext listener).
type Peer struct {
	TLS       bool
	Principal string
}

// peerConn carries a connection's Peer to its requests (http.Server.ConnContext).
type peerConn struct {
	net.Conn
	peer Peer
}

type peerKey struct{}

// connContext puts the connection's Peer in the context of each of its requests.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if pc, ok := c.(*peerConn); ok {
		return context.WithValue(ctx, peerKey{}, pc.peer)
	}
	return ctx
}

// basicRealm names the endpoint in a 401's WWW-Authenticate challenge.
const basicRealm = `Basic realm="kbridge migration admin", charset="UTF-8"`

// authenticate wraps every handler: it names the request's principal (the Basic
// user on a SASL listener, else the client certificate's) and refuses, with a JSON
// error saying why, a request on a SASL listener without credentials it accepts
// (401) and, with an authorizer, one that is not authenticated (401) or whose
// principal is not a super user (403).
func (s *AdminServer) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, _ := r.Context().Value(peerKey{}).(Peer)
		principal := peer.Principal
		if s.access.CheckPassword != nil {
			user, password, ok := r.BasicAuth()
			if !ok {
				s.refuse(w, r, http.StatusUnauthorized, "the controller listener authenticates with SASL: send the user's credentials as HTTP Basic authentication (kbridge migrate --command-config with sasl.mechanism and sasl.jaas.config)")
				return
			}
			if !s.access.CheckPassword(user, password) {
				s.refuse(w, r, http.StatusUnauthorized, "authentication failed: invalid username or password")
				return
			}
			principal = "User:" + user
		}
		if s.access.Authorize {
			if principal == "" || principal == anonymous {
				s.refuse(w, r, http.StatusUnauthorized, "an authorizer is configured, so the admin endpoint serves only super users, and this request is not authenticated: "+howToAuthenticate(peer))
				return
			}
			if !slices.Contains(s.access.SuperUsers, principal) {
				s.refuse(w, r, http.StatusForbidden, fmt.Sprintf("principal %s is not a super user (super.users): the migration admin endpoint serves only super users", principal))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// anonymous is Kafka's principal of a connection that did not authenticate.
const anonymous = "User:ANONYMOUS"

// howToAuthenticate tells an unauthenticated client what the listener would take.
func howToAuthenticate(peer Peer) string {
	if peer.TLS {
		return "present a client certificate (ssl.keystore.* in kbridge migrate --command-config)"
	}
	return "the controller listener is PLAINTEXT, where no request is authenticated; map it to SSL or SASL_SSL"
}

// refuse answers a request the endpoint will not serve, and logs it.
func (s *AdminServer) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", basicRealm)
	}
	s.log.Warn("refusing an admin request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", status, "reason", why)
	writeJSON(w, status, errorJSON{Error: why, LeaderID: s.ctrl.LeaderID()})
}
