package config

import "strings"

// The authorizer.class.name values kbridge serves. Kafka runs AclAuthorizer on
// ZooKeeper-mode brokers and StandardAuthorizer on KRaft nodes; their matching rules
// are the same, and a kbridge broker keeps its setting through the in-place migration
// switch, so either name turns on the one authorizer in either mode.
const (
	AuthorizerStandard = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
	AuthorizerACL      = "kafka.security.authorizer.AclAuthorizer"
)

// decodeAuthorizer reads the authorizer keys; super.users is a ";"-separated list
// of principals, as Kafka splits it.
func decodeAuthorizer(d *decoder, c *Config) {
	c.AuthorizerClassName = strings.TrimSpace(d.str("authorizer.class.name"))
	for _, p := range strings.Split(d.str("super.users"), ";") {
		if p = strings.TrimSpace(p); p != "" {
			c.SuperUsers = append(c.SuperUsers, p)
		}
	}
	c.AllowEveryoneIfNoACLFound = d.bool("allow.everyone.if.no.acl.found")
}

// AuthorizerEnabled tells whether requests are checked against ACLs.
func (c *Config) AuthorizerEnabled() bool { return c.AuthorizerClassName != "" }
