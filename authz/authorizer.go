package authz

import (
	"sync/atomic"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// Authorizer checks actions against the ACLs of the image it is given. A nil
// *Authorizer is a cluster without authorizer.class.name: everything is allowed, as
// in Kafka.
type Authorizer struct {
	superUsers   map[string]bool
	allowIfNoACL bool
	index        atomic.Pointer[imageIndex]
}

// New returns the authorizer cfg configures, nil when authorizer.class.name is empty.
func New(cfg *config.Config) *Authorizer {
	if !cfg.AuthorizerEnabled() {
		return nil
	}
	a := &Authorizer{superUsers: map[string]bool{}, allowIfNoACL: cfg.AllowEveryoneIfNoACLFound}
	for _, u := range cfg.SuperUsers {
		a.superUsers[u] = true
	}
	return a
}

// Session is who asks: the principal ("User:alice", "User:CN=broker-1,O=kb",
// "User:ANONYMOUS" on a connection that authenticated nothing) and the client's IP
// address as ACL hosts name it.
type Session struct {
	Principal string
	Host      string
}

// IsSuperUser tells whether s's principal is in super.users; every check allows a
// super user. Without an authorizer everyone is.
func (a *Authorizer) IsSuperUser(s Session) bool {
	return a == nil || a.superUsers[s.Principal]
}

// Authorize tells whether s may perform op on the resource of type rt named name
// (StandardAuthorizerData.authorize): super users may; otherwise a matching DENY
// refuses, a matching ALLOW permits, and a resource with no ACLs at all for anyone
// follows allow.everyone.if.no.acl.found.
func (a *Authorizer) Authorize(img *metadata.Image, s Session, op, rt int8, name string) bool {
	if a.IsSuperUser(s) {
		return true
	}
	idx := a.indexOf(img)
	found, allowed, denied := false, false, false
	visit := func(acl *metadata.AccessControlEntryRecord) bool {
		found = true
		switch matchEntry(acl, s, op) {
		case metadata.ACLPermissionDeny:
			denied = true
			return false
		case metadata.ACLPermissionAllow:
			allowed = true
		}
		return true
	}
	idx.eachApplying(rt, name, visit)
	switch {
	case denied:
		return false
	case allowed:
		return true
	case found:
		return false
	}
	return a.allowIfNoACL
}

// AuthorizeAny tells whether s may perform op on some resource of type rt
// (Authorizer.authorizeByResourceType): an idempotent producer with Write on any topic
// may have a producer id. A DENY on the wildcard refuses; a literal ALLOW counts
// unless a DENY on the same name or on a prefix of it covers it; a prefixed ALLOW
// counts unless a prefixed DENY on a prefix of it covers it.
func (a *Authorizer) AuthorizeAny(img *metadata.Image, s Session, op, rt int8) bool {
	if a.Authorize(img, s, op, rt, "hardcode") {
		return true
	}
	idx := a.indexOf(img)
	deny := map[int8]map[string]bool{metadata.ACLPatternLiteral: {}, metadata.ACLPatternPrefixed: {}}
	var allows []*metadata.AccessControlEntryRecord
	wildcardAllow := false
	for _, acl := range idx.byType[rt] {
		if !principalMatches(acl, s) || !hostMatches(acl, s) || (acl.Operation != op && acl.Operation != metadata.ACLOperationAll) {
			continue
		}
		wildcard := acl.PatternType == metadata.ACLPatternLiteral && acl.ResourceName == metadata.ACLWildcard
		switch acl.PermissionType {
		case metadata.ACLPermissionDeny:
			if wildcard {
				return false
			}
			if m := deny[acl.PatternType]; m != nil {
				m[acl.ResourceName] = true
			}
		case metadata.ACLPermissionAllow:
			if wildcard {
				wildcardAllow = true
			} else if deny[acl.PatternType] != nil {
				allows = append(allows, acl)
			}
		}
	}
	if wildcardAllow {
		return true
	}
	for _, acl := range allows {
		if acl.PatternType == metadata.ACLPatternLiteral && deny[metadata.ACLPatternLiteral][acl.ResourceName] {
			continue
		}
		dominated := false
		for i := 1; i <= len(acl.ResourceName); i++ {
			if deny[metadata.ACLPatternPrefixed][acl.ResourceName[:i]] {
				dominated = true
				break
			}
		}
		if !dominated {
			return true
		}
	}
	return false
}

// AuthorizedOperations is the bit field Metadata, DescribeCluster and DescribeGroups
// return when asked (AuthHelper.authorizedOperations): bit op set for every operation
// of the resource type s may perform; every one without an authorizer.
func (a *Authorizer) AuthorizedOperations(img *metadata.Image, s Session, rt int8, name string) int32 {
	var bits int32
	for _, op := range supportedOperations[rt] {
		if a == nil || a.Authorize(img, s, op, rt, name) {
			bits |= 1 << op
		}
	}
	return bits
}

// supportedOperations are the operations each resource type has (AclEntry.supportedOperations).
var supportedOperations = map[int8][]int8{
	metadata.ACLResourceTopic: {metadata.ACLOperationRead, metadata.ACLOperationWrite, metadata.ACLOperationCreate,
		metadata.ACLOperationDescribe, metadata.ACLOperationDelete, metadata.ACLOperationAlter,
		metadata.ACLOperationDescribeConfigs, metadata.ACLOperationAlterConfigs},
	metadata.ACLResourceGroup: {metadata.ACLOperationRead, metadata.ACLOperationDescribe, metadata.ACLOperationDelete},
	metadata.ACLResourceCluster: {metadata.ACLOperationCreate, metadata.ACLOperationClusterAction,
		metadata.ACLOperationDescribeConfigs, metadata.ACLOperationAlterConfigs, metadata.ACLOperationIdempotentWrite,
		metadata.ACLOperationAlter, metadata.ACLOperationDescribe},
	metadata.ACLResourceTransactionalID: {metadata.ACLOperationDescribe, metadata.ACLOperationWrite},
	metadata.ACLResourceDelegationToken: {metadata.ACLOperationDescribe},
	metadata.ACLResourceUser:            {metadata.ACLOperationCreateTokens, metadata.ACLOperationDescribeTokens},
}
