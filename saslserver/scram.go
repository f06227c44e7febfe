package saslserver

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// Scram is the SCRAM-SHA-256 or -512 server (RFC 5802/7677, Kafka's ScramSaslServer) with credentials looked up by user name at authentication time (so newly added users work without a restart).
//
// mechanism is ScramSHA256 or ScramSHA512; lookup returns the user's
// credential for that mechanism, false for an unknown user. It is called
// from every connection's goroutine, so it must be safe for concurrent use.
func Scram(mechanism string, lookup func(user string) (ScramCredential, bool)) (Mechanism, error) {
	newHash, err := scramHash(mechanism)
	if err != nil {
		return nil, err
	}
	if lookup == nil {
		return nil, fmt.Errorf("saslserver: %s needs a credential lookup", mechanism)
	}
	return &scramMechanism{name: mechanism, newHash: newHash, lookup: lookup, newNonce: rand.Text}, nil
}

type scramMechanism struct {
	name    string
	newHash func() hash.Hash
	lookup  func(user string) (ScramCredential, bool)
	// newNonce is the server's part of the nonce. Kafka's
	// ScramFormatter.secureRandomString is 130 random bits in base 36;
	// rand.Text is 130 random bits in base 32, as printable and comma-free.
	newNonce func() string
}

func (m *scramMechanism) Name() string { return m.name }

func (m *scramMechanism) Start() Session { return &scramSession{m: m} }

// scramState is ScramSaslServer.State.
type scramState int

const (
	receiveClientFirst scramState = iota
	receiveClientFinal
	complete
	failed
)

func (s scramState) String() string {
	return [...]string{"RECEIVE_CLIENT_FIRST_MESSAGE", "RECEIVE_CLIENT_FINAL_MESSAGE", "COMPLETE", "FAILED"}[s]
}

// scramSession is ScramSaslServer: client-first, server-first, client-final,
// server-final.
type scramSession struct {
	m     *scramMechanism
	state scramState
	// Kept between the two client messages.
	first       clientFirst
	credential  ScramCredential
	serverFirst string
	nonce       string // client nonce + server nonce
}

func (s *scramSession) Principal() string {
	if s.state != complete {
		return ""
	}
	return s.first.user
}

func (s *scramSession) Step(msg []byte) ([]byte, bool, error) {
	var reply []byte
	var err error
	switch s.state {
	case receiveClientFirst:
		reply, err = s.receiveFirst(msg)
	case receiveClientFinal:
		reply, err = s.receiveFinal(msg)
	default:
		return nil, false, unexpectedStep(s.state.String())
	}
	if err != nil {
		s.state = failed
		s.credential = ScramCredential{}
		return nil, false, err
	}
	return reply, s.state == complete, nil
}

// receiveFirst answers the client-first-message with the server-first-message
// "r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>", failing
// in ScramSaslServer's order: format, delegation token, unknown user,
// authorization id, iterations.
func (s *scramSession) receiveFirst(msg []byte) ([]byte, error) {
	first, err := parseClientFirst(msg)
	if err != nil {
		return nil, invalidCredentials(s.m.name, err)
	}
	if first.tokenAuth {
		return nil, refused("Authentication failed: delegation token authentication (tokenauth) is not supported by this broker")
	}
	credential, ok := s.m.lookup(first.user)
	if !ok {
		return nil, invalidCredentials(s.m.name, errors.New("Authentication failed: Invalid user credentials"))
	}
	if first.authzid != "" && first.authzid != first.user {
		return nil, refused("Authentication failed: Client requested an authorization id that is different from username")
	}
	if credential.Iterations < MinScramIterations {
		return nil, invalidCredentials(s.m.name, fmt.Errorf("Iterations %d is less than the minimum %d for %s",
			credential.Iterations, MinScramIterations, strings.ReplaceAll(s.m.name, "-", "_")))
	}
	s.first, s.credential = first, credential
	s.nonce = first.nonce + s.m.newNonce()
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(credential.Salt) +
		",i=" + strconv.Itoa(int(credential.Iterations))
	s.state = receiveClientFinal
	return []byte(s.serverFirst), nil
}

// receiveFinal checks the client-final-message's channel binding, nonce and
// proof and answers with the server-final-message "v=<base64 ServerSignature>".
func (s *scramSession) receiveFinal(msg []byte) ([]byte, error) {
	final, err := parseClientFinal(msg)
	if err != nil {
		return nil, invalidCredentials(s.m.name, err)
	}
	if !s.channelBindingValid(final.channelBinding) {
		return nil, invalidCredentials(s.m.name, fmt.Errorf("Invalid channel binding %q in the final client message: want the gs2 header %q", final.channelBinding, s.first.gs2Header))
	}
	// Kafka's ScramSaslServer checks only that the final nonce ends with the nonce it
	// sent, and librdkafka (2.0) relies on it: it sends its own nonce before the
	// server's combined one.
	if !strings.HasSuffix(final.nonce, s.nonce) {
		return nil, invalidCredentials(s.m.name, errors.New("Invalid client nonce in the final client message."))
	}
	// RFC 5802 section 3: AuthMessage := client-first-message-bare + "," +
	// server-first-message + "," + client-final-message-without-proof.
	authMessage := []byte(s.first.bare + "," + s.serverFirst + "," + final.withoutProof)
	if !proofValid(s.m.newHash, s.credential.StoredKey, authMessage, final.proof) {
		return nil, invalidCredentials(s.m.name, errors.New("Invalid client credentials"))
	}
	signature := hmacOf(s.m.newHash, s.credential.ServerKey, authMessage)
	s.credential = ScramCredential{}
	s.state = complete
	return []byte("v=" + base64.StdEncoding.EncodeToString(signature)), nil
}

// channelBindingValid tells whether the client-final-message's "c=" is the
// gs2 header the client sent (RFC 5802 section 7, without channel binding
// data) or "n,,", which Kafka's ScramSaslClient, librdkafka and franz-go
// send even after an authorization id.
func (s *scramSession) channelBindingValid(binding []byte) bool {
	return hmac.Equal(binding, []byte(s.first.gs2Header)) || hmac.Equal(binding, []byte("n,,"))
}
