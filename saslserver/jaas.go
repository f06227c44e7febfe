package saslserver

import (
	"errors"
	"fmt"
	"strings"
)

// plainLoginModule is PlainLoginModule's class name, the only module whose
// options PlainServerCallbackHandler reads users from.
const plainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"

// plainUserPrefix is PlainServerCallbackHandler.JAAS_USER_PREFIX.
const plainUserPrefix = "user_"

// ParsePlainJAAS reads the users of a PlainLoginModule JAAS config
// (`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";`), as Kafka's JaasContext/JaasConfig parse it: quoted values with escapes, options separated by whitespace, a final ';'. Errors say what is wrong (no user_ options, not PlainLoginModule, unterminated quote) — the caller adds the key and file.
//
// users maps each user_<name> option's name to its value, the password.
// Kafka would start with another login module or without users and then
// refuse every PLAIN client; this refuses the config instead.
func ParsePlainJAAS(jaas string) (users map[string]string, err error) {
	entry, err := parseJAAS(jaas)
	if err != nil {
		return nil, err
	}
	if entry.module != plainLoginModule {
		return nil, fmt.Errorf("login module %s is not %s, whose user_<name> options list the PLAIN users", entry.module, plainLoginModule)
	}
	users = map[string]string{}
	for key, value := range entry.options {
		if name, ok := strings.CutPrefix(key, plainUserPrefix); ok {
			users[name] = value
		}
	}
	if len(users) == 0 {
		return nil, errors.New(`PlainLoginModule JAAS config has no user_<name>="<password>" options, so no client could authenticate with PLAIN`)
	}
	return users, nil
}

// ParseJAASOption reads one option (e.g. "username", "password") of any login module's JAAS config, for the broker's own client credentials.
//
// found is false when the module has no such option; err is a config that
// Kafka's JaasContext would refuse.
func ParseJAASOption(jaas, option string) (value string, found bool, err error) {
	entry, err := parseJAAS(jaas)
	if err != nil {
		return "", false, err
	}
	value, found = entry.options[option]
	return value, found, nil
}

// ParseJAASLogin reads a JAAS config's one login module class and its options, as Kafka's JaasContext does for a client's sasl.jaas.config, so that client commands take credentials from the same syntax the broker reads and can check the module against sasl.mechanism.
func ParseJAASLogin(jaas string) (module string, options map[string]string, err error) {
	entry, err := parseJAAS(jaas)
	if err != nil {
		return "", nil, err
	}
	return entry.module, entry.options, nil
}

// ParseJAASCredentials reads the username and password options of a PlainLoginModule or ScramLoginModule JAAS config, which Kafka's clients log in with: a broker's or controller's own connections to a SASL listener, or a command's.
//
// Both options must be there: a client without them could not
// authenticate, so this refuses the config instead. Errors say what is wrong;
// the caller adds the key and file.
func ParseJAASCredentials(jaas string) (username, password string, err error) {
	module, options, err := ParseJAASLogin(jaas)
	if err != nil {
		return "", "", err
	}
	username, password = options["username"], options["password"]
	if username == "" || password == "" {
		return "", "", fmt.Errorf(`login module %s has no username="..." and password="..." options to authenticate with`, module)
	}
	return username, password, nil
}

// jaasEntry is an AppConfigurationEntry: a login module and its options.
// The control flag is checked but not kept, as no login module runs here.
type jaasEntry struct {
	module  string
	options map[string]string
}

// parseJAAS reads a sasl.jaas.config value as JaasContext.load does: the
// entries JaasConfig parses, of which there must be exactly one. Error texts
// are JaasConfig's where it has one.
func parseJAAS(jaas string) (jaasEntry, error) {
	t := &jaasTokenizer{text: jaas}
	var entries []jaasEntry
	for {
		tok, err := t.next()
		if err != nil {
			return jaasEntry{}, err
		}
		if tok.kind == jaasEOF {
			break
		}
		entry, err := parseJAASEntry(t, tok)
		if err != nil {
			return jaasEntry{}, err
		}
		entries = append(entries, entry)
	}
	switch len(entries) {
	case 0:
		return jaasEntry{}, errors.New("Login module not specified in JAAS config")
	case 1:
		return entries[0], nil
	}
	return jaasEntry{}, fmt.Errorf("JAAS config property contains %d login modules, should be 1 module", len(entries))
}

// parseJAASEntry is JaasConfig.parseAppConfigurationEntry:
// <loginModuleClass> <controlFlag> (<optionName>=<optionValue>)*; where
// module is the entry's first token. Where Kafka would keep an option with
// a null name (a number or punctuation before '='), this fails.
func parseJAASEntry(t *jaasTokenizer, module jaasToken) (jaasEntry, error) {
	if !module.hasText() {
		return jaasEntry{}, fmt.Errorf("Login module not specified in JAAS config: found %s", module.describe())
	}
	flag, err := t.next()
	if err != nil {
		return jaasEntry{}, err
	}
	if flag.kind == jaasEOF {
		return jaasEntry{}, errors.New("Login module control flag not specified in JAAS config")
	}
	if !flag.hasText() {
		return jaasEntry{}, errors.New("Login module control flag is not available in the JAAS config")
	}
	switch strings.ToUpper(flag.text) {
	case "REQUIRED", "REQUISITE", "SUFFICIENT", "OPTIONAL":
	default:
		return jaasEntry{}, fmt.Errorf("Invalid login module control flag '%s' in JAAS config", flag.text)
	}
	entry := jaasEntry{module: module.text, options: map[string]string{}}
	for {
		key, err := t.next()
		if err != nil {
			return jaasEntry{}, err
		}
		if key.kind == jaasEOF {
			return jaasEntry{}, errors.New("JAAS config entry not terminated by semi-colon")
		}
		if key.kind == jaasChar && key.char == ';' {
			return entry, nil
		}
		if !key.hasText() {
			return jaasEntry{}, fmt.Errorf("Option name expected in JAAS config of %s, found %s", entry.module, key.describe())
		}
		value, ok, err := parseJAASValue(t)
		if err != nil {
			return jaasEntry{}, err
		}
		if !ok {
			return jaasEntry{}, fmt.Errorf("Value not specified for key '%s' in JAAS config", key.text)
		}
		entry.options[key.text] = value
	}
}

// parseJAASValue reads "=" and the value after an option name; ok is false
// when they are not there (Kafka's "Value not specified"): a number, say,
// must be quoted.
func parseJAASValue(t *jaasTokenizer) (value string, ok bool, err error) {
	eq, err := t.next()
	if err != nil || eq.kind != jaasChar || eq.char != '=' {
		return "", false, err
	}
	tok, err := t.next()
	if err != nil || !tok.hasText() {
		return "", false, err
	}
	return tok.text, true, nil
}
