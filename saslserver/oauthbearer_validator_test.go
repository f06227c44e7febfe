package saslserver

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// oauthNow is the clock of the validator tests, with milliseconds so that
// the comparisons in them are not on whole seconds.
var oauthNow = time.UnixMilli(1_700_000_000_123)

// nowSeconds is oauthNow as a NumericDate.
var nowSeconds = float64(oauthNow.UnixMilli()) / 1000

// defaultOAuthOptions are the validator's options for an empty JAAS option list.
var defaultOAuthOptions = OAuthBearerOptions{PrincipalClaim: "sub", ScopeClaim: "scope"}

// TestOAuthValidateTimes runs Kafka's OAuthBearerValidationUtilsTest time
// cases (validateIssuedAt, validateExpirationTime,
// validateExpirationTimeAndIssuedAtConsistency): iat and exp at the check
// time moved by -10, 0 and 10 ms, with skews of 0 to 20 ms.
func TestOAuthValidateTimes(t *testing.T) {
	valid := func(claims string, skewMs int, offsetMs int64) error {
		opts := defaultOAuthOptions
		opts.ClockSkew = time.Duration(skewMs) * time.Millisecond
		_, err := opts.validate(unsecuredToken(noneHeader, claims), oauthNow.Add(time.Duration(offsetMs)*time.Millisecond))
		return err
	}
	// As in Kafka's test, the expectations compute as the check does: the claim
	// times 1000 against the check time in whole milliseconds.
	nowMs := float64(oauthNow.UnixMilli())
	claimMs := 1000 * nowSeconds
	for _, skew := range []int{0, 5, 10, 20} {
		for _, offset := range []int64{-10, 0, 10} {
			whenCheck := nowMs + float64(offset)
			// validateIssuedAt, with an exp far enough not to interfere.
			err := valid(fmt.Sprintf(`{"sub":"p","iat":%v,"exp":%v}`, nowSeconds, nowSeconds+60), skew, offset)
			if future := claimMs > whenCheck+float64(skew); future != (err != nil) {
				t.Errorf("iat now, skew %d, check at %+d ms: error %v, want one: %v", skew, offset, err, future)
			}
			// validateExpirationTime.
			err = valid(fmt.Sprintf(`{"sub":"p","exp":%v}`, nowSeconds), skew, offset)
			if expired := whenCheck-float64(skew) >= claimMs; expired != (err != nil) {
				t.Errorf("exp now, skew %d, check at %+d ms: error %v, want one: %v", skew, offset, err, expired)
			}
		}
	}
	// validateExpirationTimeAndIssuedAtConsistency: exp must be after iat.
	for _, expOffset := range []int{-1, 0, 1} {
		claims := fmt.Sprintf(`{"iat":%v,"exp":%v,"sub":"p"}`, nowSeconds-5, nowSeconds-5+float64(expOffset))
		err := valid(claims, 20_000, 0)
		if (expOffset <= 0) != (err != nil) || (err != nil && !strings.Contains(err.Error(), "was not after the Issued At time")) {
			t.Errorf("exp %+d s after iat: error %v", expOffset, err)
		}
	}
	if err := valid(fmt.Sprintf(`{"exp":%v,"sub":"p"}`, nowSeconds+1), 0, 0); err != nil {
		t.Errorf("no iat: %v", err)
	}
}

// TestOAuthValidateScope runs Kafka's validateScope cases: no, one and two
// scope items held and required.
func TestOAuthValidateScope(t *testing.T) {
	scopes := [][]string{nil, {}, {"scope1"}, {"scope1", "scope2"}}
	for _, held := range scopes {
		claims := fmt.Sprintf(`{"exp":%v,"sub":"p"}`, nowSeconds+60)
		if held != nil {
			claims = fmt.Sprintf(`{"exp":%v,"sub":"p","scope":["%s"]}`, nowSeconds+60, strings.Join(held, `","`))
			if len(held) == 0 {
				claims = strings.Replace(claims, `[""]`, `[]`, 1)
			}
		}
		for _, required := range scopes {
			opts := defaultOAuthOptions
			opts.RequiredScope = required
			_, err := opts.validate(unsecuredToken(noneHeader, claims), oauthNow)
			var missing *missingScopeError
			if fails := len(held) < len(required); fails != errors.As(err, &missing) || (!fails && err != nil) {
				t.Errorf("scope %q, required %q: error %v", held, required, err)
			}
		}
	}
}

// TestOAuthValidatorCallbackHandler runs Kafka's
// OAuthBearerUnsecuredValidatorCallbackHandlerTest: its options, tokens and
// the error challenge each failure gets.
func TestOAuthValidatorCallbackHandler(t *testing.T) {
	principalOption := OAuthBearerOptions{PrincipalClaim: "principal", ScopeClaim: "scope", ClockSkew: time.Millisecond}
	existingScope := OAuthBearerOptions{PrincipalClaim: "sub", ScopeClaim: "scope", RequiredScope: []string{"scope1"}}
	additionalScope := OAuthBearerOptions{PrincipalClaim: "sub", ScopeClaim: "scope", RequiredScope: []string{"scope1", "scope2"}}
	exp := fmt.Sprintf(`"exp":%v`, nowSeconds+3_600_000)
	iat := fmt.Sprintf(`"iat":%v`, nowSeconds)
	const invalid = `{"status":"invalid_token"}`
	for _, tc := range []struct {
		name   string
		opts   OAuthBearerOptions
		claims string
		want   string // the error challenge; "" for a valid token
	}{
		{"validToken", principalOption, `{"principal":"username",` + exp + `}`, ""},
		{"validToken with iat", principalOption, `{"principal":"username",` + exp + `,` + iat + `}`, ""},
		{"badOrMissingPrincipal: bad", principalOption, `{` + exp + `,"principal":1}`, invalid},
		{"badOrMissingPrincipal: missing", principalOption, `{` + exp + `}`, invalid},
		{"tooEarlyExpirationTime", principalOption, `{"principal":"username",` + iat + fmt.Sprintf(`,"exp":%v}`, nowSeconds), invalid},
		{"includesRequiredScope", existingScope, `{"sub":"username",` + exp + `,"scope":"scope1"}`, ""},
		{"missingRequiredScope", additionalScope, `{"sub":"username",` + exp + `,"scope":"scope1"}`,
			`{"status":"insufficient_scope", "scope":"[scope1, scope2]"}`},
		{"illegalToken", defaultOAuthOptions, "", invalid},
	} {
		token := unsecuredToken(noneHeader, tc.claims)
		if tc.claims == "" {
			token = unsecuredToken(noneHeader, `{"sub":"user",`+exp+`}`) + "AB"
		}
		got, err := tc.opts.validate(token, oauthNow)
		switch {
		case tc.want == "" && (err != nil || got.principal != "username"):
			t.Errorf("%s: principal %q, error %v", tc.name, got.principal, err)
		case tc.want != "" && (err == nil || oauthErrorJSON(err) != tc.want):
			t.Errorf("%s: principal %q, error %v; want the challenge %s", tc.name, got.principal, err, tc.want)
		}
	}
}
