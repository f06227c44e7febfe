package node

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/tlsconf"
)

// brokerListenerTLS builds the TLS config of every broker listener mapped to SSL or
// SASL_SSL, from
// its ssl.* settings (listener.name.<l>.ssl.* over ssl.*), before anything listens: a
// missing keystore, a wrong password or a certificate that does not match its key
// stops the start with the key and the file, instead of a listener that cannot serve.
func brokerListenerTLS(cfg *config.Config) (map[string]*tlsconf.Reloadable, error) {
	out := map[string]*tlsconf.Reloadable{}
	for _, l := range cfg.BrokerListeners() {
		if p := cfg.ListenerProtocol(l.Name); p != "SSL" && p != "SASL_SSL" {
			continue
		}
		tc, err := tlsconf.ServerConfig(cfg.ListenerSSL(l.Name))
		if err != nil {
			return nil, fmt.Errorf("listener %s: %w", l.Name, err)
		}
		out[l.Name] = tlsconf.NewReloadable(tc)
	}
	return out, nil
}

// listenTLS wraps ln in TLS when the listener has a TLS config: every accepted
// connection handshakes before its first request is read.
func listenTLS(ln net.Listener, tc *tls.Config) net.Listener {
	if tc == nil {
		return ln
	}
	return tls.NewListener(ln, tc)
}
