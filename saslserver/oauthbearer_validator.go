package saslserver

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// validate is OAuthBearerUnsecuredValidatorCallbackHandler's check of a token
// at now: it must parse (parseUnsecuredJWS), iat if present must not be after
// now plus the skew, now minus the skew must be before exp, exp must be after
// iat, and the token's scope must hold every required item. Comparisons are in
// milliseconds on doubles, as Kafka makes them. A token lacking scope fails
// with a *missingScopeError, any other with a plain error; both texts are for
// the log.
func (o OAuthBearerOptions) validate(token string, now time.Time) (unsecuredJWS, error) {
	t, err := parseUnsecuredJWS(token, o.PrincipalClaim, o.ScopeClaim)
	if err != nil {
		return unsecuredJWS{}, err
	}
	nowMs, skewMs := now.UnixMilli(), o.ClockSkew.Milliseconds()
	if t.hasIAT && 1000*t.iat > float64(nowMs+skewMs) {
		return unsecuredJWS{}, fmt.Errorf("The Issued At value (%f seconds) was after the indicated time (%d ms) plus allowable clock skew (%d ms)", t.iat, nowMs, skewMs)
	}
	if float64(nowMs-skewMs) >= 1000*t.exp {
		return unsecuredJWS{}, fmt.Errorf("The indicated time (%d ms) minus allowable clock skew (%d ms) was on or after the Expiration Time value (%f seconds)", nowMs, skewMs, t.exp)
	}
	if t.hasIAT && t.exp <= t.iat {
		return unsecuredJWS{}, fmt.Errorf("The Expiration Time time (%f seconds) was not after the Issued At time (%f seconds)", t.exp, t.iat)
	}
	for _, item := range o.RequiredScope {
		if !t.scope[item] {
			return unsecuredJWS{}, &missingScopeError{missing: item, required: o.RequiredScope}
		}
	}
	return t, nil
}

// missingScopeError is a token without an item of the required scope, which
// Kafka answers with the status insufficient_scope and the required scope.
type missingScopeError struct {
	missing  string
	required []string
}

func (e *missingScopeError) Error() string {
	return fmt.Sprintf("The provided scope was missing a required scope (%s).  All required scope elements: %s", e.missing, javaList(e.required))
}

// oauthErrorJSON is the server's challenge for a refused token, exactly as
// OAuthBearerSaslServer.jsonErrorResponse writes it (RFC 7628 section 3.2.2):
// {"status":"invalid_token"}, or {"status":"insufficient_scope", "scope":"[a, b]"}
// with the required scope as Java prints a list. The scope items cannot hold
// '"' or '\' (parseRequiredScope), so nothing needs escaping.
func oauthErrorJSON(refusal error) string {
	var scope *missingScopeError
	if errors.As(refusal, &scope) {
		return `{"status":"insufficient_scope", "scope":"` + javaList(scope.required) + `"}`
	}
	return `{"status":"invalid_token"}`
}

// javaList prints items as Java's List.toString does: "[a, b]".
func javaList(items []string) string {
	return "[" + strings.Join(items, ", ") + "]"
}
