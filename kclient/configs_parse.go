package kclient

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// configKey is ConfigCommand.validatePropsKey's pattern.
var configKey = regexp.MustCompile(`^[a-zA-Z0-9._-]*$`)

// parseConfigsToAdd is ConfigCommand.parseConfigsToBeAdded: the
// --add-config-file properties, then --add-config's pairs. Commas and '='
// inside square brackets do not split, and the brackets are dropped from
// values ('k2=[a,b]' sets k2 to "a,b"; SCRAM-SHA-512=[password=x] keeps its
// inner '=').
func (o ConfigsOptions) parseConfigsToAdd() (map[string]string, error) {
	props := map[string]string{}
	if o.AddConfigFile != "" {
		fromFile, err := LoadProperties(o.AddConfigFile)
		if err != nil {
			return nil, err
		}
		props = fromFile
	}
	if o.AddConfig != "" {
		pairs := splitOutsideBrackets(o.AddConfig, ",")
		// Java's String.split drops trailing empty strings.
		for len(pairs) > 0 && pairs[len(pairs)-1] == "" {
			pairs = pairs[:len(pairs)-1]
		}
		for _, pair := range pairs {
			kv := splitOutsideBrackets(pair, "=")
			if len(kv) != 2 {
				return nil, errors.New(`invalid entity config: all configs to be added must be in the format "key=val"`)
			}
			value := strings.NewReplacer("[", "", "]", "").Replace(kv[1])
			props[strings.TrimSpace(kv[0])] = strings.TrimSpace(value)
		}
	}
	for k := range props {
		if !configKey.MatchString(k) {
			return nil, fmt.Errorf("invalid character found for config key: %s", k)
		}
	}
	return props, nil
}

// splitOutsideBrackets splits s at each sep that is not inside square
// brackets, as ConfigCommand's regular expressions "sep(?=[^\]]*(?:\[|$))"
// do: a separator splits unless the next bracket after it closes. '=' takes
// the white space around it with it, as "\s*=\s*" does.
func splitOutsideBrackets(s, sep string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != sep[0] || !splits(s[i+1:]) {
			continue
		}
		end, next := i, i+1
		if sep == "=" {
			end = len(strings.TrimRight(s[:i], " \t\n\r\f\v"))
			next = len(s) - len(strings.TrimLeft(s[i+1:], " \t\n\r\f\v"))
		}
		out = append(out, s[start:end])
		start = next
		i = next - 1
	}
	return append(out, s[start:])
}

// splits tells whether a separator followed by rest is outside brackets: no
// ']' follows it, or a '[' comes before the first ']'.
func splits(rest string) bool {
	closeAt := strings.IndexByte(rest, ']')
	if closeAt < 0 {
		return true
	}
	return strings.IndexByte(rest[:closeAt], '[') >= 0
}

// scramMechanisms are Kafka's SCRAM mechanisms, which are users' config
// names for their credentials (ScramMechanism.isScram).
var scramMechanisms = map[string]kadm.ScramMechanism{"SCRAM-SHA-256": kadm.ScramSha256, "SCRAM-SHA-512": kadm.ScramSha512}

// scramMinIterations and scramDefaultIterations are ScramMechanism's minimum
// and ConfigCommand's DefaultScramIterations.
const (
	scramMinIterations     = 4096
	scramDefaultIterations = 4096
)

// scramCredential is the pattern of a SCRAM config's value in ConfigCommand.
var scramCredential = regexp.MustCompile(`^(?:iterations=(-?[0-9]*),)?password=(.*)$`)

// parseScramUpsert reads a SCRAM mechanism's value, "[iterations=N,]password=P"
// (iterations absent or -1: 4096), into the credential to set. The password
// is never repeated in an error.
func parseScramUpsert(user, mechanism, value string) (kadm.UpsertSCRAM, error) {
	m := scramCredential.FindStringSubmatch(value)
	if m == nil {
		return kadm.UpsertSCRAM{}, fmt.Errorf("invalid credential property %s: want [iterations=N,]password=<password>", mechanism)
	}
	iterations := scramDefaultIterations
	if m[1] != "-1" && strings.HasPrefix(value, "iterations=") {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return kadm.UpsertSCRAM{}, fmt.Errorf("invalid credential property %s: iterations %q is not a number", mechanism, m[1])
		}
		iterations = n
	}
	if iterations < scramMinIterations {
		return kadm.UpsertSCRAM{}, fmt.Errorf("iterations %d is less than the minimum %d required for %s", iterations, scramMinIterations, mechanism)
	}
	return kadm.UpsertSCRAM{User: user, Mechanism: scramMechanisms[mechanism], Iterations: int32(iterations), Password: m[2]}, nil
}

// quotaKeys are QuotaConfigs.isClientOrUserQuotaConfig's keys.
var quotaKeys = map[string]bool{
	"producer_byte_rate": true, "consumer_byte_rate": true, "request_percentage": true, "controller_mutation_rate": true,
}
