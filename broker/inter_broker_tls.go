package broker

import (
	"crypto/tls"
	"fmt"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/tlsconf"
)

// interBrokerDialer is how this broker connects to a partition leader's inter-broker
// listener (inter.broker.listener.name): TLS with that listener's ssl.* settings when
// it is mapped to SSL, as a Kafka broker's replica fetcher does (its keystore then
// identifies this broker to a leader that asks for client certificates), else TCP.
func interBrokerDialer(cfg *config.Config) (kwire.Dialer, error) {
	name := cfg.InterBrokerListenerName
	if cfg.ListenerProtocol(name) != "SSL" {
		return kwire.DialTCP, nil
	}
	settings := cfg.ListenerSSL(name)
	// Built once now so that a keystore or truststore that cannot be read stops the
	// start; each connection then verifies the leader it dials by name.
	if _, err := tlsconf.ClientConfig(settings, "localhost"); err != nil {
		return nil, fmt.Errorf("inter-broker listener %s: %w", name, err)
	}
	return kwire.TLSDialer(func(host string) (*tls.Config, error) { return tlsconf.ClientConfig(settings, host) }), nil
}
