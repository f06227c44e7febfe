package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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

// reauthKey is Kafka's connections.max.reauth.ms (KIP-368).
const reauthKey = "connections.max.reauth.ms"

// ListenerReauth is the session lifetime of mechanism's authentications on listener,
// connections.max.reauth.ms as Kafka's SaslChannelBuilder resolves it for the
// mechanism: listener.name.<listener>.<mechanism>.connections.max.reauth.ms over
// connections.max.reauth.ms, 0 (never) by default or for a value of 0 or less. A value
// that is not a number is an error naming the key it was read from and the file.
func (c *Config) ListenerReauth(listener, mechanism string) (lifetime time.Duration, err error) {
	key := listenerPrefix(listener) + strings.ToLower(mechanism) + "." + reauthKey
	v, ok := c.Raw[key]
	if !ok {
		key = reauthKey
		if v, ok = c.Raw[key]; !ok {
			return 0, nil
		}
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %q is not a number of milliseconds", c.Source, key, v)
	}
	return time.Duration(max(ms, 0)) * time.Millisecond, nil
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
// the mechanisms of the inter-broker and controller connections, the per-listener JAAS
// configs and the session lifetimes (connections.max.reauth.ms).
func isSASLKey(key string) bool {
	switch key {
	case "sasl.enabled.mechanisms", KeyInterBrokerMechanism, KeyControllerMechanism, reauthKey:
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
	return rest == "sasl.jaas.config" || rest == reauthKey
}
