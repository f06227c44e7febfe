package saslserver

import (
	"crypto/subtle"
	"fmt"
	"maps"
	"strings"
)

// plainName is PlainSaslServer.PLAIN_MECHANISM.
const plainName = "PLAIN"

// Plain is Kafka's PlainServerCallbackHandler over a JAAS user list (user_<name>="password").
//
// users maps each user name to its password, as ParsePlainJAAS returns them;
// the map is copied, so the caller may reuse it.
func Plain(users map[string]string) Mechanism {
	return plainMechanism{users: maps.Clone(users)}
}

type plainMechanism struct {
	users map[string]string
}

func (plainMechanism) Name() string { return plainName }

func (m plainMechanism) Start() Session { return &plainSession{users: m.users} }

// plainSession is PlainSaslServer: one client message, answered with an
// empty reply once the password matches.
type plainSession struct {
	users     map[string]string
	ended     bool
	principal string
}

func (s *plainSession) Principal() string { return s.principal }

func (s *plainSession) Step(msg []byte) ([]byte, bool, error) {
	if s.ended {
		return nil, false, stepAfterEnd(s.principal)
	}
	s.ended = true
	user, err := s.authenticate(string(msg))
	if err != nil {
		return nil, false, err
	}
	s.principal = user
	return []byte{}, true, nil
}

// authenticate checks message = [authzid] NUL authcid NUL passwd (RFC 4616)
// in PlainSaslServer.evaluateResponse's order and with its messages, which
// Kafka shows the client as they are. An unknown user and a wrong password
// give the same message, and the password is compared in constant time
// (Utils.isEqualConstantTime) against the empty string for an unknown user,
// so neither the text nor the timing says which it was.
func (s *plainSession) authenticate(message string) (string, error) {
	// PlainSaslServer.extractTokens splits on at most three NULs and wants
	// exactly three tokens.
	tokens := strings.SplitN(message, "\x00", 4)
	if len(tokens) != 3 {
		return "", refused(fmt.Sprintf("Invalid SASL/PLAIN response: expected 3 tokens, got %d", len(tokens)))
	}
	authzid, user, password := tokens[0], tokens[1], tokens[2]
	if user == "" {
		return "", refused("Authentication failed: username not specified")
	}
	if password == "" {
		return "", refused("Authentication failed: password not specified")
	}
	expected, known := s.users[user]
	matches := subtle.ConstantTimeCompare([]byte(expected), []byte(password)) == 1
	if !known || !matches {
		return "", refused("Authentication failed: Invalid username or password")
	}
	if authzid != "" && authzid != user {
		return "", refused("Authentication failed: Client requested an authorization id that is different from username")
	}
	return user, nil
}
