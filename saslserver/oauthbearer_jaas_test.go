package saslserver

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const oauthModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "

func TestParseOAuthBearerJAAS(t *testing.T) {
	for _, tc := range []struct {
		options string
		want    OAuthBearerOptions
	}{
		{"", defaultOAuthOptions},
		// Kafka's documented broker config: the login options make the broker's own
		// token and are not read here.
		{`unsecuredLoginStringClaim_sub="admin" unsecuredLoginListClaim_scope=",KAFKA_BROKER,LOGIN_TO_KAFKA" unsecuredValidatorRequiredScope="LOGIN_TO_KAFKA" unsecuredValidatorAllowableClockSkewMs="3000"`,
			OAuthBearerOptions{PrincipalClaim: "sub", ScopeClaim: "scope", RequiredScope: []string{"LOGIN_TO_KAFKA"}, ClockSkew: 3 * time.Second}},
		{`unsecuredValidatorPrincipalClaimName=" principal " unsecuredValidatorScopeClaimName="scp" unsecuredValidatorRequiredScope=" a  b " unsecuredValidatorAllowableClockSkewMs=" +5 "`,
			OAuthBearerOptions{PrincipalClaim: "principal", ScopeClaim: "scp", RequiredScope: []string{"a", "b"}, ClockSkew: 5 * time.Millisecond}},
		// Blank values are the defaults.
		{`unsecuredValidatorPrincipalClaimName=" " unsecuredValidatorScopeClaimName="" unsecuredValidatorRequiredScope="  " unsecuredValidatorAllowableClockSkewMs=" "`,
			defaultOAuthOptions},
	} {
		got, err := ParseOAuthBearerJAAS(oauthModule + tc.options + ";")
		if err != nil || got.PrincipalClaim != tc.want.PrincipalClaim || got.ScopeClaim != tc.want.ScopeClaim ||
			!slices.Equal(got.RequiredScope, tc.want.RequiredScope) || got.ClockSkew != tc.want.ClockSkew {
			t.Errorf("%s: %+v, %v; want %+v", tc.options, got, err, tc.want)
		}
	}
}

func TestParseOAuthBearerJAASRefused(t *testing.T) {
	for _, tc := range []struct {
		jaas, want string
	}{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="secret";`,
			"login module org.apache.kafka.common.security.plain.PlainLoginModule is not org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"},
		{"", "Login module not specified in JAAS config"},
		{oauthModule, "JAAS config entry not terminated by semi-colon"},
		{oauthModule + `unsecuredValidatorRequiredScop="kafka";`, "unknown option unsecuredValidatorRequiredScop"},
		{oauthModule + `unsecuredValidatorAllowableClockSkewMs="-1";`, "unsecuredValidatorAllowableClockSkewMs: Allowable clock skew millis must not be negative: -1"},
		{oauthModule + `unsecuredValidatorAllowableClockSkewMs="1s";`, "unsecuredValidatorAllowableClockSkewMs: not an int"},
		{oauthModule + `unsecuredValidatorAllowableClockSkewMs="2147483648";`, "unsecuredValidatorAllowableClockSkewMs: not an int"},
		// OAuthBearerScopeUtilsTest.invalidScope, and a tab, which is not a separator.
		{oauthModule + `unsecuredValidatorRequiredScope="\"foo";`, `unsecuredValidatorRequiredScope: Invalid scope value: "foo`},
		{oauthModule + `unsecuredValidatorRequiredScope="\\foo";`, `unsecuredValidatorRequiredScope: Invalid scope value: \foo`},
		{oauthModule + `unsecuredValidatorRequiredScope="a\tb";`, "unsecuredValidatorRequiredScope: Invalid scope value: a\tb"},
	} {
		got, err := ParseOAuthBearerJAAS(tc.jaas)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %+v, %v; want %q", tc.jaas, got, err, tc.want)
		}
	}
}

// TestRequiredScope runs Kafka's OAuthBearerScopeUtilsTest.validScope.
func TestRequiredScope(t *testing.T) {
	for _, tc := range []struct {
		spaced string
		want   []string
	}{
		{"", nil},
		{"   ", nil},
		{"scope1", []string{"scope1"}},
		{" scope1 ", []string{"scope1"}},
		{"scope1 Scope2", []string{"scope1", "Scope2"}},
		{"scope1   Scope2", []string{"scope1", "Scope2"}},
		{"!#[]~", []string{"!#[]~"}},
	} {
		if got, err := parseRequiredScope(tc.spaced); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, %v; want %q", tc.spaced, got, err, tc.want)
		}
	}
}
