package saslserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// unsecuredJWS is a token that Kafka's OAuthBearerUnsecuredJws accepts: an
// unsecured JWS (RFC 7515 with "alg":"none" and no signature) whose claims
// name a principal and an expiration time. Times are seconds since the epoch,
// as the claims give them (RFC 7519 NumericDate, fractions allowed).
type unsecuredJWS struct {
	principal string
	scope     map[string]bool
	exp       float64
	iat       float64
	hasIAT    bool
}

// parseUnsecuredJWS reads token = BASE64URL(header) "." BASE64URL(claims) "."
// and its claims as OAuthBearerUnsecuredJws does, in its order, with its
// failure texts (they go to the log only: the client is told "invalid_token").
// It differs from Kafka 3.9 where Kafka would accept what it should not or fail
// without an answer:
//   - header and claims are base64url (RFC 7515), as Kafka's own and librdkafka's
//     clients encode them; Kafka 3.9 decodes them as standard base64, refusing
//     tokens with '-' or '_' (fixed in later Kafka, KAFKA-17089);
//   - each must be exactly one JSON object in valid UTF-8, where Kafka ignores
//     what follows the object and fails without an answer on a header that is
//     not one;
//   - the principal must be a JSON string, and the scope a string or an array
//     of strings, where Kafka takes the text of a boolean or null (so "sub":true
//     would be the principal "true").
func parseUnsecuredJWS(token, principalClaim, scopeClaim string) (unsecuredJWS, error) {
	if strings.Contains(token, "..") {
		return unsecuredJWS{}, errors.New("Malformed compact serialization contains '..'")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return unsecuredJWS{}, errors.New("Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values")
	}
	header, err := decodeJOSEObject(parts[0])
	if err != nil {
		return unsecuredJWS{}, fmt.Errorf("header: %w", err)
	}
	claims, err := decodeJOSEObject(parts[1])
	if err != nil {
		return unsecuredJWS{}, fmt.Errorf("claims: %w", err)
	}
	if alg, _ := header["alg"].(string); alg != "none" {
		return unsecuredJWS{}, errors.New("Unsecured JWS must have 'none' for an algorithm")
	}
	if parts[2] != "" {
		return unsecuredJWS{}, errors.New("Unsecured JWS must not contain a digital signature")
	}
	var t unsecuredJWS
	if t.scope, err = scopeClaimValue(claims, scopeClaim); err != nil {
		return unsecuredJWS{}, err
	}
	exp, hasExp, err := numericClaim(claims, "exp")
	if err != nil {
		return unsecuredJWS{}, err
	}
	if !hasExp {
		return unsecuredJWS{}, errors.New("No expiration time in JWT")
	}
	t.exp = exp
	principal, ok := claims[principalClaim]
	if ok && principal != nil {
		if t.principal, ok = principal.(string); !ok {
			return unsecuredJWS{}, claimTypeError(principalClaim, "String", principal)
		}
	}
	if isBlank(t.principal) {
		return unsecuredJWS{}, errors.New("No principal name in JWT claim: " + principalClaim)
	}
	t.iat, t.hasIAT, err = numericClaim(claims, "iat")
	return t, err
}

// decodeJOSEObject decodes one base64url part (without padding, which a token
// cannot carry before a '.') and the JSON object in it. Numbers are kept as
// json.Number, so that a claim's type can be told.
func decodeJOSEObject(part string) (map[string]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return nil, errors.New("malformed Base64 URL encoded value")
	}
	if !utf8.Valid(raw) {
		return nil, errors.New("malformed JSON: not UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if obj == nil {
		return nil, errors.New("malformed JSON: null, not an object")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("malformed JSON: more after the object")
	}
	return obj, nil
}

// numericClaim is a claim that must be a JSON number when present (exp, iat),
// as a double, as Kafka reads it (Number.doubleValue: a number too large for a
// double is infinite).
func numericClaim(claims map[string]any, name string) (value float64, present bool, err error) {
	v, present := claims[name]
	if !present {
		return 0, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, true, claimTypeError(name, "Number", v)
	}
	value, err = strconv.ParseFloat(string(n), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, true, fmt.Errorf("The '%s' claim is not a number: %w", name, err)
	}
	return value, true, nil
}

// scopeClaimValue is the token's scope (OAuthBearerUnsecuredJws.calculateScope):
// a string claim is one scope item, trimmed, none if blank (it is not split on
// spaces); an array claim is its items, trimmed, blank ones left out; no claim,
// no scope.
func scopeClaimValue(claims map[string]any, name string) (map[string]bool, error) {
	scope := map[string]bool{}
	switch v := claims[name].(type) {
	case nil:
		if _, present := claims[name]; present {
			return nil, claimTypeError(name, "List", v)
		}
	case string:
		if !isBlank(v) {
			scope[javaTrim(v)] = true
		}
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("The '%s' claim has an item that is not a String: %s", name, jsonTypeName(item))
			}
			if !isBlank(s) {
				scope[javaTrim(s)] = true
			}
		}
	default:
		return nil, claimTypeError(name, "List", v)
	}
	return scope, nil
}

// claimTypeError is OAuthBearerUnsecuredJws.claim's failure for a claim of
// the wrong type.
func claimTypeError(name, want string, got any) error {
	return fmt.Errorf("The '%s' claim was not of type %s: %s", name, want, jsonTypeName(got))
}

// jsonTypeName names a decoded JSON value's type for failure texts.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "String"
	case json.Number:
		return "Number"
	case bool:
		return "Boolean"
	case []any:
		return "List"
	}
	return "Object"
}

// expiryMillis is the token's lifetime as Kafka gives it (lifetimeMs): exp in
// milliseconds since the epoch, rounded as Java's Math.round (half up, clamped
// to a long).
func (t unsecuredJWS) expiryMillis() int64 {
	ms := t.exp * 1000
	switch {
	case ms >= math.MaxInt64:
		return math.MaxInt64
	case ms <= math.MinInt64:
		return math.MinInt64
	}
	floor := math.Floor(ms)
	if ms-floor >= 0.5 {
		floor++
	}
	return int64(floor)
}

// javaTrim is Java's String.trim: it removes every character up to ' ' from
// both ends, control characters included.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(c rune) bool { return c <= ' ' })
}

// isBlank is Kafka's Utils.isBlank for a non-null string.
func isBlank(s string) bool { return javaTrim(s) == "" }
