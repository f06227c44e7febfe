package config

import (
	"strconv"
	"strings"
)

// The features behind refused keys, each phrased so that the error says what
// is missing and that it is "not supported yet".
const (
	securityMissing   = "this security feature is not supported yet"
	limitsMissing     = "connection and request-memory limits are not supported yet"
	pluginsMissing    = "broker policy and quota plugins are not supported yet"
	elrMissing        = "eligible leader replicas are not supported yet"
	tieredMissing     = "tiered storage is not supported yet"
	configProvMissing = "config providers are not supported yet"
	// oauthSignedMissing is why OAUTHBEARER listeners take only Kafka's default
	// validator, which checks unsecured tokens by their claims alone.
	oauthSignedMissing = "validating signed OAUTHBEARER tokens (KIP-768) and custom SASL callback handlers are not supported yet; OAUTHBEARER listeners use Kafka's default validator of unsecured tokens"
	// oauthLoginMissing is why brokers and controllers cannot use OAUTHBEARER
	// between them.
	oauthLoginMissing = "a node's own OAUTHBEARER token (its OAuthBearerLoginModule login) is not supported yet"
)

// listenerNamePrefix starts Kafka's per-listener overrides of other keys.
const listenerNamePrefix = "listener.name."

// unsupportedKey is a Kafka 3.9 key, or a family of keys when name ends in
// ".", whose feature kbridge does not implement and that changes security or
// durability. Ignoring it would run a broker less safe than the file asks
// for, so a value that turns the feature on refuses to start.
type unsupportedKey struct {
	name    string
	off     func(value string) bool // values that leave the feature off; an empty value always does
	asks    string                  // what a value that is not off asks for
	missing string                  // the missing feature, "... not supported yet"
}

// offWhen accepts the listed values (case-insensitive): Kafka's default where
// that default means the feature is off. With no values only an empty value is off.
func offWhen(values ...string) func(string) bool {
	return func(v string) bool {
		for _, off := range values {
			if strings.EqualFold(v, off) {
				return true
			}
		}
		return false
	}
}

// offUnlessPositive is off for a number of zero or less, which Kafka reads as
// "disabled" for these keys.
func offUnlessPositive(v string) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	return err == nil && n <= 0
}

// anyValue accepts every value: the key is implemented.
func anyValue(string) bool { return true }

// maxInt32Off is the "no limit" default of Kafka's connection limits.
var maxInt32Off = offWhen(maxInt32)

