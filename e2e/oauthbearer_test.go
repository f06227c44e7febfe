package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// oauthJAAS is the OAUTHBEARER listener's JAAS config as Kafka's docs write a
// broker's: the login claim makes the broker's own token (not read by kbridge), the
// validator options require the scope "kafka" and allow a second of clock skew.
const oauthJAAS = `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin" unsecuredValidatorRequiredScope="kafka" unsecuredValidatorAllowableClockSkewMs="1000";`

// TestOAuthBearer: a ZooKeeper-mode broker with an OAUTHBEARER SASL_PLAINTEXT
// listener validating unsecured tokens as Kafka's default validator does, beside its
// PLAINTEXT inter-broker listener. franz-go (alice, a token made here) and kcat
// (librdkafka's own unsecured token for carol) produce and consume; an expired
// token, one without the required scope, malformed ones and an authorization id
// that is not the principal fail with SASL_AUTHENTICATION_FAILED and Kafka's
// messages.
func TestOAuthBearer(t *testing.T) {
	var saslAddr string
	c := StartZKClusterWith(t, 1, func(_ int, addr string) []string {
		saslAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		return []string{
			fmt.Sprintf("listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s", addr, saslAddr),
			"listener.name.sasl_plaintext.sasl.enabled.mechanisms=OAUTHBEARER",
			"listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=" + oauthJAAS,
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if resp, err := kadm.NewClient(c.Client()).CreateTopic(ctx, 1, 1, nil, "oauth"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}

	now := time.Now()
	alice := oauth.Auth{Token: unsecuredJWS(t, map[string]any{
		"sub": "alice", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": []string{"kafka", "other"}})}
	producer := newClient(t, saslAddr, kgo.SASL(alice.AsMechanism()), kgo.DefaultProduceTopic("oauth"))
	var produced []string
	for i := range 20 {
		v := fmt.Sprintf("oauth-%02d", i)
		produced = append(produced, v)
		if err := producer.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce as alice: %v", err)
		}
	}
	got := readValues(newClient(t, saslAddr, kgo.SASL(alice.AsMechanism()), kgo.ConsumeTopics("oauth"),
		kgo.ConsumerGroup("alices"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(produced))
	checkAcked(t, produced, got)

	kcat := requireTool(t, "kcat")
	carol := []string{"-b", saslAddr, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=OAUTHBEARER",
		"-X", "enable.sasl.oauthbearer.unsecure.jwt=true", "-X", "sasl.oauthbearer.config=principal=carol scope=kafka,other", "-t", "oauth"}
	produce := exec.CommandContext(ctx, kcat, slices.Concat(carol, []string{"-P", "-X", "acks=all"})...)
	produce.Stdin = strings.NewReader("kcat-0\nkcat-1\nkcat-2\n")
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P with librdkafka's unsecured token: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, kcat, slices.Concat(carol, []string{"-C", "-o", "beginning", "-e", "-q"})...).CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -C with librdkafka's unsecured token: %v\n%s", err, out)
	}
	if want := append(slices.Clone(produced), "kcat-0", "kcat-1", "kcat-2"); !slices.Equal(strings.Fields(string(out)), want) {
		t.Fatalf("kcat read %q, want %q", out, want)
	}

	const invalidToken = `{"status":"invalid_token"}`
	const generic = "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER"
	for _, tc := range []struct {
		name string
		auth oauth.Auth
		want string // part of the error message
	}{
		{"an expired token", oauth.Auth{Token: unsecuredJWS(t, map[string]any{
			"sub": "alice", "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix(), "scope": "kafka"})}, invalidToken},
		{"a token without the required scope", oauth.Auth{Token: unsecuredJWS(t, map[string]any{
			"sub": "alice", "exp": now.Add(time.Hour).Unix(), "scope": []string{"other"}})}, `{"status":"insufficient_scope", "scope":"[kafka]"}`},
		{"a token without a principal", oauth.Auth{Token: unsecuredJWS(t, map[string]any{
			"exp": now.Add(time.Hour).Unix(), "scope": "kafka"})}, invalidToken},
		{"a signed token", oauth.Auth{Token: "eyJhbGciOiJIUzI1NiJ9." + strings.Split(alice.Token, ".")[1] + ".c2lnbmF0dXJl"}, invalidToken},
		{"a token that is no JWS", oauth.Auth{Token: "not-a-jws"}, invalidToken},
		// No challenge for a message Kafka cannot read: the generic text at once.
		{"a malformed message", oauth.Auth{Token: "two words"}, generic},
		{"another authorization id", oauth.Auth{Zid: "bob", Token: alice.Token},
			"Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)"},
	} {
		cl := newClient(t, saslAddr, kgo.SASL(kvsepOnChallenge{tc.auth.AsMechanism()}), kgo.RequestRetries(0))
		if err := cl.Ping(ctx); !errors.Is(err, kerr.SaslAuthenticationFailed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want SASL_AUTHENTICATION_FAILED with %s", tc.name, err, tc.want)
		}
	}

	// franz-go's own OAUTHBEARER session fails on the error challenge by itself; it is
	// not served either.
	expired := oauth.Auth{Token: unsecuredJWS(t, map[string]any{"sub": "alice", "exp": now.Add(-time.Hour).Unix(), "scope": "kafka"})}
	pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
	defer pcancel()
	cl := newClient(t, saslAddr, kgo.SASL(expired.AsMechanism()), kgo.RequestRetries(0), kgo.RetryTimeout(2*time.Second))
	if _, err := kadm.NewClient(cl).ListTopics(pctx); err == nil {
		t.Error("franz-go's client with an expired token was served Metadata")
	}
}

// TestOAuthBearerRefusedConfigs: a node whose OAUTHBEARER listener has no JAAS config,
// one for another login module, or a key asking for signed tokens (KIP-768) does not
// start; stderr names the file and the key.
func TestOAuthBearerRefusedConfigs(t *testing.T) {
	dir := t.TempDir()
	bp, sp, cp := freePort(t), freePort(t), freePort(t)
	brokerAddr, saslAddr := fmt.Sprintf("127.0.0.1:%d", bp), fmt.Sprintf("127.0.0.1:%d", sp)
	base := []string{
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", cp),
		fmt.Sprintf("listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s,CONTROLLER://127.0.0.1:%d", brokerAddr, saslAddr, cp),
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
		"controller.listener.names=CONTROLLER",
		"sasl.enabled.mechanisms=OAUTHBEARER",
		"log.dirs=" + filepath.Join(dir, "data"),
		"offsets.topic.replication.factor=1",
	}
	clusterID := strings.TrimSpace(Run(t, "storage", "random-uuid"))
	Run(t, "storage", "format", "-t", clusterID, "-c", writeProperties(t, dir, "base", base))
	const jaasKey = "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"
	for _, tc := range []struct {
		name  string
		extra []string
		key   string
		msg   string
	}{
		{"no-jaas-config", nil, jaasKey, "OAUTHBEARER needs the listener's OAuthBearerLoginModule JAAS config"},
		{"plain-login-module", []string{jaasKey + `=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="secret";`}, jaasKey,
			"login module org.apache.kafka.common.security.plain.PlainLoginModule is not org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"},
		{"jwks", []string{jaasKey + "=" + oauthJAAS, "sasl.oauthbearer.jwks.endpoint.url=https://idp.invalid/jwks"}, "sasl.oauthbearer.jwks.endpoint.url",
			"validating signed OAUTHBEARER tokens (KIP-768)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeProperties(t, dir, tc.name, append(slices.Clone(base), tc.extra...))
			stderr := startMustFail(t, path, 30*time.Second)
			if want := path + ": " + tc.key + ": "; !strings.Contains(stderr, want) || !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr does not name %q with %q:\n%s", want, tc.msg, stderr)
			}
			assertNotListening(t, brokerAddr, saslAddr)
		})
	}
}

// unsecuredJWS is an unsecured JWS (RFC 7515, "alg":"none", no signature) with
// these claims, base64url without padding, as Kafka's
// OAuthBearerUnsecuredLoginCallbackHandler makes one.
func unsecuredJWS(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(payload) + "."
}

// kvsepOnChallenge is an OAUTHBEARER client that answers the server's error
// challenge with a kvsep, as RFC 7628 section 3.2.3, Kafka's OAuthBearerSaslClient
// and librdkafka do, so that the broker's SASL_AUTHENTICATION_FAILED reaches the
// client. franz-go's own session (v1.22) fails on any challenge by itself
// ("unexpected data in oauth response") and never sends the kvsep.
type kvsepOnChallenge struct{ sasl.Mechanism }

// Authenticate sends the wrapped mechanism's initial response.
func (m kvsepOnChallenge) Authenticate(ctx context.Context, host string) (sasl.Session, []byte, error) {
	_, first, err := m.Mechanism.Authenticate(ctx, host)
	return kvsepSession{}, first, err
}

// kvsepSession ends on the server's empty reply and answers anything else with a kvsep.
type kvsepSession struct{}

// Challenge is done on an empty reply (success) and sends a kvsep after an error challenge.
func (kvsepSession) Challenge(resp []byte) (bool, []byte, error) {
	if len(resp) == 0 {
		return true, nil, nil
	}
	return false, []byte{0x01}, nil
}
