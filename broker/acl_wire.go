package broker

import (
	"cmp"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// The ACL APIs (DescribeAcls, CreateAcls, DeleteAcls) share their refusals: without an
// authorizer there are no ACLs to manage (SECURITY_DISABLED, as Kafka answers without
// authorizer.class.name); reading ACLs needs Describe on the cluster, changing them
// Alter (CLUSTER_AUTHORIZATION_FAILED).

// aclAPIRefusal is the error of an ACL API call the connection may not make, nil
// when it may.
func (c *clientConn) aclAPIRefusal(img *metadata.Image, op int8) *kerr.Error {
	switch {
	case c.b.authz == nil:
		return kerr.SecurityDisabled
	case !c.authorizedCluster(img, op):
		return kerr.ClusterAuthorizationFailed
	}
	return nil
}

// aclPatternOf is a request's pattern type: v0 of the ACL APIs knows only literal
// patterns (prefixed ones came with KIP-290).
func aclPatternOf(version int16, t kmsg.ACLResourcePatternType) int8 {
	if version == 0 {
		return metadata.ACLPatternLiteral
	}
	return int8(t)
}

// sortedByResource orders bindings as Kafka's describe groups them: by resource
// type, pattern type and name, then entry.
func sortedByResource(bs []metadata.ACLBinding) []metadata.ACLBinding {
	slices.SortFunc(bs, func(a, b metadata.ACLBinding) int {
		return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.PatternType, b.PatternType),
			cmp.Compare(a.ResourceName, b.ResourceName), cmp.Compare(a.Principal, b.Principal),
			cmp.Compare(a.Host, b.Host), cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.PermissionType, b.PermissionType))
	})
	return bs
}
