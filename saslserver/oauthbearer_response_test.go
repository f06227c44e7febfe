package saslserver

import (
	"maps"
	"testing"
)

// TestOAuthInitialResponse runs Kafka's OAuthBearerClientInitialResponseTest
// messages (the first six) and more of the grammar it matches.
func TestOAuthInitialResponse(t *testing.T) {
	for _, tc := range []struct {
		msg, token, authzid string
	}{
		{"n,,\x01auth=Bearer 123.345.567\x01\x01", "123.345.567", ""},
		{"n,a=myuser,\x01auth=Bearer 345\x01\x01", "345", "myuser"},
		{"n,,\x01propA=valueA1, valueA2\x01auth=Bearer 567\x01propB=valueB\x01\x01", "567", ""},
		{"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\x01\x01",
			"vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg", "user@example.com"},
		{"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF-9.df_t4qm~Tc2Nvb3RlckBhbHR+hdmlzdGEuY29/tCg==\x01\x01",
			"vF-9.df_t4qm~Tc2Nvb3RlckBhbHR+hdmlzdGEuY29/tCg==", "user@example.com"},
		{"n,,\x01auth=Bearer 123.345.567\x01nineteen=42\x01\x01", "123.345.567", ""},
		// The scheme in any case, several spaces before the token.
		{"n,,\x01auth=bearer t\x01\x01", "t", ""},
		{"n,,\x01auth=BEARER   t\x01\x01", "t", ""},
		// A key given twice keeps its last value, auth too (Utils.parseMap).
		{"n,,\x01auth=Bearer first\x01auth=Bearer second\x01\x01", "second", ""},
		// The authzid is kept as sent, escapes and control characters included.
		{"n,a=us=2Cer=3D,\x01auth=Bearer t\x01\x01", "t", "us=2Cer=3D"},
		{"n,a=x\x01y,\x01auth=Bearer t\x01\x01", "t", "x\x01y"},
		// Values may hold '=', space, tab, CR and LF.
		{"n,,\x01k=a=b \t\r\n~\x01auth=Bearer t\x01\x01", "t", ""},
	} {
		r, err := parseOAuthInitialResponse([]byte(tc.msg))
		if err != nil || r.token != tc.token || r.authzid != tc.authzid {
			t.Errorf("%q: token %q, authzid %q, error %v; want %q, %q", tc.msg, r.token, r.authzid, err, tc.token, tc.authzid)
		}
	}
}

// TestOAuthInitialResponseRefused covers what Kafka's patterns refuse,
// testThrowsSaslExceptionOnInvalidExtensionKey among them.
func TestOAuthInitialResponseRefused(t *testing.T) {
	for _, tc := range []struct {
		name, msg, want string
	}{
		{"empty", "", "Invalid OAUTHBEARER client first message"},
		{"lone kvsep", "\x01", "Invalid OAUTHBEARER client first message"},
		{"channel binding asked", "p=tls-unique,,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"channel binding supported", "y,,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"no final kvsep", "n,,\x01auth=Bearer t\x01", "Invalid OAUTHBEARER client first message"},
		{"no kvsep after the header", "n,,auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"trailing byte", "n,,\x01auth=Bearer t\x01\x01x", "Invalid OAUTHBEARER client first message"},
		{"empty authzid", "n,a=,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"authzid without its comma", "n,a=x\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"authzid bad escape", "n,a=x=2Dy,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"authzid lower-case escape", "n,a=x=2cy,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"authzid not ASCII", "n,a=\xc3\xa9,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"authzid NUL", "n,a=x\x00,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"other gs2 attribute", "n,b=x,\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"numeric key", "n,,\x01auth=Bearer t\x0119=42\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"empty key", "n,,\x01=v\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"empty value", "n,,\x01k=\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"pair without =", "n,,\x01k\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"empty pair", "n,,\x01\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"DEL in a value", "n,,\x01k=\x7f\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"non-ASCII value", "n,,\x01k=\xc3\xa9\x01auth=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message"},
		{"no auth", "n,,\x01\x01", "Invalid OAUTHBEARER client first message: 'auth' not specified"},
		{"auth key in another case", "n,,\x01AUTH=Bearer t\x01\x01", "Invalid OAUTHBEARER client first message: 'auth' not specified"},
		{"no token", "n,,\x01auth=Bearer\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"blank token", "n,,\x01auth=Bearer  \x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"two tokens", "n,,\x01auth=Bearer a b\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"tab before the token", "n,,\x01auth=Bearer\tt\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"'=' inside the token", "n,,\x01auth=Bearer a=b\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"only padding", "n,,\x01auth=Bearer ==\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"token character outside b64token", "n,,\x01auth=Bearer a!b\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"scheme not a word", "n,,\x01auth=Bear-er t\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"leading space", "n,,\x01auth= Bearer t\x01\x01", "Invalid OAUTHBEARER client first message: invalid 'auth' format"},
		{"another scheme", "n,,\x01auth=Basic dXNlcg==\x01\x01", "Invalid scheme in OAUTHBEARER client first message: Basic"},
	} {
		r, err := parseOAuthInitialResponse([]byte(tc.msg))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %q: token %q, error %v; want %q", tc.name, tc.msg, r.token, err, tc.want)
		}
	}
}

// TestOAuthPairs checks the extension values Kafka's testExtensions and
// testRfc7688Example read.
func TestOAuthPairs(t *testing.T) {
	for _, tc := range []struct {
		pairs string
		want  map[string]string
	}{
		{"", map[string]string{}},
		{"propA=valueA1, valueA2\x01auth=Bearer 567\x01propB=valueB\x01",
			map[string]string{"propA": "valueA1, valueA2", "auth": "Bearer 567", "propB": "valueB"}},
		{"host=server.example.com\x01port=143\x01auth=Bearer t\x01",
			map[string]string{"host": "server.example.com", "port": "143", "auth": "Bearer t"}},
		{"k=1\x01k=2\x01", map[string]string{"k": "2"}},
	} {
		got, err := parseOAuthPairs([]byte(tc.pairs))
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.pairs, got, err, tc.want)
		}
	}
}
