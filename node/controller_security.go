package node

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/broker"
	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/migrate"
	"github.com/kbridge/kbridge/peerdial"
	"github.com/kbridge/kbridge/saslserver"
	"github.com/kbridge/kbridge/tlsconf"
)

// controllerSecurity is the controller listener's security as this node uses it, built
// before anything listens or dials so that a bad keystore stops the start naming the
// key and the file. A controller serves the listener with it; every node with a
// controller listener name (controllers, KRaft brokers, migrating ZooKeeper brokers)
// dials the controllers with it, as Kafka builds both sides of the controller
// listener from listener.name.<controller>.* over the general keys.
type controllerSecurity struct {
	// server is the listener's TLS config on a controller (nil: plaintext), and
	// settings its ssl.* settings, which name a client certificate's principal.
	server   *tls.Config
	settings tlsconf.Settings
	// mechanisms are the SASL mechanisms a SASL listener enables on a controller (nil:
	// no SASL), the broker listeners' own (broker.ListenerMechanisms) over the
	// controller's credentials.
	mechanisms []saslserver.Mechanism
	// client is how this node connects to the controllers' listeners.
	client kwire.Security
}

// newControllerSecurity reads the first controller listener's settings (the one
// brokers dial, as in Kafka); a node without one (a ZooKeeper-mode broker that does
// not migrate) gets the zero value. credentials is where a controller looks SCRAM
// credentials up, called at each authentication only.
func newControllerSecurity(cfg *config.Config, credentials func() *metadata.Image) (controllerSecurity, error) {
	if len(cfg.ControllerListenerNames) == 0 {
		return controllerSecurity{}, nil
	}
	name := cfg.ControllerListenerNames[0]
	client, err := peerdial.Listener(cfg, name, config.KeyControllerMechanism)
	if err != nil {
		return controllerSecurity{}, fmt.Errorf("controller %w", err)
	}
	sec := controllerSecurity{client: client, settings: cfg.ListenerSSL(name)}
	if !cfg.IsController() {
		return sec, nil
	}
	protocol := cfg.ListenerProtocol(name)
	if protocol == "SSL" || protocol == "SASL_SSL" {
		if sec.server, err = tlsconf.ServerConfig(sec.settings); err != nil {
			return controllerSecurity{}, fmt.Errorf("controller listener %s: %w", name, err)
		}
	}
	if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
		if sec.mechanisms, err = broker.ListenerMechanisms(cfg, name, credentials); err != nil {
			return controllerSecurity{}, fmt.Errorf("controller %w", err)
		}
	}
	return sec, nil
}

// principal is the Kafka principal of a connection accepted on the controller
// listener: the TLS principal of its client certificate (User:ANONYMOUS without one)
// once its handshake is done, "" on a plaintext listener. A certificate that no
// ssl.principal.mapping.rules rule maps is an error, and the connection is closed,
// as Kafka fails such an authentication.
func (s controllerSecurity) principal(conn net.Conn) (string, error) {
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return "", nil
	}
	return tlsconf.Principal(s.settings, tc.ConnectionState())
}

// adminAccess is how the migration admin endpoint, served on this listener,
// authenticates and authorizes: on a SASL listener every request carries HTTP Basic
// credentials, checked against the listener's PLAIN users and SCRAM credentials; with
// an authorizer only super.users are served.
func (s controllerSecurity) adminAccess(cfg *config.Config) migrate.AdminAccess {
	access := migrate.AdminAccess{Authorize: cfg.AuthorizerEnabled(), SuperUsers: cfg.SuperUsers}
	if mechanisms := s.mechanisms; mechanisms != nil {
		access.CheckPassword = func(user, password string) bool {
			return saslserver.CheckPassword(mechanisms, user, password)
		}
	}
	return access
}

// raftAuthorizer is who may speak Raft with this controller
// (kraftmode.StreamOptions.Authorize): with an authorizer, a principal that may
// ClusterAction on the cluster — a super user, as the other voters must be — decided
// over the controller's image (its bootstrap checkpoint's before the log has one), as
// the controller listener's Kafka APIs decide; nil without an authorizer. Raft
// connections are handed over only once the controller exists (acceptController
// starts after it).
func (n *Node) raftAuthorizer() func(principal, host string) bool {
	a := authz.New(n.cfg)
	if a == nil {
		return nil
	}
	return func(principal, host string) bool {
		return a.Authorize(n.credentialImage(), authz.Session{Principal: principal, Host: host},
			metadata.ACLOperationClusterAction, metadata.ACLResourceCluster, metadata.ClusterResourceName)
	}
}
