package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

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
// not honour: on any listener the TLS settings and SASL mechanisms kbridge does not
// implement (SSL and SASL_SSL listeners are served with TLS, the controller listener
// included, for Raft, the Kafka protocol and the migration admin endpoint alike;
// SASL_PLAINTEXT and SASL_SSL listeners authenticate with PLAIN, SCRAM or OAUTHBEARER,
// and this node's own connections to the inter-broker and controller listeners with
// PLAIN or SCRAM). The error names the key
// that declares the listener; the protocol comes from listener.security.protocol.map,
// or from the listener's name (SSL, SASL_PLAINTEXT, SASL_SSL) when the map is Kafka's
// default.
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
			if protocol == "SSL" || protocol == "SASL_SSL" {
				out = append(out, refusedTLSKeys(d, c, name)...)
			}
			if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
				out = append(out, refusedControllerSASL(d, c, name)...)
			}
		case protocol == "SSL" || protocol == "SASL_SSL":
			out = append(out, refusedTLSKeys(d, c, name)...)
			if protocol == "SASL_SSL" {
				out = append(out, refusedSASL(d, c, name)...)
			}
		case protocol == "SASL_PLAINTEXT":
			out = append(out, refusedSASL(d, c, name)...)
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

// refusedTLSKeys reports the ssl.* settings of a TLS listener that kbridge does not
// implement (tlsconf.CheckKeys).
func refusedTLSKeys(d *decoder, c *Config, name string) []*KeyError {
	var out []*KeyError
	s := c.ListenerSSL(name)
	for _, k := range tlsconf.CheckKeys(s) {
		out = append(out, &KeyError{File: d.source(s.KeyName(k)), Key: s.KeyName(k),
			Msg: fmt.Sprintf("configures TLS on listener %s in a way kbridge does not implement (only Kafka's default is supported)", name)})
	}
	return out
}

// refusedSASL reports what a SASL broker listener asks that kbridge does not
// implement: a mechanism other than PLAIN, SCRAM and OAUTHBEARER (GSSAPI is Kafka's
// default) and,
// on the inter-broker listener, a mechanism for the replica fetchers
// (sasl.mechanism.inter.broker.protocol, default GSSAPI) that it does not implement
// or that the listener does not enable, which Kafka refuses too.
func refusedSASL(d *decoder, c *Config, name string) []*KeyError {
	out := refusedMechanisms(d, c, name)
	if name != c.InterBrokerListenerName {
		return out
	}
	mech := c.ClientMechanism(KeyInterBrokerMechanism)
	if !slices.Contains(saslMechanismsImplemented, mech) {
		return append(out, &KeyError{File: d.source(KeyInterBrokerMechanism), Key: KeyInterBrokerMechanism,
			Msg: fmt.Sprintf("inter-broker listener %s authenticates the replica fetchers with SASL mechanism %s (Kafka's default is GSSAPI), which is not supported yet (%s are)",
				name, mech, strings.Join(saslMechanismsImplemented, ", "))})
	}
	if enabled := c.ListenerSASL(name).Mechanisms; !slices.Contains(enabled, mech) {
		out = append(out, &KeyError{File: d.source(KeyInterBrokerMechanism), Key: KeyInterBrokerMechanism,
			Msg: fmt.Sprintf("%s must be among the mechanisms inter-broker listener %s enables (%s) when SASL is used between brokers",
				mech, name, strings.Join(enabled, ", "))})
	}
	return out
}

// refusedMechanisms reports the mechanisms a SASL listener enables that kbridge does
// not implement (GSSAPI is Kafka's default).
func refusedMechanisms(d *decoder, c *Config, name string) []*KeyError {
	var out []*KeyError
	mkey := enabledMechanismsKey(d, name)
	for _, m := range c.ListenerSASL(name).Mechanisms {
		if !slices.Contains(saslMechanismsImplemented, m) {
			out = append(out, &KeyError{File: d.source(mkey), Key: mkey,
				Msg: fmt.Sprintf("listener %s enables SASL mechanism %s, which is not supported yet (%s are)", name, m, strings.Join(saslMechanismsImplemented, ", "))})
		}
	}
	return out
}

// enabledMechanismsKey is the key a listener's enabled mechanisms come from.
func enabledMechanismsKey(d *decoder, name string) string {
	if key := listenerPrefix(name) + "sasl.enabled.mechanisms"; d.isSet(key) {
		return key
	}
	return "sasl.enabled.mechanisms"
}

// refusedControllerSASL reports what a SASL controller listener asks that kbridge
// cannot honour: a mechanism for this node's own connections to the controllers
// (sasl.mechanism.controller.protocol, Kafka's default GSSAPI) that it does not
// implement and, on a controller, which serves the listener, the enabled mechanisms
// it does not implement or that leave out its own, without which the voters could
// not authenticate to each other.
func refusedControllerSASL(d *decoder, c *Config, name string) []*KeyError {
	var out []*KeyError
	mech := c.ClientMechanism(KeyControllerMechanism)
	if !slices.Contains(saslMechanismsImplemented, mech) {
		out = append(out, &KeyError{File: d.source(KeyControllerMechanism), Key: KeyControllerMechanism,
			Msg: fmt.Sprintf("controller listener %s authenticates this node's connections with SASL mechanism %s (Kafka's default is GSSAPI), which is not supported yet (%s are)",
				name, mech, strings.Join(saslMechanismsImplemented, ", "))})
	}
	if !c.IsController() {
		return out
	}
	out = append(out, refusedMechanisms(d, c, name)...)
	if enabled := c.ListenerSASL(name).Mechanisms; slices.Contains(saslMechanismsImplemented, mech) && !slices.Contains(enabled, mech) {
		mkey := enabledMechanismsKey(d, name)
		out = append(out, &KeyError{File: d.source(mkey), Key: mkey,
			Msg: fmt.Sprintf("controller listener %s enables %s, but not %s, the mechanism this controller authenticates to the other voters with (%s)",
				name, strings.Join(enabled, ", "), mech, KeyControllerMechanism)})
	}
	return out
}
