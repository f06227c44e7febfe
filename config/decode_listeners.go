package config

import (
	"slices"
	"strings"
)

// controllerListenerDefault is the listener name a controller falls back to
// when controller.listener.names is unset, so the seeds' single-node file
// (listeners=PLAINTEXT://:9092,CONTROLLER://:9093 and nothing else) loads.
const controllerListenerDefault = "CONTROLLER"

// decodeListeners reads listeners, advertised.listeners, the security
// protocol map and the inter-broker and controller listener names.
func decodeListeners(d *decoder, c *Config) {
	listeners, err := parseListeners(d.list("listeners"), true)
	if err != nil {
		d.fail("listeners", "%v", err)
	}
	c.Listeners = listeners
	c.ControllerListenerNames = upperAll(d.list("controller.listener.names"))
	if !d.isSet("controller.listener.names") && c.IsController() {
		if _, ok := c.ListenerByName(controllerListenerDefault); ok {
			c.ControllerListenerNames = []string{controllerListenerDefault}
		}
	}
	c.AdvertisedListeners = listeners
	if items, ok := d.optList("advertised.listeners"); ok && len(items) > 0 {
		advertised, err := parseListeners(items, false)
		if err != nil {
			d.fail("advertised.listeners", "%v", err)
		}
		c.AdvertisedListeners = advertised
	}
	c.AdvertisedListeners = withAdvertisableHosts(c.AdvertisedListeners)
	c.ListenerSecurityProtocolMap = decodeProtocolMap(d, c)
	c.InterBrokerListenerName = decodeInterBrokerListener(d)
	c.SocketRequestMaxBytes = d.int("socket.request.max.bytes")
	c.NumNetworkThreads = d.int("num.network.threads")
	c.NumIoThreads = d.int("num.io.threads")
}

// withAdvertisableHosts replaces an empty host ("bind every interface") with
// "localhost". Kafka advertises the canonical host name instead; localhost
// keeps a default single-node setup reachable without DNS, and multi-host
// clusters set advertised.listeners anyway.
func withAdvertisableHosts(ls []Listener) []Listener {
	out := slices.Clone(ls)
	for i := range out {
		if out[i].Host == "" {
			out[i].Host = "localhost"
		}
	}
	return out
}

// decodeProtocolMap reads listener.security.protocol.map. Like Kafka's
// effectiveListenerSecurityProtocolMap, when the map is not set explicitly
// and no SSL or SASL listener is in use, controller listener names map to
// PLAINTEXT.
func decodeProtocolMap(d *decoder, c *Config) map[string]string {
	m, err := parseProtocolMap(d.list("listener.security.protocol.map"))
	if err != nil {
		d.fail("listener.security.protocol.map", "%v", err)
		return nil
	}
	if d.isSet("listener.security.protocol.map") || usesSSLOrSASL(c) {
		return m
	}
	for _, name := range c.ControllerListenerNames {
		if _, ok := m[name]; !ok {
			m[name] = "PLAINTEXT"
		}
	}
	return m
}

// usesSSLOrSASL reports a listener or controller listener named after a
// secured protocol, where guessing PLAINTEXT would be wrong.
func usesSSLOrSASL(c *Config) bool {
	names := slices.Clone(c.ControllerListenerNames)
	for _, l := range c.Listeners {
		names = append(names, l.Name)
	}
	return slices.ContainsFunc(names, func(n string) bool {
		return n == "SSL" || n == "SASL_PLAINTEXT" || n == "SASL_SSL"
	})
}

// decodeInterBrokerListener is inter.broker.listener.name, else the listener
// named after security.inter.broker.protocol; setting both is an error in Kafka.
func decodeInterBrokerListener(d *decoder) string {
	protocol := d.str("security.inter.broker.protocol")
	name, ok := d.optStr("inter.broker.listener.name")
	if !ok {
		return protocol
	}
	if d.isSet("security.inter.broker.protocol") {
		d.fail("inter.broker.listener.name", "only one of inter.broker.listener.name and security.inter.broker.protocol may be set")
	}
	return strings.ToUpper(strings.TrimSpace(name))
}

func upperAll(items []string) []string {
	var out []string
	for _, s := range items {
		out = append(out, strings.ToUpper(s))
	}
	return out
}
