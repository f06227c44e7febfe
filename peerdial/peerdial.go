// Package peerdial is how a kbridge node dials the listeners of the other nodes of
// its cluster, as a Kafka broker or controller builds the client side of a listener
// from that listener's own settings: the replica fetchers dial the inter-broker
// listener, brokers and controllers dial the controller listener. A listener mapped
// to SSL is dialed with TLS from its ssl.* settings (listener.name.<l>.ssl.* over
// ssl.*): the keystore is this node's client certificate, the truststore holds the
// roots the peer's certificate must chain to, and the peer's name is verified as
// ssl.endpoint.identification.algorithm asks.
//
// It sits above config, tlsconf and kwire so that the broker (inter-broker links)
// and node (the controller links of brokers, controllers and migrating ZooKeeper
// brokers) build them with one piece of code.
package peerdial

import (
	"crypto/tls"
	"fmt"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/tlsconf"
)

// Listener returns how this node connects to listener on its peers. The TLS
// settings are checked now, so a keystore or truststore that cannot be read stops
// the start with the key and the file instead of failing every connection later.
func Listener(cfg *config.Config, listener string) (kwire.Security, error) {
	switch cfg.ListenerProtocol(listener) {
	case "SSL", "SASL_SSL":
	default:
		return kwire.Security{}, nil
	}
	settings := cfg.ListenerSSL(listener)
	if _, err := tlsconf.ClientConfig(settings, "localhost"); err != nil {
		return kwire.Security{}, fmt.Errorf("listener %s, as a client: %w", listener, err)
	}
	configFor := func(host string) (*tls.Config, error) { return tlsconf.ClientConfig(settings, host) }
	return kwire.Security{Dial: kwire.TLSDialer(configFor)}, nil
}
