package authz

import "github.com/kbridge/kbridge/metadata"

// wildcardPrincipal matches every principal in an ACL.
const wildcardPrincipal = "User:*"

// matchEntry tells how acl's entry decides op for s: ACLPermissionAllow or
// ACLPermissionDeny when it applies, 0 when it does not (StandardAuthorizerData.findResult).
// An ALLOW of Read, Write, Delete or Alter implies Describe, and one of AlterConfigs
// implies DescribeConfigs; a DENY denies only its own operation (or all).
func matchEntry(acl *metadata.AccessControlEntryRecord, s Session, op int8) int8 {
	if !principalMatches(acl, s) || !hostMatches(acl, s) {
		return 0
	}
	if acl.Operation != metadata.ACLOperationAll {
		if acl.PermissionType == metadata.ACLPermissionAllow {
			switch op {
			case metadata.ACLOperationDescribe:
				if !impliesDescribe[acl.Operation] {
					return 0
				}
			case metadata.ACLOperationDescribeConfigs:
				if acl.Operation != metadata.ACLOperationDescribeConfigs && acl.Operation != metadata.ACLOperationAlterConfigs {
					return 0
				}
			default:
				if acl.Operation != op {
					return 0
				}
			}
		} else if acl.Operation != op {
			return 0
		}
	}
	switch acl.PermissionType {
	case metadata.ACLPermissionAllow, metadata.ACLPermissionDeny:
		return acl.PermissionType
	}
	return 0
}

var impliesDescribe = map[int8]bool{
	metadata.ACLOperationDescribe: true, metadata.ACLOperationRead: true, metadata.ACLOperationWrite: true,
	metadata.ACLOperationDelete: true, metadata.ACLOperationAlter: true,
}

func principalMatches(acl *metadata.AccessControlEntryRecord, s Session) bool {
	return acl.Principal == s.Principal || acl.Principal == wildcardPrincipal
}

func hostMatches(acl *metadata.AccessControlEntryRecord, s Session) bool {
	return acl.Host == metadata.ACLWildcard || acl.Host == s.Host
}
