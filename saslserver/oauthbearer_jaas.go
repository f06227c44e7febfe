package saslserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// oauthBearerLoginModule is OAuthBearerLoginModule's class name, the module
// whose options Kafka's default OAUTHBEARER validator reads.
const oauthBearerLoginModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"

// The options of OAuthBearerUnsecuredValidatorCallbackHandler, all optional.
const (
	oauthValidatorOptionPrefix = "unsecuredValidator"
	optionPrincipalClaimName   = oauthValidatorOptionPrefix + "PrincipalClaimName"
	optionScopeClaimName       = oauthValidatorOptionPrefix + "ScopeClaimName"
	optionRequiredScope        = oauthValidatorOptionPrefix + "RequiredScope"
	optionClockSkewMs          = oauthValidatorOptionPrefix + "AllowableClockSkewMs"
)

// OAuthBearerOptions configure Kafka's default OAUTHBEARER validator
// (OAuthBearerUnsecuredValidatorCallbackHandler): which claims hold the
// principal and the scope, the scope every token must carry and how far the
// client's clock may be off. ParseOAuthBearerJAAS reads them from a listener's
// JAAS config, so that a broker validates tokens exactly as a Kafka broker
// with the same file would.
type OAuthBearerOptions struct {
	// PrincipalClaim is the string claim naming the principal ("sub").
	PrincipalClaim string
	// ScopeClaim is the string or string-list claim holding the scope ("scope").
	ScopeClaim string
	// RequiredScope are the scope items every token must have (none).
	RequiredScope []string
	// ClockSkew is how far iat may be in the future and exp in the past (0).
	ClockSkew time.Duration
}

// ParseOAuthBearerJAAS reads the unsecuredValidator* options of an
// OAuthBearerLoginModule JAAS config
// (`org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope="kafka";`)
// with Kafka's defaults and parsing (values trimmed, a blank one meaning the
// default, the required scope split on spaces). Errors say what is wrong; the
// caller adds the key and the file.
//
// Kafka reads these options at each authentication and fails that one when an
// option is bad; this refuses the config at start instead. It also refuses an
// unsecuredValidator* option it does not know, which Kafka ignores: a
// misspelt unsecuredValidatorRequiredScope would let in tokens without the
// scope. Other options (such as unsecuredLoginStringClaim_sub, for the
// broker's own token, which Kafka's broker makes at start) are accepted and
// not read: a broker here has no OAUTHBEARER client of its own.
func ParseOAuthBearerJAAS(jaas string) (OAuthBearerOptions, error) {
	entry, err := parseJAAS(jaas)
	if err != nil {
		return OAuthBearerOptions{}, err
	}
	if entry.module != oauthBearerLoginModule {
		return OAuthBearerOptions{}, fmt.Errorf("login module %s is not %s, whose options configure Kafka's default OAUTHBEARER validator", entry.module, oauthBearerLoginModule)
	}
	known := []string{optionPrincipalClaimName, optionScopeClaimName, optionRequiredScope, optionClockSkewMs}
	for name := range entry.options {
		if strings.HasPrefix(name, oauthValidatorOptionPrefix) && !slices.Contains(known, name) {
			return OAuthBearerOptions{}, fmt.Errorf("unknown option %s (the validator's options are %s)", name, strings.Join(known, ", "))
		}
	}
	opts := OAuthBearerOptions{
		PrincipalClaim: optionOr(entry.options, optionPrincipalClaimName, "sub"),
		ScopeClaim:     optionOr(entry.options, optionScopeClaimName, "scope"),
	}
	if opts.RequiredScope, err = parseRequiredScope(optionOr(entry.options, optionRequiredScope, "")); err != nil {
		return OAuthBearerOptions{}, fmt.Errorf("%s: %w", optionRequiredScope, err)
	}
	skew, err := strconv.ParseInt(optionOr(entry.options, optionClockSkewMs, "0"), 10, 32)
	if err != nil {
		return OAuthBearerOptions{}, fmt.Errorf("%s: not an int: %w", optionClockSkewMs, err)
	}
	if skew < 0 {
		return OAuthBearerOptions{}, fmt.Errorf("%s: Allowable clock skew millis must not be negative: %d", optionClockSkewMs, skew)
	}
	opts.ClockSkew = time.Duration(skew) * time.Millisecond
	return opts, nil
}

// optionOr is an option's trimmed value, or def when it is missing or blank.
func optionOr(options map[string]string, name, def string) string {
	if v := javaTrim(options[name]); v != "" {
		return v
	}
	return def
}

// parseRequiredScope is OAuthBearerScopeUtils.parseScope: space-separated
// items, each of RFC 6749's scope-token characters (%x21 / %x23-5B / %x5D-7E).
func parseRequiredScope(spaced string) ([]string, error) {
	var scope []string
	for _, item := range strings.Split(spaced, " ") {
		if item == "" {
			continue
		}
		if strings.IndexFunc(item, func(c rune) bool { return c != 0x21 && (c < 0x23 || c > 0x7E || c == '\\') }) >= 0 {
			return nil, fmt.Errorf("Invalid scope value: %s", item)
		}
		scope = append(scope, item)
	}
	return scope, nil
}
