package broker

import (
	"strings"
	"testing"

	"github.com/kbridge/kbridge/config"
)

// saslFile is a ZooKeeper-mode file with a SASL_PLAINTEXT listener beside the
// PLAINTEXT inter-broker one.
const saslFile = `broker.id=0
zookeeper.connect=localhost:2181
log.dirs=/var/lib/kafka
listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9093
`

const oauthJAASKey = "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"

// An OAUTHBEARER listener gets the mechanism from its JAAS config; one without a
// JAAS config it can use stops the start with an error naming the listener, the
// file (--override for an overridden key) and the key.
func TestListenerSASLOAuthBearer(t *testing.T) {
	const module = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required"
	for _, tc := range []struct {
		name, text string
		overrides  []string
		want       string // the error; "" for a listener with OAUTHBEARER
	}{
		{"valid", "sasl.enabled.mechanisms=OAUTHBEARER\n" + oauthJAASKey + "=" + module + ` unsecuredValidatorRequiredScope="kafka";`, nil, ""},
		{"no JAAS config", "sasl.enabled.mechanisms=OAUTHBEARER\n", nil,
			"listener SASL_PLAINTEXT: server.properties: " + oauthJAASKey + ": OAUTHBEARER needs the listener's OAuthBearerLoginModule JAAS config"},
		{"another login module", "sasl.enabled.mechanisms=OAUTHBEARER\n" + oauthJAASKey + `=org.apache.kafka.common.security.plain.PlainLoginModule required user_a="b";`, nil,
			"listener SASL_PLAINTEXT: server.properties: " + oauthJAASKey + ": login module org.apache.kafka.common.security.plain.PlainLoginModule is not org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"},
		{"a bad option, overridden", "sasl.enabled.mechanisms=OAUTHBEARER\n", []string{oauthJAASKey + "=" + module + ` unsecuredValidatorAllowableClockSkewMs="-5";`},
			"listener SASL_PLAINTEXT: --override: " + oauthJAASKey + ": unsecuredValidatorAllowableClockSkewMs: Allowable clock skew millis must not be negative: -5"},
		{"PLAIN without its JAAS config", "listener.name.sasl_plaintext.sasl.enabled.mechanisms=OAUTHBEARER,PLAIN\n" + oauthJAASKey + "=" + module + ";", nil,
			"listener SASL_PLAINTEXT: server.properties: listener.name.sasl_plaintext.plain.sasl.jaas.config: PLAIN needs the listener's JAAS config"},
	} {
		cfg, err := config.Parse("server.properties", strings.NewReader(saslFile+tc.text+"\n"), tc.overrides)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mechs, err := listenerSASL(cfg, nil)
		if tc.want == "" {
			if err != nil || len(mechs["SASL_PLAINTEXT"]) != 1 || mechs["SASL_PLAINTEXT"][0].Name() != "OAUTHBEARER" {
				t.Errorf("%s: mechanisms %v, error %v", tc.name, mechs, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
