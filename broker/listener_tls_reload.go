package broker

import (
	"crypto/tls"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/tlsconf"
)

// Certificate rotation as Kafka allows it (its docs, "Updating SSL Keystore of an
// Existing Listener"): a per-broker AlterConfigs of a listener's keystore or truststore
// keys (listener.name.<l>.ssl.keystore.location, ssl.truststore.*, ssl.key.password,
// or their unprefixed forms) is checked by loading the new stores — a store that does
// not load is INVALID_CONFIG and nothing changes — and once stored, re-reads them for
// the listener's new connections, even when the path is the same and only the file
// was replaced. A broker also applies such configs when its image shows them (set
// before a restart, say).

// WithListenerTLS hands the broker its TLS listeners' configs to reload, and applies
// the dynamic TLS configs its image already holds. It returns b, and is called before
// the listeners serve.
func (b *Broker) WithListenerTLS(listeners map[string]*tlsconf.Reloadable) *Broker {
	b.tlsMu.Lock()
	b.listenerTLS = listeners
	b.tlsMu.Unlock()
	b.applyDynamicTLS(b.Image())
	return b
}

// isReloadableTLSKey tells the keys whose change re-reads a listener's stores.
func isReloadableTLSKey(key string) bool {
	if rest, ok := strings.CutPrefix(key, "listener.name."); ok {
		if _, k, found := strings.Cut(rest, "."); found {
			key = k
		}
	}
	return strings.HasPrefix(key, "ssl.keystore.") || strings.HasPrefix(key, "ssl.truststore.") || key == "ssl.key.password"
}

// dynamicTLS is the TLS keys of a broker's dynamic config set.
func dynamicTLS(configs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range configs {
		if isReloadableTLSKey(k) {
			out[k] = v
		}
	}
	return out
}

// listenerTLSConfigs builds the config of every TLS listener from the file's settings
// under dynamic; the first that fails is the error, with the key and the source.
func (b *Broker) listenerTLSConfigs(dynamic map[string]string) (map[string]*tls.Config, error) {
	b.tlsMu.Lock()
	names := make([]string, 0, len(b.listenerTLS))
	for name := range b.listenerTLS {
		names = append(names, name)
	}
	b.tlsMu.Unlock()
	out := map[string]*tls.Config{}
	for _, name := range names {
		tc, err := tlsconf.ServerConfig(b.cfg.ListenerSSLWith(name, dynamic))
		if err != nil {
			return nil, fmt.Errorf("listener %s: %w", name, err)
		}
		out[name] = tc
	}
	return out, nil
}

// storeListenerTLS makes configs the TLS listeners' configs for new connections and
// remembers dynamic as applied.
func (b *Broker) storeListenerTLS(configs map[string]*tls.Config, dynamic map[string]string) {
	b.tlsMu.Lock()
	defer b.tlsMu.Unlock()
	for name, tc := range configs {
		if r := b.listenerTLS[name]; r != nil {
			r.Store(tc)
		}
	}
	b.appliedTLS = dynamic
	b.log.Info("reloaded the TLS listeners' keystores and truststores", "listeners", len(configs))
}

// applyDynamicTLS reloads the TLS listeners when img's dynamic TLS configs of this
// broker differ from those applied; a store that does not load is logged and the
// listeners keep their config.
func (b *Broker) applyDynamicTLS(img *metadata.Image) {
	if img == nil {
		return
	}
	b.tlsMu.Lock()
	none := len(b.listenerTLS) == 0
	applied := b.appliedTLS
	b.tlsMu.Unlock()
	dynamic := dynamicTLS(img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: strconv.Itoa(int(b.id))}])
	if none || maps.Equal(dynamic, applied) {
		return
	}
	configs, err := b.listenerTLSConfigs(dynamic)
	if err != nil {
		b.log.Error("keeping the TLS listeners' stores: the dynamic TLS configs do not load", "err", err)
		return
	}
	b.storeListenerTLS(configs, dynamic)
}

// prepareTLSReload checks a broker resource's changes that touch TLS stores and
// returns what to call once they are stored (nil when they touch none); a change that
// sets another security setting is refused (isStaticSecurityKey). As in Kafka,
// they are per-broker configs (INVALID_REQUEST at the cluster default, or for another
// broker than the one asked) whose new stores must load (INVALID_CONFIG).
func (b *Broker) prepareTLSReload(res metadata.ConfigResource, changes []metadata.ConfigChange, incremental bool) (func(), error) {
	touches := false
	for _, ch := range changes {
		touches = touches || isReloadableTLSKey(ch.Name)
		if ch.Value != nil && isStaticSecurityKey(ch.Name) {
			return nil, metadata.Errorf(kerr.InvalidConfig, "%s: kbridge does not apply this security setting dynamically (only a listener's keystore and truststore); set it in server.properties", ch.Name)
		}
	}
	if !touches {
		return nil, nil
	}
	switch res.Name {
	case "":
		return nil, metadata.Errorf(kerr.InvalidRequest, "cannot update TLS keystore and truststore configs at the default cluster level; name the broker")
	case strconv.Itoa(int(b.id)):
	default:
		return nil, metadata.Errorf(kerr.InvalidRequest, "unexpected broker id: expected %d but received %s (send a broker's TLS configs to that broker)", b.id, res.Name)
	}
	next, err := metadata.AlteredConfigs(b.Image().Configs[res], changes, incremental)
	if err != nil {
		return nil, err
	}
	dynamic := dynamicTLS(next)
	configs, err := b.listenerTLSConfigs(dynamic)
	if err != nil {
		return nil, metadata.Errorf(kerr.InvalidConfig, "%v", err)
	}
	return func() { b.storeListenerTLS(configs, dynamic) }, nil
}

// isStaticSecurityKey tells the security settings a broker reads only from its file:
// stored as a dynamic config they would be ignored, so setting one is refused (fail
// closed) where Kafka would apply some of them at once (SASL JAAS configs, client
// authentication, cipher suites, super users).
func isStaticSecurityKey(key string) bool {
	if isReloadableTLSKey(key) {
		return false
	}
	if rest, ok := strings.CutPrefix(key, "listener.name."); ok {
		if _, k, found := strings.Cut(rest, "."); found {
			key = k
		}
	}
	if _, k, found := strings.Cut(key, "."); found && (k == "sasl.jaas.config" || k == "connections.max.reauth.ms") {
		return true
	}
	switch key {
	case "super.users", "authorizer.class.name", "allow.everyone.if.no.acl.found", "principal.builder.class",
		"connections.max.reauth.ms", "security.inter.broker.protocol", "listener.security.protocol.map":
		return true
	}
	return strings.HasPrefix(key, "ssl.") || strings.HasPrefix(key, "sasl.")
}
