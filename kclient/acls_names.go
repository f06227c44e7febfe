package kclient

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// aclClusterName is the one cluster resource's name (Resource.CLUSTER_NAME).
const aclClusterName = "kafka-cluster"

// aclWildcardHost is AclEntry.WILDCARD_HOST, the host of an ACL given no
// --allow-host or --deny-host.
const aclWildcardHost = "*"

// aclOperationsByCode are AclOperation's values in their code order, from
// UNKNOWN (0) to DESCRIBE_TOKENS (14), so names are looked up as Kafka's
// SecurityUtils does over AclOperation.values().
var aclOperationsByCode = []kmsg.ACLOperation{
	kmsg.ACLOperationUnknown, kmsg.ACLOperationAny, kmsg.ACLOperationAll, kmsg.ACLOperationRead,
	kmsg.ACLOperationWrite, kmsg.ACLOperationCreate, kmsg.ACLOperationDelete, kmsg.ACLOperationAlter,
	kmsg.ACLOperationDescribe, kmsg.ACLOperationClusterAction, kmsg.ACLOperationDescribeConfigs,
	kmsg.ACLOperationAlterConfigs, kmsg.ACLOperationIdempotentWrite, kmsg.ACLOperationCreateTokens,
	kmsg.ACLOperationDescribeTokens,
}

// aclSupportedOperations is AclEntry.supportedOperations: what an ACL on each
// resource type may allow or deny, besides All.
var aclSupportedOperations = map[kmsg.ACLResourceType][]kmsg.ACLOperation{
	kmsg.ACLResourceTypeTopic: {kmsg.ACLOperationRead, kmsg.ACLOperationWrite, kmsg.ACLOperationCreate, kmsg.ACLOperationDelete,
		kmsg.ACLOperationAlter, kmsg.ACLOperationDescribe, kmsg.ACLOperationDescribeConfigs, kmsg.ACLOperationAlterConfigs},
	kmsg.ACLResourceTypeGroup: {kmsg.ACLOperationRead, kmsg.ACLOperationDelete, kmsg.ACLOperationDescribe},
	kmsg.ACLResourceTypeCluster: {kmsg.ACLOperationCreate, kmsg.ACLOperationAlter, kmsg.ACLOperationDescribe, kmsg.ACLOperationClusterAction,
		kmsg.ACLOperationDescribeConfigs, kmsg.ACLOperationAlterConfigs, kmsg.ACLOperationIdempotentWrite},
	kmsg.ACLResourceTypeTransactionalId: {kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe},
	kmsg.ACLResourceTypeDelegationToken: {kmsg.ACLOperationDescribe},
	kmsg.ACLResourceTypeUser:            {kmsg.ACLOperationCreateTokens, kmsg.ACLOperationDescribeTokens},
}

// pascalCase is SecurityUtils.toPascalCase: the name --operation takes and
// Kafka's messages print for an enum constant (IDEMPOTENT_WRITE is
// IdempotentWrite).
func pascalCase(enumName string) string {
	var b strings.Builder
	capitalize := true
	for _, r := range enumName {
		switch {
		case r == '_':
			capitalize = true
		case capitalize:
			b.WriteString(strings.ToUpper(string(r)))
			capitalize = false
		default:
			b.WriteString(strings.ToLower(string(r)))
		}
	}
	return b.String()
}

// parseACLOperation is SecurityUtils.operation: the Pascal-case name, or any
// spelling that upper-cases to it (READ, read, idempotentwrite); anything
// else is UNKNOWN, which no resource type supports.
func parseACLOperation(name string) kmsg.ACLOperation {
	for _, op := range aclOperationsByCode {
		if p := pascalCase(op.String()); name == p || strings.ToUpper(name) == strings.ToUpper(p) {
			return op
		}
	}
	return kmsg.ACLOperationUnknown
}

// parsePatternType reads --resource-pattern-type as Kafka's
// PatternTypeConverter does: an enum name in any case, UNKNOWN refused.
func parsePatternType(name string) (kmsg.ACLResourcePatternType, bool) {
	for _, p := range []kmsg.ACLResourcePatternType{kmsg.ACLResourcePatternTypeAny, kmsg.ACLResourcePatternTypeMatch,
		kmsg.ACLResourcePatternTypeLiteral, kmsg.ACLResourcePatternTypePrefixed} {
		if strings.EqualFold(name, p.String()) {
			return p, true
		}
	}
	return kmsg.ACLResourcePatternTypeUnknown, false
}

// aclResource is a resource pattern, or a pattern filter when its pattern
// type is ANY or MATCH (Kafka's ResourcePattern and ResourcePatternFilter).
type aclResource struct {
	Type    kmsg.ACLResourceType
	Name    string
	Pattern kmsg.ACLResourcePatternType
}

// String is ResourcePattern.toString (ResourcePatternFilter's prints the
// same), which AclCommand's messages quote.
func (r aclResource) String() string {
	return "ResourcePattern(resourceType=" + r.Type.String() + ", name=" + r.Name + ", patternType=" + r.Pattern.String() + ")"
}

// aclEntry is an AccessControlEntry: who may or may not do what from where.
type aclEntry struct {
	Principal  string
	Host       string
	Operation  kmsg.ACLOperation
	Permission kmsg.ACLPermissionType
}

// String is AccessControlEntryData.toString, AclCommand's line for an ACL.
func (e aclEntry) String() string {
	return "(principal=" + e.Principal + ", host=" + e.Host + ", operation=" + e.Operation.String() +
		", permissionType=" + e.Permission.String() + ")"
}
