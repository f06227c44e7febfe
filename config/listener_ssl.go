package config

import (
	"maps"
	"strings"

	"github.com/kbridge/kbridge/tlsconf"
)

// ListenerSSL is listener's ssl.* settings as Kafka resolves them: each
// listener.name.<listener>.ssl.X (the listener's name lower-cased) over ssl.X. A
// broker uses its inter-broker listener's settings as a client too, as Kafka does.
func (c *Config) ListenerSSL(listener string) tlsconf.Settings {
	return c.listenerSSL(listener, c.Raw)
}

// ListenerSSLWith is ListenerSSL with a broker's dynamic configs (a per-broker
// AlterConfigs of listener.name.<l>.ssl.keystore.location, say) over the file's, as
// Kafka's DynamicBrokerConfig layers them.
func (c *Config) ListenerSSLWith(listener string, dynamic map[string]string) tlsconf.Settings {
	raw := make(map[string]string, len(c.Raw)+len(dynamic))
	maps.Copy(raw, c.Raw)
	maps.Copy(raw, dynamic)
	return c.listenerSSL(listener, raw)
}

func (c *Config) listenerSSL(listener string, raw map[string]string) tlsconf.Settings {
	prefix := listenerPrefix(listener)
	values := map[string]string{}
	prefixed := map[string]bool{}
	for key, value := range raw {
		if strings.HasPrefix(key, "ssl.") && !prefixed[key] {
			values[key] = value
		}
		if k, ok := strings.CutPrefix(key, prefix); ok && strings.HasPrefix(k, "ssl.") {
			values[k], prefixed[k] = value, true
		}
	}
	return tlsconf.Settings{
		Values: values,
		KeyName: func(key string) string {
			if prefixed[key] {
				return prefix + key
			}
			return key
		},
		Source: c.Source,
	}
}

// ListenerProtocol is listener's security protocol (listener.security.protocol.map).
func (c *Config) ListenerProtocol(listener string) string {
	return c.ListenerSecurityProtocolMap[listener]
}

// listenerPrefix is the prefix of listener's own settings, listener.name.<listener>.
// with the name lower-cased, as Kafka spells its per-listener overrides.
func listenerPrefix(listener string) string {
	return listenerNamePrefix + strings.ToLower(listener) + "."
}
