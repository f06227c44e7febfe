package znode

import (
	"fmt"
	"strings"
)

// ACL enum codes as Kafka numbers them in AccessControlEntryRecord (ResourceType,
// PatternType, AclOperation, AclPermissionType). UNKNOWN, ANY and MATCH are filters,
// never stored, so they have no constant here.
const (
	ResourceTypeTopic           int8 = 2
	ResourceTypeGroup           int8 = 3
	ResourceTypeCluster         int8 = 4
	ResourceTypeTransactionalID int8 = 5
	ResourceTypeDelegationToken int8 = 6
	ResourceTypeUser            int8 = 7

	PatternTypeLiteral  int8 = 3
	PatternTypePrefixed int8 = 4

	ACLOperationAll             int8 = 2
	ACLOperationRead            int8 = 3
	ACLOperationWrite           int8 = 4
	ACLOperationCreate          int8 = 5
	ACLOperationDelete          int8 = 6
	ACLOperationAlter           int8 = 7
	ACLOperationDescribe        int8 = 8
	ACLOperationClusterAction   int8 = 9
	ACLOperationDescribeConfigs int8 = 10
	ACLOperationAlterConfigs    int8 = 11
	ACLOperationIdempotentWrite int8 = 12
	ACLOperationCreateTokens    int8 = 13
	ACLOperationDescribeTokens  int8 = 14

	ACLPermissionDeny  int8 = 2
	ACLPermissionAllow int8 = 3
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
		{ResourceTypeTopic, "TOPIC", "Topic"},
		{ResourceTypeGroup, "GROUP", "Group"},
		{ResourceTypeCluster, "CLUSTER", "Cluster"},
		{ResourceTypeTransactionalID, "TRANSACTIONAL_ID", "TransactionalId"},
		{ResourceTypeDelegationToken, "DELEGATION_TOKEN", "DelegationToken"},
		{ResourceTypeUser, "USER", "User"},
	}
	patternTypes = []aclEnum{
		{PatternTypeLiteral, "LITERAL", "Literal"},
		{PatternTypePrefixed, "PREFIXED", "Prefixed"},
	}
	aclOperations = []aclEnum{
		{ACLOperationAll, "ALL", "All"},
		{ACLOperationRead, "READ", "Read"},
		{ACLOperationWrite, "WRITE", "Write"},
		{ACLOperationCreate, "CREATE", "Create"},
		{ACLOperationDelete, "DELETE", "Delete"},
		{ACLOperationAlter, "ALTER", "Alter"},
		{ACLOperationDescribe, "DESCRIBE", "Describe"},
		{ACLOperationClusterAction, "CLUSTER_ACTION", "ClusterAction"},
		{ACLOperationDescribeConfigs, "DESCRIBE_CONFIGS", "DescribeConfigs"},
		{ACLOperationAlterConfigs, "ALTER_CONFIGS", "AlterConfigs"},
		{ACLOperationIdempotentWrite, "IDEMPOTENT_WRITE", "IdempotentWrite"},
		{ACLOperationCreateTokens, "CREATE_TOKENS", "CreateTokens"},
		{ACLOperationDescribeTokens, "DESCRIBE_TOKENS", "DescribeTokens"},
	}
	aclPermissions = []aclEnum{
		{ACLPermissionDeny, "DENY", "Deny"},
		{ACLPermissionAllow, "ALLOW", "Allow"},
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
