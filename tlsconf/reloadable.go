package tlsconf

import (
	"crypto/tls"
	"sync/atomic"
)

// Reloadable is a listener's TLS server config that can be replaced while it serves:
// Kafka re-reads a listener's keystore and truststore when an AlterConfigs sets their
// keys on the broker (certificate rotation without a restart). Connections already
// established keep the config they were made with; new ones get the current one.
type Reloadable struct {
	cur atomic.Pointer[tls.Config]
}

// NewReloadable starts with tc.
func NewReloadable(tc *tls.Config) *Reloadable {
	r := &Reloadable{}
	r.cur.Store(tc)
	return r
}

// Store makes tc the config of new connections.
func (r *Reloadable) Store(tc *tls.Config) { r.cur.Store(tc) }

// Current is the config new connections get.
func (r *Reloadable) Current() *tls.Config { return r.cur.Load() }

// ServerConfig is the config to listen with: it hands each handshake the current one.
func (r *Reloadable) ServerConfig() *tls.Config {
	return &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return r.cur.Load(), nil }}
}
