package broker

import (
	"fmt"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/peerdial"
)

// interBrokerDialer is how this broker connects to a partition leader's inter-broker
// listener (inter.broker.listener.name): with that listener's own security, as a
// Kafka broker's replica fetcher does (peerdial): TLS from its ssl.* settings when
// it is mapped to SSL, so its keystore identifies this broker to a leader that asks
// for client certificates, else TCP.
func interBrokerDialer(cfg *config.Config) (kwire.Dialer, error) {
	sec, err := peerdial.Listener(cfg, cfg.InterBrokerListenerName, config.KeyInterBrokerMechanism)
	if err != nil {
		return nil, fmt.Errorf("inter-broker listener: %w", err)
	}
	return sec.Dialer(), nil
}