// unsupportedKeys is the table of refused keys, family by family. Listener
// security protocols are refused by securedListeners instead, since they come
// from listeners, listener.security.protocol.map and the listener names together.
var unsupportedKeys = []unsupportedKey{
	// SASL (Kafka docs "Security": SASL, KIP-368). Every sasl.* key configures
	// it, including per-listener overrides, which unsupportedKeyFor maps to this
	// entry. TLS (ssl.*) is implemented on broker listeners; the ssl.* keys it
	// does not implement are refused per TLS listener (tlsconf.CheckKeys).
	{name: "sasl.", off: offWhen(), asks: "configures SASL authentication", missing: securityMissing},
	// Read for SASL listeners (config/listener_sasl.go; refusedSASL checks the
	// mechanisms, ListenerReauth the session lifetimes), so any value is accepted here.
	{name: "sasl.enabled.mechanisms", off: anyValue},
	{name: "sasl.jaas.config", off: anyValue},
	// Read with them too, but OAUTHBEARER would need a token of the node's own
	// (Kafka's broker makes one at start from its JAAS login options).
	{name: "sasl.mechanism.inter.broker.protocol", off: notOAuthBearer,
		asks: "asks brokers to authenticate to each other with OAUTHBEARER", missing: oauthLoginMissing},
	{name: "sasl.mechanism.controller.protocol", off: notOAuthBearer,
		asks: "asks nodes to authenticate to the controllers with OAUTHBEARER", missing: oauthLoginMissing},
	// OAUTHBEARER is served with Kafka's default validator, which a custom server
	// callback handler replaces (for KIP-768's signed tokens, say) and which the
	// sasl.oauthbearer.* keys (JWKS, issuer, audience, token endpoint) do not
	// configure: Kafka would ignore them without that handler and accept unsecured
	// tokens where signed ones were meant.
	{name: "sasl.server.callback.handler.class", off: offWhen(), asks: "installs a SASL server callback handler", missing: oauthSignedMissing},
	{name: "sasl.oauthbearer.", off: offWhen(), asks: "configures OAUTHBEARER tokens signed by an identity provider (KIP-768)", missing: oauthSignedMissing},
	{name: "connections.max.reauth.ms", off: anyValue},
	{name: "principal.builder.class", off: offWhen("org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder"),
		asks: "replaces how principals are built from TLS and SASL identities", missing: securityMissing},
	{name: "security.providers", off: offWhen(), asks: "adds JCA security providers for TLS and SASL", missing: securityMissing},
	{name: "delegation.token.secret.key", off: offWhen(), asks: "turns on delegation tokens (KIP-48)", missing: securityMissing},
	{name: "delegation.token.master.key", off: offWhen(), asks: "turns on delegation tokens (KIP-48)", missing: securityMissing},

	// ZooKeeper security (Kafka docs "ZooKeeper Authentication", KIP-515): ACLs
	// on the znodes the broker writes, and TLS to ZooKeeper. The other
	// zookeeper.ssl.* keys only matter once zookeeper.ssl.client.enable is true.
	{name: "zookeeper.set.acl", off: offWhen("false"), asks: "asks for ACLs on the znodes the broker writes", missing: securityMissing},
	{name: "zookeeper.ssl.client.enable", off: offWhen("false"), asks: "asks for TLS to ZooKeeper", missing: securityMissing},

	// The secret that encrypts dynamic password configs stored in ZooKeeper
	// (KIP-226); the other password.encoder.* keys only tune that encryption.
	{name: "password.encoder.secret", off: offWhen(), asks: "sets the secret that encrypts dynamic password configs (KIP-226)", missing: securityMissing},
	{name: "password.encoder.old.secret", off: offWhen(), asks: "sets the secret that encrypts dynamic password configs (KIP-226)", missing: securityMissing},

	// Protection limits (KIP-72, KIP-402, KIP-612): an operator who
	// bounds connections or queued request memory relies on the bound to keep
	// the broker up under load. Kafka's defaults mean "no limit".
	{name: "max.connections", off: maxInt32Off, asks: "limits the number of connections (KIP-402)", missing: limitsMissing},
	{name: "max.connections.per.ip", off: maxInt32Off, asks: "limits the connections per client address", missing: limitsMissing},
	{name: "max.connections.per.ip.overrides", off: offWhen(), asks: "limits the connections of given client addresses", missing: limitsMissing},
	{name: "max.connection.creation.rate", off: maxInt32Off, asks: "limits the connection creation rate (KIP-612)", missing: limitsMissing},
	{name: "queued.max.request.bytes", off: offUnlessPositive, asks: "bounds the memory of queued requests (KIP-72)", missing: limitsMissing},

	// Broker plugins that enforce policy or quotas (KIP-108, KIP-133, KIP-257):
	// without them requests they would reject are accepted.
	{name: "create.topic.policy.class.name", off: offWhen(), asks: "installs a topic creation policy (KIP-108)", missing: pluginsMissing},
	{name: "alter.config.policy.class.name", off: offWhen(), asks: "installs a config change policy (KIP-133)", missing: pluginsMissing},
	{name: "client.quota.callback.class", off: offWhen(), asks: "installs a client quota callback (KIP-257)", missing: pluginsMissing},

	// Durability. Eligible leader replicas (KIP-966) change which replicas may
	// become leader after an unclean shutdown; tiered storage (KIP-405) keeps
	// segments in remote storage that would otherwise stay only on local disk.
	// min.insync.replicas, unclean.leader.election.enable and log.flush.* are
	// implemented (brokerKeys) and so are not here.
	{name: "eligible.leader.replicas.enable", off: offWhen("false"), asks: "asks for eligible leader replicas (KIP-966)", missing: elrMissing},
	{name: "remote.log.storage.system.enable", off: offWhen("false"), asks: "turns on tiered storage (KIP-405)", missing: tieredMissing},

	// Config providers (KIP-297, KIP-421) resolve ${provider:path:key} values,
	// often secrets and paths; unresolved, those values would be used literally.
	{name: "config.providers", off: offWhen(), asks: "asks for config providers to resolve ${provider:path:key} values (KIP-421)", missing: configProvMissing},
}

// unsupportedKeyFor finds key's entry in unsupportedKeys, or nil. A per-listener
// override, listener.name.<listener>.<key> or, for SASL,
// listener.name.<listener>.<mechanism>.<key>, is judged as the key it overrides.
func unsupportedKeyFor(key string) *unsupportedKey {
	rest, ok := strings.CutPrefix(key, listenerNamePrefix)
	if !ok {
		return lookupUnsupportedKey(key)
	}
	_, rest, _ = strings.Cut(rest, ".")
	if u := lookupUnsupportedKey(rest); u != nil {
		return u
	}
	_, rest, _ = strings.Cut(rest, ".")
	return lookupUnsupportedKey(rest)
}

// lookupUnsupportedKey prefers an exact entry over a family, and the longest
// family over a shorter one, so a key can have its own "off" values inside a
// refused family and a family its own message inside a wider one.
func lookupUnsupportedKey(key string) *unsupportedKey {
	var family *unsupportedKey
	for i := range unsupportedKeys {
		u := &unsupportedKeys[i]
		if u.name == key {
			return u
		}
		if strings.HasSuffix(u.name, ".") && strings.HasPrefix(key, u.name) && (family == nil || len(u.name) > len(family.name)) {
			family = u
		}
	}
	return family
}

// refusal is why key=value must not start, or "" when the value leaves the
// feature off (or the key is not in the table).
func refusal(key, value string) string {
	u := unsupportedKeyFor(key)
	value = strings.TrimSpace(value)
	if u == nil || value == "" || u.off(value) {
		return ""
	}
	return u.asks + ", but " + u.missing
}

// notOAuthBearer is the "off" of a node's own SASL mechanism: anything but
// OAUTHBEARER, which the mechanism checks of refuse.go judge otherwise.
func notOAuthBearer(v string) bool { return !strings.EqualFold(v, "OAUTHBEARER") }
