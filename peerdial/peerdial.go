// Package peerdial is how a kbridge node dials the listeners of the other nodes of
// its cluster, as a Kafka broker or controller builds the client side of a listener
// from that listener's own settings: the replica fetchers dial the inter-broker
// listener, brokers and controllers dial the controller listener. A listener mapped
// to SSL or SASL_SSL is dialed with TLS from its ssl.* settings
// (listener.name.<l>.ssl.* over ssl.*): the keystore is this node's client
// certificate, the truststore holds the roots the peer's certificate must chain to,
// and the peer's name is verified as ssl.endpoint.identification.algorithm asks. A
// listener mapped to SASL_PLAINTEXT or SASL_SSL is authenticated with the mechanism
// the node's settings name (sasl.mechanism.inter.broker.protocol,
// sasl.mechanism.controller.protocol) and the username and password of that
// mechanism's JAAS config on the listener, as Kafka's JaasContext gives a broker's own
// connections their login module.
//
// It sits above config, tlsconf, saslserver (the JAAS parser) and kwire so that the
// broker (inter-broker links) and node (the controller links of brokers, controllers
// and migrating ZooKeeper brokers) build them with one piece of code.
package peerdial

import (
	"crypto/tls"
	"fmt"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/tlsconf"
)

// Listener returns how this node connects to listener on its peers; mechanismKey is
// the key naming the SASL mechanism of those connections (config.KeyInterBrokerMechanism
// or config.KeyControllerMechanism). The settings are checked now, so a keystore that
// cannot be read or missing credentials stop the start with the key and the file
// instead of failing every connection later.
func Listener(cfg *config.Config, listener, mechanismKey string) (kwire.Security, error) {
	var sec kwire.Security
	protocol := cfg.ListenerProtocol(listener)
	if protocol == "SSL" || protocol == "SASL_SSL" {
		settings := cfg.ListenerSSL(listener)
		if _, err := tlsconf.ClientConfig(settings, "localhost"); err != nil {
			return kwire.Security{}, fmt.Errorf("listener %s, as a client: %w", listener, err)
		}
		sec.Dial = kwire.TLSDialer(func(host string) (*tls.Config, error) { return tlsconf.ClientConfig(settings, host) })
	}
	if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
		mech, err := saslClient(cfg, listener, mechanismKey)
		if err != nil {
			return kwire.Security{}, fmt.Errorf("listener %s, as a client: %w", listener, err)
		}
		sec.SASL = mech
	}
	return sec, nil
}

// saslClient is the client side of the mechanism mechanismKey names, logging in with
// the username and password of its JAAS config on listener
// (listener.name.<l>.<mechanism>.sasl.jaas.config).
func saslClient(cfg *config.Config, listener, mechanismKey string) (sasl.Mechanism, error) {
	name := cfg.ClientMechanism(mechanismKey)
	jaas, key, ok := cfg.ListenerJAAS(listener, name)
	if !ok {
		return nil, fmt.Errorf("%s: %s is not set: this node authenticates with %s (%s) and takes its username and password from it",
			cfg.Source, key, name, mechanismKey)
	}
	user, password, err := saslserver.ParseJAASCredentials(jaas)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", cfg.Source, key, err)
	}
	switch name {
	case "PLAIN":
		return plain.Auth{User: user, Pass: password}.AsMechanism(), nil
	case saslserver.ScramSHA256:
		return scram.Auth{User: user, Pass: password}.AsSha256Mechanism(), nil
	case saslserver.ScramSHA512:
		return scram.Auth{User: user, Pass: password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("%s: %s: SASL mechanism %s is not supported (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 are)", cfg.Source, mechanismKey, name)
}
