package saslserver

import (
	"maps"
	"strings"
	"testing"
)

// kafkaDocsPlain is the broker's PLAIN config from Kafka's security
// documentation, its properties-file line continuations joined.
const kafkaDocsPlain = `org.apache.kafka.common.security.plain.PlainLoginModule required     username="admin"     password="admin-secret"     user_admin="admin-secret"     user_alice="alice-secret";`

// TestJAASOptions follows Kafka's JaasContextTest for configs it accepts.
func TestJAASOptions(t *testing.T) {
	for _, tc := range []struct {
		jaas string
		want map[string]string
	}{
		{"test.testConfigNoOptions required;", map[string]string{}},
		{"test.testControlFlag REQUISITE propName=propValue;", map[string]string{"propName": "propValue"}},
		{"test.testControlFlag sufficient propName=propValue;", map[string]string{"propName": "propValue"}},
		{"test.testControlFlag Optional propName=propValue;", map[string]string{"propName": "propValue"}},
		{"test.testMultipleOptions required propName0=propValue0 propName1=propValue1 propName2=propValue2;",
			map[string]string{"propName0": "propValue0", "propName1": "propValue1", "propName2": "propValue2"}},
		{`test.testQuotedOptionValue required propName="prop value" propName2="value1 = 1, value2 = 2";`,
			map[string]string{"propName": "prop value", "propName2": "value1 = 1, value2 = 2"}},
		{`test.testQuotedOptionName required "prop name"=propValue;`, map[string]string{"prop name": "propValue"}},
		{`test.testNumericOptionWithQuotes required option1="3";`, map[string]string{"option1": "3"}},
		{kafkaDocsPlain, map[string]string{"username": "admin", "password": "admin-secret",
			"user_admin": "admin-secret", "user_alice": "alice-secret"}},
		// Java's StreamTokenizer: escapes, single quotes, comments, words.
		{`m required a="q\"b\\c\td\101\1010\477\x" b='it\'s';`,
			map[string]string{"a": "q\"b\\c\td" + "A" + "A0" + "'7" + "x", "b": "it's"}},
		{`m required a='x' 'y'=z;`, map[string]string{"a": "x", "y": "z"}},
		{"m required a=\"x\" b=\"y\"c=z;", map[string]string{"a": "x", "b": "y", "c": "z"}},
		{"/* comment */ m // to the end of the line ; x=y\n required\n\tpassword=\"p;w\" ; ", map[string]string{"password": "p;w"}},
		{"m required a=b / c=d\n e=f;", map[string]string{"a": "b", "e": "f"}},
		{"m required a=x.y-z_1$;", map[string]string{"a": "x.y-z_1$"}},
		{"m required user_j\u00f6rg=\"p\u00e4ss\" user_\u540d=\"\u5bc6\";", map[string]string{"user_j\u00f6rg": "p\u00e4ss", "user_\u540d": "\u5bc6"}},
		{"m required a=\"1\" a=\"2\";", map[string]string{"a": "2"}},
		{"m required a=\"\";", map[string]string{"a": ""}},
	} {
		entry, err := parseJAAS(tc.jaas)
		if err != nil {
			t.Errorf("%q: %v", tc.jaas, err)
			continue
		}
		if !maps.Equal(entry.options, tc.want) {
			t.Errorf("%q: options %q, want %q", tc.jaas, entry.options, tc.want)
		}
		for name, want := range tc.want {
			if got, ok, err := ParseJAASOption(tc.jaas, name); got != want || !ok || err != nil {
				t.Errorf("%q: ParseJAASOption(%q) = %q, %v, %v; want %q", tc.jaas, name, got, ok, err, want)
			}
		}
		if got, ok, err := ParseJAASOption(tc.jaas, "absent"); got != "" || ok || err != nil {
			t.Errorf("%q: ParseJAASOption(absent) = %q, %v, %v", tc.jaas, got, ok, err)
		}
	}
}

