package config

import (
	"slices"
	"strings"
	"testing"
)

// oauthListenerFile is a ZooKeeper-mode file with an OAUTHBEARER
// SASL_PLAINTEXT listener beside the PLAINTEXT inter-broker one.
const oauthListenerFile = zkFile + `listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9093
listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope="kafka";
`

// OAUTHBEARER is accepted in sasl.enabled.mechanisms and its per-listener
// override, and the listener's JAAS config is read for it.
func TestOAuthBearerMechanismAccepted(t *testing.T) {
	for _, mechanisms := range []string{
		"sasl.enabled.mechanisms=OAUTHBEARER",
		"listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,OAUTHBEARER",
	} {
		c := mustParse(t, oauthListenerFile+mechanisms+"\n")
		s := c.ListenerSASL("SASL_PLAINTEXT")
		key := "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"
		if !slices.Contains(s.Mechanisms, "OAUTHBEARER") || s.JAASKey["OAUTHBEARER"] != key || !strings.Contains(s.JAAS["OAUTHBEARER"], "OAuthBearerLoginModule") {
			t.Errorf("%s: %+v", mechanisms, s)
		}
		if len(c.UnknownKeys) != 0 || len(c.IgnoredKeys) != 0 {
			t.Errorf("%s: unknown keys %v, ignored keys %v, want none", mechanisms, c.UnknownKeys, c.IgnoredKeys)
		}
	}
	// A mechanism's key is named even when it is not set, for the broker's errors.
	s := mustParse(t, zkFile+"listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9093\nsasl.enabled.mechanisms=OAUTHBEARER\n").ListenerSASL("SASL_PLAINTEXT")
	if _, set := s.JAAS["OAUTHBEARER"]; set || s.JAASKey["OAUTHBEARER"] != "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config" {
		t.Errorf("no JAAS config: %+v", s)
	}
}

// The keys that ask for more than Kafka's default OAUTHBEARER validator (signed
// tokens, KIP-768; a custom callback handler) and OAUTHBEARER between brokers
// are refused, naming the key and the file and saying what is missing.
func TestOAuthBearerValidationKeysRefused(t *testing.T) {
	for _, tc := range []struct {
		key, value, missing string
	}{
		{"sasl.oauthbearer.jwks.endpoint.url", "https://idp.example/jwks", oauthSignedMissing},
		{"sasl.oauthbearer.expected.audience", "my-audience", oauthSignedMissing},
		{"sasl.oauthbearer.expected.issuer", "https://idp.example", oauthSignedMissing},
		{"sasl.oauthbearer.token.endpoint.url", "https://idp.example/token", oauthSignedMissing},
		{"listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.jwks.endpoint.url", "file:///jwks.json", oauthSignedMissing},
		{"sasl.server.callback.handler.class", "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler", oauthSignedMissing},
		{"listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class", "com.example.Validator", oauthSignedMissing},
		{"sasl.mechanism.inter.broker.protocol", "OAUTHBEARER", oauthLoginMissing},
		{"sasl.mechanism.controller.protocol", "OAUTHBEARER", oauthLoginMissing},
		{"sasl.mechanism.inter.broker.protocol", "oauthbearer", oauthLoginMissing},
	} {
		ue := parseRefused(t, oauthListenerFile+"sasl.enabled.mechanisms=OAUTHBEARER\n"+tc.key+"="+tc.value+"\n")
		if len(ue.Refused) != 1 {
			t.Errorf("%s: refused %v, want only it", tc.key, ue)
			continue
		}
		if ke := ue.Refused[0]; ke.File != "server.properties" || ke.Key != tc.key || !strings.Contains(ke.Msg, tc.missing) {
			t.Errorf("%s: error %q, want server.properties: %s: ...%s", tc.key, ke.Error(), tc.key, tc.missing)
		}
	}
	// The other inter-broker mechanisms are read as before (unused while no
	// inter-broker listener is SASL).
	for _, m := range []string{"GSSAPI", "PLAIN", "SCRAM-SHA-512"} {
		mustParse(t, oauthListenerFile+"sasl.enabled.mechanisms=OAUTHBEARER\nsasl.mechanism.inter.broker.protocol="+m+"\n")
	}
}
