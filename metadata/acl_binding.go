package metadata

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// ACL enum codes as Kafka's protocol and records number them (AclOperation,
// ResourceType, PatternType, AclPermissionType).
const (
	ACLResourceAny             int8 = 1
	ACLResourceTopic           int8 = 2
	ACLResourceGroup           int8 = 3
	ACLResourceCluster         int8 = 4
	ACLResourceTransactionalID int8 = 5
	ACLResourceDelegationToken int8 = 6
	ACLResourceUser            int8 = 7

	ACLPatternAny      int8 = 1
	ACLPatternMatch    int8 = 2
	ACLPatternLiteral  int8 = 3
	ACLPatternPrefixed int8 = 4

	ACLOperationAny             int8 = 1
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

	ACLPermissionAny   int8 = 1
	ACLPermissionDeny  int8 = 2
	ACLPermissionAllow int8 = 3
)

// ACLWildcard is the resource name, host, and principal name that match every one.
const ACLWildcard = "*"

// ClusterResourceName is the only name the CLUSTER resource has.
const ClusterResourceName = "kafka-cluster"

// ACLBinding is one ACL as clients create it: a resource pattern and an entry, without
// the id the metadata log gives it.
type ACLBinding struct {
	ResourceType   int8
	ResourceName   string
	PatternType    int8
	Principal      string
	Host           string
	Operation      int8
	PermissionType int8
}

// Binding is the ACL r stores.
func (r *AccessControlEntryRecord) Binding() ACLBinding {
	return ACLBinding{
		ResourceType: r.ResourceType, ResourceName: r.ResourceName, PatternType: r.PatternType,
		Principal: r.Principal, Host: r.Host, Operation: r.Operation, PermissionType: r.PermissionType,
	}
}

// Record is the AccessControlEntryRecord that stores b under id.
func (b ACLBinding) Record(id Uuid) *AccessControlEntryRecord {
	return &AccessControlEntryRecord{
		ID: id, ResourceType: b.ResourceType, ResourceName: b.ResourceName, PatternType: b.PatternType,
		Principal: b.Principal, Host: b.Host, Operation: b.Operation, PermissionType: b.PermissionType,
	}
}

// Validate refuses what Kafka refuses to store (AclApis.handleCreateAcls and
// AclControlManager.validateNewAcl): filter-only values (ANY, MATCH, UNKNOWN), an empty
// resource name, a CLUSTER resource not named kafka-cluster, a principal that is not
// "Type:name". Errors are INVALID_REQUEST.
func (b ACLBinding) Validate() error {
	switch {
	case b.ResourceType < ACLResourceTopic || b.ResourceType > ACLResourceUser:
		return Errorf(kerr.InvalidRequest, "invalid resource type %d", b.ResourceType)
	case b.PatternType != ACLPatternLiteral && b.PatternType != ACLPatternPrefixed:
		return Errorf(kerr.InvalidRequest, "invalid pattern type %d", b.PatternType)
	case b.Operation < ACLOperationAll || b.Operation > ACLOperationDescribeTokens:
		return Errorf(kerr.InvalidRequest, "invalid operation %d", b.Operation)
	case b.PermissionType != ACLPermissionDeny && b.PermissionType != ACLPermissionAllow:
		return Errorf(kerr.InvalidRequest, "invalid permission type %d", b.PermissionType)
	case b.ResourceName == "":
		return Errorf(kerr.InvalidRequest, "invalid empty resource name")
	case b.ResourceType == ACLResourceCluster && b.ResourceName != ClusterResourceName:
		return Errorf(kerr.InvalidRequest, "the only valid name for the CLUSTER resource is %s", ClusterResourceName)
	case b.Host == "":
		return Errorf(kerr.InvalidRequest, "invalid empty host")
	}
	if typ, name, ok := strings.Cut(b.Principal, ":"); !ok || typ == "" || name == "" {
		return Errorf(kerr.InvalidRequest, "invalid principal %q: want Type:name, such as User:alice", b.Principal)
	}
	return nil
}

// ACLFilter selects ACLs as DescribeAcls and DeleteAcls do (AclBindingFilter): ANY
// matches every value of an enum; nil strings match every value; pattern type MATCH
// selects every pattern that applies to the named resource (its literal name, the
// literal wildcard, and every prefix of it).
type ACLFilter struct {
	ResourceType   int8
	ResourceName   *string
	PatternType    int8
	Principal      *string
	Host           *string
	Operation      int8
	PermissionType int8
}

// Validate refuses a filter with an UNKNOWN value (AclControlManager.validateFilter).
func (f ACLFilter) Validate() error {
	if f.ResourceType <= 0 || f.PatternType <= 0 || f.Operation <= 0 || f.PermissionType <= 0 {
		return Errorf(kerr.InvalidRequest, "the filter has an unknown resource type, pattern type, operation or permission type")
	}
	return nil
}

// Matches tells whether the filter selects b (ResourcePatternFilter.matches and
// AccessControlEntryFilter.matches).
func (f ACLFilter) Matches(b ACLBinding) bool {
	if !f.MatchesPattern(b.ResourceType, b.ResourceName, b.PatternType) {
		return false
	}
	if f.Principal != nil && *f.Principal != b.Principal {
		return false
	}
	if f.Host != nil && *f.Host != b.Host {
		return false
	}
	if f.Operation != ACLOperationAny && f.Operation != b.Operation {
		return false
	}
	return f.PermissionType == ACLPermissionAny || f.PermissionType == b.PermissionType
}

// MatchesPattern tells whether the filter's resource part selects a resource pattern
// whatever its entries (ResourcePatternFilter.matches): how ZooKeeper mode finds the
// resource znodes whose ACLs a DeleteAcls may remove.
func (f ACLFilter) MatchesPattern(resourceType int8, name string, patternType int8) bool {
	if f.ResourceType != ACLResourceAny && f.ResourceType != resourceType {
		return false
	}
	if f.PatternType != ACLPatternAny && f.PatternType != ACLPatternMatch && f.PatternType != patternType {
		return false
	}
	if f.ResourceName == nil {
		return true
	}
	if f.PatternType != ACLPatternMatch {
		return *f.ResourceName == name
	}
	switch patternType {
	case ACLPatternLiteral:
		return *f.ResourceName == name || name == ACLWildcard
	case ACLPatternPrefixed:
		return strings.HasPrefix(*f.ResourceName, name)
	}
	return false
}

// SinglePattern is the one resource pattern the filter can match, when it names one
// exactly (ResourcePatternFilter.matchesAtMostOne: a resource type, a name, and a
// LITERAL or PREFIXED pattern type).
func (f ACLFilter) SinglePattern() (resourceType int8, name string, patternType int8, ok bool) {
	if f.ResourceType == ACLResourceAny || f.ResourceName == nil ||
		(f.PatternType != ACLPatternLiteral && f.PatternType != ACLPatternPrefixed) {
		return 0, "", 0, false
	}
	return f.ResourceType, *f.ResourceName, f.PatternType, true
}

// DeleteACLsResult is the outcome of one ACLFilter of a DeleteAcls: the ACLs it
// removed, or the error that kept it from removing any.
type DeleteACLsResult struct {
	Deleted []ACLBinding
	Err     error
}