// TestJAASRefused follows Kafka's JaasContextTest for configs it refuses; the
// errors must not repeat values, which may be passwords.
func TestJAASRefused(t *testing.T) {
	for _, tc := range []struct{ jaas, want string }{
		{"", "Login module not specified in JAAS config"},
		{"  /* only a comment */ ", "Login module not specified in JAAS config"},
		{"  required option1=value1;", "Invalid login module control flag 'option1' in JAAS config"},
		{"test.loginModule option1=value1;", "Invalid login module control flag 'option1' in JAAS config"},
		{"test.loginModule", "Login module control flag not specified in JAAS config"},
		{"test.testInvalidControlFlag { option1=3;", "Login module control flag is not available in the JAAS config"},
		{"loginModule required option1;", "Value not specified for key 'option1' in JAAS config"},
		{"loginModule required option1=;", "Value not specified for key 'option1' in JAAS config"},
		{"loginModule required option1=", "Value not specified for key 'option1' in JAAS config"},
		{"test.testNumericOptionWithoutQuotes required option1=3;", "Value not specified for key 'option1' in JAAS config"},
		{"m required password=-secret;", "Value not specified for key 'password' in JAAS config"},
		{"test.testMissingSemicolon required option1=value1", "JAAS config entry not terminated by semi-colon"},
		{"m required a=b /* ; */", "JAAS config entry not terminated by semi-colon"},
		{"test.Module0 required index=Index0; test.Module1 required index=Index1; test.Module2 required index=Index2;",
			"JAAS config property contains 3 login modules, should be 1 module"},
		{"; m required;", "Login module not specified in JAAS config: found ';'"},
		{"3 required;", "Login module not specified in JAAS config: found an unquoted number"},
		{"m required =v;", "Option name expected in JAAS config of m, found '='"},
		{`m required user_alice="alice-secret;`, "unterminated quoted string"},
		{"m required user_alice='alice-secret\n';", "unterminated quoted string"},
		{`m required user_alice="alice-secret\`, "unterminated quoted string"},
		{"m required user_alice=\"alice-secret\" user_bob=\"bob-secret;\n", "unterminated quoted string"},
	} {
		_, err := parseJAAS(tc.jaas)
		if err == nil {
			t.Errorf("%q: accepted", tc.jaas)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q, want %q", tc.jaas, err, tc.want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error %q repeats a value", tc.jaas, err)
		}
		if _, _, err := ParseJAASOption(tc.jaas, "option1"); err == nil {
			t.Errorf("%q: ParseJAASOption accepted it", tc.jaas)
		}
		if _, err := ParsePlainJAAS(tc.jaas); err == nil {
			t.Errorf("%q: ParsePlainJAAS accepted it", tc.jaas)
		}
	}
}

func TestParsePlainJAAS(t *testing.T) {
	users, err := ParsePlainJAAS(kafkaDocsPlain)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"admin": "admin-secret", "alice": "alice-secret"}; !maps.Equal(users, want) {
		t.Errorf("users %q, want %q", users, want)
	}
	for _, name := range []string{"username", "password"} {
		if v, ok, err := ParseJAASOption(kafkaDocsPlain, name); !ok || err != nil || v == "" {
			t.Errorf("ParseJAASOption(%q) = %q, %v, %v", name, v, ok, err)
		}
	}

	for _, tc := range []struct{ jaas, want string }{
		{`org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";`,
			"login module org.apache.kafka.common.security.scram.ScramLoginModule is not org.apache.kafka.common.security.plain.PlainLoginModule"},
		{`PlainLoginModule required user_admin="admin-secret";`, "is not org.apache.kafka.common.security.plain.PlainLoginModule"},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";`, "no user_<name>"},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret"`, "not terminated by semi-colon"},
	} {
		users, err := ParsePlainJAAS(tc.jaas)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: users %q, error %v; want %q", tc.jaas, users, err, tc.want)
		}
	}
}

// TestJAASCredentials: a client's login module gives its username and password;
// without either the config is refused, naming what is missing but not the values.
func TestJAASCredentials(t *testing.T) {
	user, pass, err := ParseJAASCredentials(`org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";`)
	if err != nil || user != "broker" || pass != "broker-secret" {
		t.Errorf("ParseJAASCredentials = %q, %q, %v", user, pass, err)
	}
	for _, jaas := range []string{
		`org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";`,
		`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin";`,
		`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="";`,
		`not a config`,
	} {
		if _, _, err := ParseJAASCredentials(jaas); err == nil || strings.Contains(err.Error(), "admin-secret") {
			t.Errorf("%q: %v, want a refusal that does not echo the password", jaas, err)
		}
	}
}
