package kclient

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"

	"github.com/kbridge/kbridge/tlsconf"
)

// tlsKeys are the ssl.* client properties: those tlsconf implements, read as
// Kafka's DefaultSslEngineFactory reads them, and those it does not
// (providers, key and trust manager algorithms ...), which are accepted at
// Kafka's default and refused otherwise (tlsconf.CheckKeys).
var tlsKeys = map[string]bool{
	"ssl.protocol": true, "ssl.enabled.protocols": true, "ssl.cipher.suites": true,
	"ssl.keystore.type": true, "ssl.keystore.location": true, "ssl.keystore.password": true,
	"ssl.key.password": true, "ssl.keystore.key": true, "ssl.keystore.certificate.chain": true,
	"ssl.truststore.type": true, "ssl.truststore.location": true, "ssl.truststore.password": true,
	"ssl.truststore.certificates": true, "ssl.endpoint.identification.algorithm": true,
	"ssl.provider": true, "ssl.keymanager.algorithm": true, "ssl.trustmanager.algorithm": true,
	"ssl.secure.random.implementation": true, "ssl.engine.factory.class": true,
}

// tlsDialer dials brokers over TLS. Each host gets a configuration of its
// own, because with ssl.endpoint.identification.algorithm=https (Kafka's
// default) the certificate must name the host dialled, and a client reaches
// every broker of the cluster, not only the bootstrap one.
type tlsDialer struct {
	settings tlsconf.Settings
	timeout  time.Duration // socket.connection.setup.timeout.ms, TCP and handshake together

	mu      sync.Mutex
	configs map[string]*tls.Config // by host
}

// newTLSDialer checks the ssl.* properties by building the configuration for
// the first bootstrap host, so that a bad store, password or protocol fails
// before any connection, naming its key and file.
func (c Conn) newTLSDialer(firstHost string, timeout time.Duration) (*tlsDialer, error) {
	s := tlsconf.Settings{Values: map[string]string{}, KeyName: c.keyName, Source: c.ConfigFile}
	for k, v := range c.Properties {
		if tlsKeys[k] {
			s.Values[k] = v
		}
	}
	if refused := tlsconf.CheckKeys(s); len(refused) > 0 {
		return nil, c.propError(refused[0], "is not supported by kbridge's clients except at Kafka's default; remove it")
	}
	d := &tlsDialer{settings: s, timeout: timeout, configs: map[string]*tls.Config{}}
	if _, err := d.configFor(firstHost); err != nil {
		return nil, err
	}
	return d, nil
}

// configFor returns host's configuration, built once: the stores are read
// and decrypted once per host, not per connection.
func (d *tlsDialer) configFor(host string) (*tls.Config, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cfg, ok := d.configs[host]; ok {
		return cfg, nil
	}
	cfg, err := tlsconf.ClientConfig(d.settings, host)
	if err != nil {
		return nil, err
	}
	d.configs[host] = cfg
	return cfg, nil
}

// DialContext is kgo's dial function: TCP, then the TLS handshake, within the
// setup timeout.
func (d *tlsDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	cfg, err := d.configFor(host)
	if err != nil {
		return nil, err
	}
	td := tls.Dialer{NetDialer: &net.Dialer{Timeout: d.timeout}, Config: cfg}
	return td.DialContext(ctx, network, addr)
}
