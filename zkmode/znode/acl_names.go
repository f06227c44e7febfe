package znode

import (
	"fmt"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// aclEnum is one enum value: its Java constant name (ResourceType.TOPIC.name()) and
// the PascalCase name SecurityUtils derives from it, which ACL znodes and their paths use.
type aclEnum struct {
	code     int8
	constant string
	pascal   string
}

var (
	resourceTypes = []aclEnum{
		{metadata.ACLResourceTopic, "TOPIC", "Topic"},
		{metadata.ACLResourceGroup, "GROUP", "Group"},
		{metadata.ACLResourceCluster, "CLUSTER", "Cluster"},
		{metadata.ACLResourceTransactionalID, "TRANSACTIONAL_ID", "TransactionalId"},
		{metadata.ACLResourceDelegationToken, "DELEGATION_TOKEN", "DelegationToken"},
		{metadata.ACLResourceUser, "USER", "User"},
	}
	patternTypes = []aclEnum{
		{metadata.ACLPatternLiteral, "LITERAL", "Literal"},
		{metadata.ACLPatternPrefixed, "PREFIXED", "Prefixed"},
	}
	aclOperations = []aclEnum{
		{metadata.ACLOperationAll, "ALL", "All"},
		{metadata.ACLOperationRead, "READ", "Read"},
		{metadata.ACLOperationWrite, "WRITE", "Write"},
		{metadata.ACLOperationCreate, "CREATE", "Create"},
		{metadata.ACLOperationDelete, "DELETE", "Delete"},
		{metadata.ACLOperationAlter, "ALTER", "Alter"},
		{metadata.ACLOperationDescribe, "DESCRIBE", "Describe"},
		{metadata.ACLOperationClusterAction, "CLUSTER_ACTION", "ClusterAction"},
		{metadata.ACLOperationDescribeConfigs, "DESCRIBE_CONFIGS", "DescribeConfigs"},
		{metadata.ACLOperationAlterConfigs, "ALTER_CONFIGS", "AlterConfigs"},
		{metadata.ACLOperationIdempotentWrite, "IDEMPOTENT_WRITE", "IdempotentWrite"},
		{metadata.ACLOperationCreateTokens, "CREATE_TOKENS", "CreateTokens"},
		{metadata.ACLOperationDescribeTokens, "DESCRIBE_TOKENS", "DescribeTokens"},
	}
	aclPermissions = []aclEnum{
		{metadata.ACLPermissionDeny, "DENY", "Deny"},
		{metadata.ACLPermissionAllow, "ALLOW", "Allow"},
	}
)

func errUnknownCode(what string, code int8) error {
	return fmt.Errorf("unknown %s code %d", what, code)
}

func enumByCode(enums []aclEnum, what string, code int8) (aclEnum, error) {
	for _, e := range enums {
		if e.code == code {
			return e, nil
		}
	}
	return aclEnum{}, errUnknownCode(what, code)
}

// enumByPascal looks a name up as SecurityUtils.valueFromMap does: the PascalCase name
// itself, or any spelling whose upper case is the upper-cased PascalCase name
// ("READ", "read", "TRANSACTIONALID").
func enumByPascal(enums []aclEnum, what, name string) (int8, error) {
	upper := strings.ToUpper(name)
	for _, e := range enums {
		if name == e.pascal || upper == strings.ToUpper(e.pascal) {
			return e.code, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q", what, name)
}

// enumByConstant looks a name up as the enums' fromString does (valueOf of the upper-cased
// name, "TOPIC", "topic"), and also accepts the PascalCase name that Kafka before 2.4
// wrote in ACL change events ("Topic", "TransactionalId").
func enumByConstant(enums []aclEnum, what, name string) (int8, error) {
	upper := strings.ToUpper(name)
	for _, e := range enums {
		if upper == e.constant || upper == strings.ToUpper(e.pascal) {
			return e.code, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q", what, name)
}

// ResourceTypeName is the PascalCase name of a resource type as ACL paths use it
// (SecurityUtils.resourceTypeName): "Topic", "TransactionalId".
func ResourceTypeName(code int8) (string, error) {
	e, err := enumByCode(resourceTypes, "resource type", code)
	return e.pascal, err
}

// ParseResourceTypeName reads the resource type of an ACL path segment.
func ParseResourceTypeName(name string) (int8, error) {
	return enumByPascal(resourceTypes, "resource type", name)
}
