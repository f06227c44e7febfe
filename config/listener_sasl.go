package config

import (
	"strings"
)

// saslMechanismsImplemented are the SASL mechanisms kbridge's listeners serve
// (saslserver), OAUTHBEARER with Kafka's default validator of unsecured tokens:
// Kafka's GSSAPI (its default) is refused at start.
var saslMechanismsImplemented = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}

// ListenerSASL is a SASL listener's settings as Kafka resolves them: the enabled
// mechanisms (listener.name.<l>.sasl.enabled.mechanisms over sasl.enabled.mechanisms,
// Kafka's default GSSAPI) and each mechanism's JAAS config, which a broker takes only
// from listener.name.<l>.<mechanism>.sasl.jaas.config (Kafka's preferred form; the
// JVM-wide login file has no equivalent here).
type ListenerSASL struct {
	Mechanisms []string
	// JAAS holds each mechanism's JAAS config by mechanism name, when it is set, and
	// JAASKey the key it is read from, set or not, for errors.
	JAAS    map[string]string
	JAASKey map[string]string
}

// ListenerSASL resolves listener's SASL settings.
func (c *Config) ListenerSASL(listener string) ListenerSASL {
	prefix := listenerPrefix(listener)
	mechanisms := "GSSAPI"
	if v, ok := c.Raw["sasl.enabled.mechanisms"]; ok {
		mechanisms = v
	}
	if v, ok := c.Raw[prefix+"sasl.enabled.mechanisms"]; ok {
		mechanisms = v
	}
	s := ListenerSASL{Mechanisms: splitList(mechanisms), JAAS: map[string]string{}, JAASKey: map[string]string{}}
	for _, m := range s.Mechanisms {
		v, key, ok := c.ListenerJAAS(listener, m)
		s.JAASKey[m] = key
		if ok {
			s.JAAS[m] = v
		}
	}
	return s
}

// ListenerJAAS is mechanism's JAAS config on listener and the key it is read from,
// listener.name.<listener>.<mechanism>.sasl.jaas.config (both lower-cased), as
// Kafka's JaasContext.loadServerContext reads it: a broker's or controller's own
// connections to that listener take their username and password from it too.
func (c *Config) ListenerJAAS(listener, mechanism string) (value, key string, ok bool) {
	key = listenerPrefix(listener) + strings.ToLower(mechanism) + ".sasl.jaas.config"
	value, ok = c.Raw[key]
	return value, key, ok
}

// Kafka's keys naming the SASL mechanism a node's own connections authenticate with.
const (
	KeyInterBrokerMechanism = "sasl.mechanism.inter.broker.protocol"
	KeyControllerMechanism  = "sasl.mechanism.controller.protocol"
)

// ClientMechanism is the mechanism key (KeyInterBrokerMechanism or
// KeyControllerMechanism) names, Kafka's default GSSAPI when it is not set.
func (c *Config) ClientMechanism(key string) string {
	if v, ok := c.Raw[key]; ok {
		return strings.ToUpper(strings.TrimSpace(v))
	}
	return "GSSAPI"
}

// isSASLKey tells whether key is read for SASL listeners: sasl.enabled.mechanisms,
// the mechanisms of the inter-broker and controller connections and the per-listener
// JAAS configs.
func isSASLKey(key string) bool {
	switch key {
	case "sasl.enabled.mechanisms", KeyInterBrokerMechanism, KeyControllerMechanism:
		return true
	}
	rest, ok := strings.CutPrefix(key, listenerNamePrefix)
	if !ok {
		return false
	}
	_, rest, _ = strings.Cut(rest, ".")
	if rest == "sasl.enabled.mechanisms" {
		return true
	}
	_, rest, _ = strings.Cut(rest, ".")
	return rest == "sasl.jaas.config"
}
