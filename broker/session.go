package broker

import (
	"context"
	"crypto/tls"
	"fmt"
	"iter"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/tlsconf"
)

// anonymousPrincipal is the principal of a connection that authenticated nothing
// (KafkaPrincipal.ANONYMOUS): a PLAINTEXT listener's, or a TLS one's without a client
// certificate.
const anonymousPrincipal = "User:ANONYMOUS"

// tlsHandshakeTimeout bounds a client's TLS handshake before its first request.
const tlsHandshakeTimeout = 10 * time.Second

// identify completes a TLS connection's handshake and names its principal from the
// client certificate (ssl.principal.mapping.rules) before any request is read, as
// Kafka's SslTransportLayer does; a certificate no rule maps fails the connection.
// Other connections start as User:ANONYMOUS; a SASL listener's principal comes from
// its authentication instead.
func (c *clientConn) identify() error {
	c.tlsPrincipal = anonymousPrincipal
	if host, _, err := net.SplitHostPort(c.conn.RemoteAddr().String()); err == nil {
		c.host = host
	}
	tc, ok := c.conn.(*tls.Conn)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), tlsHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	p, err := tlsconf.Principal(c.b.cfg.ListenerSSL(c.listener), tc.ConnectionState())
	if err != nil {
		return fmt.Errorf("TLS client certificate: %w", err)
	}
	c.tlsPrincipal = p
	return nil
}

// session is who the connection's requests act as: the SASL principal on a SASL
// listener, else the TLS one (User:ANONYMOUS without a certificate).
func (c *clientConn) session() authz.Session {
	p := c.tlsPrincipal
	if c.sasl != nil && c.sasl.principal != "" {
		p = c.sasl.principal
	}
	return authz.Session{Principal: p, Host: c.host}
}

// authorized tells whether the connection may perform op on the resource; always,
// without an authorizer.
func (c *clientConn) authorized(img *metadata.Image, op, rt int8, name string) bool {
	return c.b.authz.Authorize(img, c.session(), op, rt, name)
}

// authorizedCluster tells whether the connection may perform op on the cluster.
func (c *clientConn) authorizedCluster(img *metadata.Image, op int8) bool {
	return c.authorized(img, op, metadata.ACLResourceCluster, metadata.ClusterResourceName)
}

// topicGrants is which of a request's topics the connection may act on: all of them
// (no authorizer, or a grant on the cluster that covers every topic), or those named.
type topicGrants struct {
	all   bool
	named map[string]bool
}

// allows tells whether the grants cover topic name.
func (g topicGrants) allows(name string) bool { return g.all || g.named[name] }

// authorizedTopics returns which of names the connection may perform op on, each
// name checked once however often a request repeats it; without an authorizer,
// all of them, with nothing looked up.
func (c *clientConn) authorizedTopics(img *metadata.Image, op int8, names iter.Seq[string]) topicGrants {
	if c.b.authz == nil {
		return topicGrants{all: true}
	}
	named := map[string]bool{}
	for name := range names {
		if _, seen := named[name]; !seen {
			named[name] = c.authorized(img, op, metadata.ACLResourceTopic, name)
		}
	}
	return topicGrants{named: named}
}

// namesOf lists the names of a request's items, for authorizedTopics.
func namesOf[T any](items []T, name func(*T) string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range items {
			if !yield(name(&items[i])) {
				return
			}
		}
	}
}

// authorizeConfigResource is the check of DescribeConfigs (op DescribeConfigs) and
// AlterConfigs/IncrementalAlterConfigs (op AlterConfigs) on one resource
// (ConfigHelper, ConfigAdminManager): a topic's own ACLs, the cluster's for a broker
// or a broker logger (and any other type), a group's for a group (KIP-848's group
// configs, which are not served, but not disclosed either). The refusal is the resource type's authorization error.
func (c *clientConn) authorizeConfigResource(img *metadata.Image, op, typ int8, name string) error {
	switch typ {
	case metadata.ConfigResourceTopic:
		if !c.authorized(img, op, metadata.ACLResourceTopic, name) {
			return kerr.TopicAuthorizationFailed
		}
	case configResourceGroup:
		if !c.authorized(img, op, metadata.ACLResourceGroup, name) {
			return kerr.GroupAuthorizationFailed
		}
	default:
		if !c.authorizedCluster(img, op) {
			return kerr.ClusterAuthorizationFailed
		}
	}
	return nil
}

// configResourceGroup is ConfigResource.Type.GROUP.
const configResourceGroup = 32
