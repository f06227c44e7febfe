package config

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kbridge/kbridge/tlsconf"
)

// refuseUnsupported fails closed: it reports, in one error, every key whose
// value asks for a feature in unsupportedKeys and every listener whose
// security protocol is not PLAINTEXT, so the operator fixes the file once
// instead of key by key. It returns nil when the file asks for nothing
// kbridge would silently leave out.
func refuseUnsupported(d *decoder, c *Config) error {
	var refused []*KeyError
	for key, value := range d.raw {
		if reason := refusal(key, value); reason != "" {
			refused = append(refused, &KeyError{File: d.source(key), Key: key, Msg: reason})
		}
	}
	refused = append(refused, securedListeners(d, c)...)
	if len(refused) == 0 {
		return nil
	}
	slices.SortFunc(refused, func(a, b *KeyError) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Msg, b.Msg))
	})
	return &UnsupportedKeysError{Refused: refused}
}

// securedListeners reports each listener whose security protocol kbridge would
// not honour: SASL on any listener (kbridge would serve it without authentication),
// and anything but PLAINTEXT on a controller listener (TLS there, for Raft and the
// broker-to-controller calls, is not implemented yet). A broker listener mapped to SSL
// is served with TLS; the ssl.* keys of such a listener that kbridge does not
// implement are reported too. The error names the key that declares the listener;
// the protocol comes from listener.security.protocol.map, or from the listener's name
// (SSL, SASL_PLAINTEXT, SASL_SSL) when the map is Kafka's default.
func securedListeners(d *decoder, c *Config) []*KeyError {
	how := "from its name"
	if d.isSet("listener.security.protocol.map") {
		how = "from listener.security.protocol.map"
	}
	controller := map[string]bool{}
	for _, name := range c.ControllerListenerNames {
		controller[name] = true
	}
	var out []*KeyError
	check := func(key, name string) {
		protocol, ok := c.ListenerSecurityProtocolMap[name]
		switch {
		case !ok || protocol == "PLAINTEXT":
		case controller[name]:
			out = append(out, &KeyError{File: d.source(key), Key: key,
				Msg: fmt.Sprintf("controller listener %s uses security protocol %s (%s), but %s", name, protocol, how, controllerTLSMissing)})
		case protocol == "SSL":
			s := c.ListenerSSL(name)
			for _, k := range tlsconf.CheckKeys(s) {
				out = append(out, &KeyError{File: d.source(s.KeyName(k)), Key: s.KeyName(k),
					Msg: fmt.Sprintf("configures TLS on listener %s in a way kbridge does not implement (only Kafka's default is supported)", name)})
			}
		default:
			out = append(out, &KeyError{File: d.source(key), Key: key,
				Msg: fmt.Sprintf("listener %s uses security protocol %s (%s), but %s", name, protocol, how, securityMissing)})
		}
	}
	for _, l := range c.Listeners {
		check("listeners", l.Name)
	}
	for _, name := range c.ControllerListenerNames {
		if _, ok := c.ListenerByName(name); !ok {
			check("controller.listener.names", name)
		}
	}
	return out
}
