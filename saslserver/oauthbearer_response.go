package saslserver

import (
	"bytes"
	"errors"
	"strings"
)

// oauthKVSep is RFC 7628's kvsep, %x01 (OAuthBearerClientInitialResponse.SEPARATOR):
// it ends each key=value pair and the message, and alone it is the client's answer
// to the server's error challenge.
const oauthKVSep = 0x01

// oauthAuthKey is the reserved key whose value carries the token
// (OAuthBearerClientInitialResponse.AUTH_KEY).
const oauthAuthKey = "auth"

// oauthInitialResponse is an RFC 7628 client initial response as Kafka's
// OAuthBearerClientInitialResponse reads it.
type oauthInitialResponse struct {
	// authzid is the gs2 header's a= value as sent: Kafka neither unescapes its
	// "=2C" and "=3D" nor lets it differ from the principal.
	authzid string
	token   string
}

// errInvalidInitialResponse is Kafka's text for a message that does not
// match RFC 7628's grammar.
var errInvalidInitialResponse = errors.New("Invalid OAUTHBEARER client first message")

// parseOAuthInitialResponse reads "n,[a=<authzid>],\x01(<key>=<value>\x01)*\x01"
// as OAuthBearerClientInitialResponse does, which is RFC 7628 section 3.1 but for
// channel binding ("n" only) and what it asks of its parts: authzid is RFC 5801's
// saslname (ASCII without NUL, ',' and '=' but in "=2C" and "=3D"), keys are
// letters, values printable ASCII, space, tab, CR and LF; a key given twice keeps
// its last value; auth is required and is "<scheme> <token>" with scheme "Bearer"
// in any case and the token RFC 6750's b64token. The other pairs are extensions,
// which Kafka's unsecured validator accepts whatever they are
// (OAuthBearerExtensionsValidatorCallback) and nothing here reads. The errors are
// for the log: the client is told only that its credentials were refused, as
// Kafka does.
func parseOAuthInitialResponse(msg []byte) (oauthInitialResponse, error) {
	rest, ok := bytes.CutPrefix(msg, []byte("n,"))
	if !ok {
		return oauthInitialResponse{}, errInvalidInitialResponse
	}
	var r oauthInitialResponse
	if zid, ok := bytes.CutPrefix(rest, []byte("a=")); ok {
		end := bytes.IndexByte(zid, ',')
		if end < 0 || !validSaslName(zid[:end]) {
			return oauthInitialResponse{}, errInvalidInitialResponse
		}
		r.authzid, rest = string(zid[:end]), zid[end:]
	}
	pairs, ok := bytes.CutPrefix(rest, []byte{',', oauthKVSep})
	if !ok || len(pairs) == 0 || pairs[len(pairs)-1] != oauthKVSep {
		return oauthInitialResponse{}, errInvalidInitialResponse
	}
	kv, err := parseOAuthPairs(pairs[:len(pairs)-1])
	if err != nil {
		return oauthInitialResponse{}, err
	}
	auth, ok := kv[oauthAuthKey]
	if !ok {
		return oauthInitialResponse{}, errors.New("Invalid OAUTHBEARER client first message: 'auth' not specified")
	}
	r.token, err = bearerToken(auth)
	return r, err
}

// parseOAuthPairs reads zero or more "<key>=<value>\x01" pairs into a map,
// Kafka's Utils.parseMap: a key given twice keeps its last value.
func parseOAuthPairs(pairs []byte) (map[string]string, error) {
	kv := map[string]string{}
	for len(pairs) > 0 {
		end := bytes.IndexByte(pairs, oauthKVSep)
		if end < 0 {
			return nil, errInvalidInitialResponse
		}
		key, value, ok := strings.Cut(string(pairs[:end]), "=")
		if !ok || !validExtensionKey(key) || !validExtensionValue(value) {
			return nil, errInvalidInitialResponse
		}
		kv[key] = value
		pairs = pairs[end+1:]
	}
	return kv, nil
}

// bearerToken reads auth's "<scheme> <token>": scheme word characters
// ([A-Za-z0-9_]), one or more spaces, the token ([-_~+/.A-Za-z0-9]+ and '='
// padding). Where Kafka fails on a scheme other than Bearer with an exception of
// its own making (it names a group of the wrong pattern) and closes the
// connection unanswered, this is refused like any malformed message.
func bearerToken(auth string) (string, error) {
	scheme, token, _ := strings.Cut(auth, " ")
	token = strings.TrimLeft(token, " ")
	if scheme == "" || strings.IndexFunc(scheme, func(c rune) bool { return !isWordChar(c) }) >= 0 || !validB64Token(token) {
		return "", errors.New("Invalid OAUTHBEARER client first message: invalid 'auth' format")
	}
	if !strings.EqualFold(scheme, "bearer") {
		return "", errors.New("Invalid scheme in OAUTHBEARER client first message: " + scheme)
	}
	return token, nil
}

// validSaslName is RFC 5801's saslname as Kafka matches it:
// ([\x01-\x7F] but ',' and '=' | "=2C" | "=3D")+.
func validSaslName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '=':
			if !bytes.HasPrefix(name[i:], []byte("=2C")) && !bytes.HasPrefix(name[i:], []byte("=3D")) {
				return false
			}
			i += 2
		case c == 0 || c == ',' || c > 0x7F:
			return false
		}
	}
	return true
}

// validExtensionKey is RFC 7628's key: 1*ALPHA.
func validExtensionKey(key string) bool {
	return key != "" && strings.IndexFunc(key, func(c rune) bool {
		return (c < 'a' || c > 'z') && (c < 'A' || c > 'Z')
	}) < 0
}

// validExtensionValue is a value as Kafka matches it: one or more of VCHAR,
// SP, HTAB, CR and LF (RFC 7628 allows an empty one; Kafka does not).
func validExtensionValue(value string) bool {
	return value != "" && strings.IndexFunc(value, func(c rune) bool {
		return (c < 0x21 || c > 0x7E) && c != ' ' && c != '\t' && c != '\r' && c != '\n'
	}) < 0
}

// validB64Token is RFC 6750's b64token: 1*(ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/") *"=".
func validB64Token(token string) bool {
	body := strings.TrimRight(token, "=")
	return body != "" && strings.IndexFunc(body, func(c rune) bool {
		return !isWordChar(c) && !strings.ContainsRune("-.~+/", c)
	}) < 0
}

// isWordChar is Java's regex \w: [A-Za-z0-9_].
func isWordChar(c rune) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
