// Package authz decides Kafka ACL checks: may this principal, from this host, perform
// this operation on this resource? It serves Kafka's StandardAuthorizer and
// AclAuthorizer (which match ACLs the same way) from the ACLs of a metadata image,
// whichever mode produced it, so a broker's decisions do not change when it moves from
// ZooKeeper to the quorum. docs/security.md lists the checks each API makes.
package authz
