package saslserver

import (
	"encoding/base64"
	"maps"
	"math"
	"strings"
	"testing"
)

// unsecuredToken is the compact serialization of an unsecured JWS with these
// header and claims, base64url without padding, as Kafka's
// OAuthBearerUnsecuredLoginCallbackHandler makes it.
func unsecuredToken(header, claims string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims)) + "."
}

const noneHeader = `{"alg":"none"}`

// TestUnsecuredJWS runs Kafka's OAuthBearerUnsecuredJwsTest (validClaims,
// validCompactSerialization) and the claim types it accepts.
func TestUnsecuredJWS(t *testing.T) {
	for _, tc := range []struct {
		name, claims string
		want         unsecuredJWS
	}{
		{"validClaims", `{"sub":"SUBJECT","iat":100.1,"exp":300.3}`,
			unsecuredJWS{principal: "SUBJECT", scope: map[string]bool{}, exp: 300.3, iat: 100.1, hasIAT: true}},
		{"validCompactSerialization", `{"sub":"foo","iat":100,"exp":3700,"scope":["scopeValue1","scopeValue2"]}`,
			unsecuredJWS{principal: "foo", scope: map[string]bool{"scopeValue1": true, "scopeValue2": true}, exp: 3700, iat: 100, hasIAT: true}},
		{"a string scope is one item, trimmed", `{"sub":"foo","exp":1,"scope":"  a b "}`,
			unsecuredJWS{principal: "foo", scope: map[string]bool{"a b": true}, exp: 1}},
		{"blank scope items are left out", `{"sub":"foo","exp":1,"scope":[" a ","","\t","a"]}`,
			unsecuredJWS{principal: "foo", scope: map[string]bool{"a": true}, exp: 1}},
		{"a blank string scope is none", `{"sub":"foo","exp":1,"scope":" "}`,
			unsecuredJWS{principal: "foo", scope: map[string]bool{}, exp: 1}},
		{"the principal is not trimmed", `{"sub":" foo ","exp":1}`,
			unsecuredJWS{principal: " foo ", scope: map[string]bool{}, exp: 1}},
		{"a duplicate claim keeps its last value", `{"sub":"a","sub":"b","exp":1}`,
			unsecuredJWS{principal: "b", scope: map[string]bool{}, exp: 1}},
		{"an exp too large for a double", `{"sub":"a","exp":1e400}`,
			unsecuredJWS{principal: "a", scope: map[string]bool{}, exp: math.Inf(1)}},
		{"other claims of any type", `{"sub":"a","exp":1,"nbf":"x","aud":{"k":[1,null]}}`,
			unsecuredJWS{principal: "a", scope: map[string]bool{}, exp: 1}},
	} {
		got, err := parseUnsecuredJWS(unsecuredToken(noneHeader, tc.claims), "sub", "scope")
		if err != nil || got.principal != tc.want.principal || !maps.Equal(got.scope, tc.want.scope) ||
			got.exp != tc.want.exp || got.iat != tc.want.iat || got.hasIAT != tc.want.hasIAT {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	// The header may have more than alg; KAFKA-17089's claims, whose base64url has
	// '-' and '_', which Kafka 3.9 refuses.
	token := unsecuredToken(`{"alg":"none","typ":"JWT"}`, `{"sub": "jdoe", "exp": 1, "iat": 0, "data":">>>___<<<---"}`)
	if !strings.ContainsAny(token, "-_") {
		t.Fatalf("%s has neither '-' nor '_'", token)
	}
	if got, err := parseUnsecuredJWS(token, "sub", "scope"); err != nil || got.principal != "jdoe" {
		t.Errorf("base64url token: %+v, %v", got, err)
	}
}

// TestUnsecuredJWSRefused runs Kafka's missingPrincipal and blankPrincipalName
// and the other failures of OAuthBearerUnsecuredJws, with its texts.
func TestUnsecuredJWSRefused(t *testing.T) {
	valid := unsecuredToken(noneHeader, `{"sub":"a","exp":1}`)
	header, claims, _ := strings.Cut(valid, ".")
	claims = strings.TrimSuffix(claims, ".")
	for _, tc := range []struct {
		name, token, want string
	}{
		{"missingPrincipal", unsecuredToken(noneHeader, `{"iat":100,"scope":["scopeValue1","scopeValue2"]}`), "No expiration time in JWT"},
		{"blankPrincipalName", unsecuredToken(noneHeader, `{"sub":"   ","iat":100,"exp":3700}`), "No principal name in JWT claim: sub"},
		{"no principal", unsecuredToken(noneHeader, `{"exp":1}`), "No principal name in JWT claim: sub"},
		{"null principal", unsecuredToken(noneHeader, `{"sub":null,"exp":1}`), "No principal name in JWT claim: sub"},
		{"numeric principal", unsecuredToken(noneHeader, `{"sub":1,"exp":1}`), "The 'sub' claim was not of type String: Number"},
		{"boolean principal", unsecuredToken(noneHeader, `{"sub":true,"exp":1}`), "The 'sub' claim was not of type String: Boolean"},
		{"string exp", unsecuredToken(noneHeader, `{"sub":"a","exp":"1"}`), "The 'exp' claim was not of type Number: String"},
		{"null exp", unsecuredToken(noneHeader, `{"sub":"a","exp":null}`), "The 'exp' claim was not of type Number: null"},
		{"string iat", unsecuredToken(noneHeader, `{"sub":"a","exp":1,"iat":"0"}`), "The 'iat' claim was not of type Number: String"},
		{"numeric scope", unsecuredToken(noneHeader, `{"sub":"a","exp":1,"scope":1}`), "The 'scope' claim was not of type List: Number"},
		{"object scope", unsecuredToken(noneHeader, `{"sub":"a","exp":1,"scope":{}}`), "The 'scope' claim was not of type List: Object"},
		{"null scope", unsecuredToken(noneHeader, `{"sub":"a","exp":1,"scope":null}`), "The 'scope' claim was not of type List: null"},
		{"numeric scope item", unsecuredToken(noneHeader, `{"sub":"a","exp":1,"scope":["a",1]}`), "The 'scope' claim has an item that is not a String: Number"},
		{"'..'", header + ".." + claims, "Malformed compact serialization contains '..'"},
		{"two parts", header + "." + claims, "Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values"},
		{"four parts", valid + "x.", "Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values"},
		{"a signature", valid + "c2ln", "Unsecured JWS must not contain a digital signature"},
		{"signed", unsecuredToken(`{"alg":"HS256"}`, `{"sub":"a","exp":1}`), "Unsecured JWS must have 'none' for an algorithm"},
		{"no alg", unsecuredToken(`{"typ":"JWT"}`, `{"sub":"a","exp":1}`), "Unsecured JWS must have 'none' for an algorithm"},
		{"alg in a list", unsecuredToken(`{"alg":["none"]}`, `{"sub":"a","exp":1}`), "Unsecured JWS must have 'none' for an algorithm"},
		{"alg in another case", unsecuredToken(`{"alg":"None"}`, `{"sub":"a","exp":1}`), "Unsecured JWS must have 'none' for an algorithm"},
		{"empty header", "." + claims + ".", "header: malformed JSON"},
		// {"sub":"???","exp":1}, which Kafka 3.9 would decode.
		{"standard base64", header + ".eyJzdWIiOiI/Pz8iLCJleHAiOjF9.", "claims: malformed Base64 URL encoded value"},
		{"padded", header + "=." + claims + ".", "header: malformed Base64 URL encoded value"},
		{"a length base64 cannot have", header + "." + claims + "AAA.", "claims: malformed Base64 URL encoded value"},
		{"header a list", unsecuredToken(`["alg","none"]`, `{"sub":"a","exp":1}`), "header: malformed JSON"},
		{"claims null", unsecuredToken(noneHeader, `null`), "claims: malformed JSON: null, not an object"},
		{"claims empty", unsecuredToken(noneHeader, ``), "Malformed compact serialization contains '..'"},
		{"claims blank", unsecuredToken(noneHeader, `  `), "claims: malformed JSON"},
		{"claims followed by more", unsecuredToken(noneHeader, `{"sub":"a","exp":1} {}`), "claims: malformed JSON: more after the object"},
		{"claims followed by garbage", unsecuredToken(noneHeader, `{"sub":"a","exp":1}]`), "claims: malformed JSON: more after the object"},
		{"claims not UTF-8", unsecuredToken(noneHeader, "{\"sub\":\"\xff\",\"exp\":1}"), "claims: malformed JSON: not UTF-8"},
	} {
		got, err := parseUnsecuredJWS(tc.token, "sub", "scope")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %q: %+v, %v; want %q", tc.name, tc.token, got, err, tc.want)
		}
	}
}

// TestUnsecuredJWSExpiry checks lifetimeMs: exp in milliseconds, rounded half
// up as Java's Math.round, clamped to a long.
func TestUnsecuredJWSExpiry(t *testing.T) {
	for _, tc := range []struct {
		exp  float64
		want int64
	}{
		{3700, 3_700_000},
		{300.3, 300_300},
		{0.0005, 1},
		{0.0004, 0},
		{-0.0025, -2},
		{-0.0026, -3},
		{1e300, math.MaxInt64},
		{math.Inf(1), math.MaxInt64},
		{-1e300, math.MinInt64},
	} {
		if got := (unsecuredJWS{exp: tc.exp}).expiryMillis(); got != tc.want {
			t.Errorf("exp %v: %d ms, want %d", tc.exp, got, tc.want)
		}
	}
}
