package znode

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// ACL znodes (ZkData ZkAclStore, ResourceZNode; server AclEntry). One znode per
// resource pattern holds that pattern's entries:
//
//	/kafka-acl/Topic/orders => {"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}
//
// Changes are announced with a sequential znode per pattern: literal patterns under
// /kafka-acl-changes as the text "TOPIC:orders", the others under
// /kafka-acl-extended-changes as {"version":1,"resourceType":"TOPIC","name":"payments-","patternType":"PREFIXED"}.

// ACLEntry is one access control entry of a resource znode.
type ACLEntry struct {
	// Principal is "<type>:<name>", e.g. "User:alice" or "User:*".
	Principal string
	// Host is an address or "*" for every host.
	Host           string
	Operation      int8
	PermissionType int8
}

// ResourcePattern is what a resource znode's entries apply to.
type ResourcePattern struct {
	ResourceType int8
	Name         string
	PatternType  int8
}

// EncodeACLs returns a resource znode's data. The field order is Kafka's up to 3.6
// (Scala's AclEntry, small ordered maps); 3.7+ writes the same fields in hash order.
func EncodeACLs(entries []ACLEntry) ([]byte, error) {
	acls := []byte{'['}
	for i, e := range entries {
		perm, err := enumByCode(aclPermissions, "permission type", e.PermissionType)
		if err != nil {
			return nil, fmt.Errorf("encode ACL %d: %w", i, err)
		}
		op, err := enumByCode(aclOperations, "operation", e.Operation)
		if err != nil {
			return nil, fmt.Errorf("encode ACL %d: %w", i, err)
		}
		if i > 0 {
			acls = append(acls, ',')
		}
		acls = append(acls, newJSONWriter().
			string("principal", e.Principal).
			string("permissionType", perm.pascal).
			string("operation", op.pascal).
			string("host", e.Host).
			bytes()...)
	}
	acls = append(acls, ']')
	return newJSONWriter().int("version", 1).raw("acls", acls).bytes(), nil
}

// DecodeACLs reads a resource znode. Empty data is no ACLs, as AclEntry.fromBytes
// has it. Kafka keeps the entries in a set, so a repeated entry is returned once.
// Operation and permission names are matched as SecurityUtils does ("Read", "READ");
// the filter values Any and Unknown are rejected, since no stored ACL may hold them.
func DecodeACLs(data []byte) ([]ACLEntry, error) {
	if len(data) == 0 {
		return nil, nil
	}
	obj, err := parseJSONObject(data)
	if err != nil {
		return nil, err
	}
	if _, err := obj.version(1); err != nil {
		return nil, err
	}
	items, err := obj.array("acls")
	if err != nil {
		return nil, err
	}
	var out []ACLEntry
	seen := map[ACLEntry]bool{}
	for i, raw := range items {
		e, err := decodeACLEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("acls[%d]: %w", i, err)
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func decodeACLEntry(raw []byte) (ACLEntry, error) {
	item, err := jsonObjectValue(raw)
	if err != nil {
		return ACLEntry{}, err
	}
	var e ACLEntry
	if e.Principal, err = item.string("principal"); err != nil {
		return ACLEntry{}, err
	}
	// SecurityUtils.parseKafkaPrincipal: "<type>:<name>", split at the first ':'.
	if !strings.Contains(e.Principal, ":") {
		return ACLEntry{}, fmt.Errorf("principal %q is not of the form type:name", e.Principal)
	}
	if e.Host, err = item.string("host"); err != nil {
		return ACLEntry{}, err
	}
	perm, err := item.string("permissionType")
	if err != nil {
		return ACLEntry{}, err
	}
	if e.PermissionType, err = enumByPascal(aclPermissions, "permission type", perm); err != nil {
		return ACLEntry{}, err
	}
	op, err := item.string("operation")
	if err != nil {
		return ACLEntry{}, err
	}
	if e.Operation, err = enumByPascal(aclOperations, "operation", op); err != nil {
		return ACLEntry{}, err
	}
	return e, nil
}

// EncodeACLChange returns the data of the change event announcing that p's ACLs
// changed, for LiteralACLChangesPath or ExtendedACLChangesPath by p's pattern type.
// Kafka 2.4+ writes the resource type as its Java constant name ("TOPIC"), because it
// formats the Java enum; older brokers wrote "Topic", which DecodeLiteralACLChange and
// DecodeExtendedACLChange also accept.
func EncodeACLChange(p ResourcePattern) ([]byte, error) {
	rt, err := enumByCode(resourceTypes, "resource type", p.ResourceType)
	if err != nil {
		return nil, err
	}
	switch p.PatternType {
	case metadata.ACLPatternLiteral:
		return []byte(rt.constant + ":" + p.Name), nil
	case metadata.ACLPatternPrefixed:
		return newJSONWriter().
			int("version", 1).
			string("resourceType", rt.constant).
			string("name", p.Name).
			string("patternType", "PREFIXED").
			bytes(), nil
	}
	return nil, errUnknownCode("pattern type", p.PatternType)
}

// DecodeLiteralACLChange reads a /kafka-acl-changes event: "<ResourceType>:<name>".
func DecodeLiteralACLChange(data []byte) (ResourcePattern, error) {
	rt, name, ok := strings.Cut(string(data), ":")
	if !ok {
		return ResourcePattern{}, fmt.Errorf("ACL change %q is not of the form ResourceType:ResourceName", truncateJSON(data))
	}
	code, err := enumByConstant(resourceTypes, "resource type", rt)
	if err != nil {
		return ResourcePattern{}, err
	}
	return ResourcePattern{ResourceType: code, Name: name, PatternType: metadata.ACLPatternLiteral}, nil
}

// DecodeExtendedACLChange reads a /kafka-acl-extended-changes event (ExtendedAclChangeEvent v1).
func DecodeExtendedACLChange(data []byte) (ResourcePattern, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return ResourcePattern{}, err
	}
	if _, err := obj.version(1); err != nil {
		return ResourcePattern{}, err
	}
	var p ResourcePattern
	rt, err := obj.string("resourceType")
	if err != nil {
		return ResourcePattern{}, err
	}
	if p.ResourceType, err = enumByConstant(resourceTypes, "resource type", rt); err != nil {
		return ResourcePattern{}, err
	}
	if p.Name, err = obj.string("name"); err != nil {
		return ResourcePattern{}, err
	}
	pt, err := obj.string("patternType")
	if err != nil {
		return ResourcePattern{}, err
	}
	if p.PatternType, err = enumByConstant(patternTypes, "pattern type", pt); err != nil {
		return ResourcePattern{}, err
	}
	if p.PatternType == metadata.ACLPatternLiteral {
		return ResourcePattern{}, errors.New("a LITERAL pattern belongs in /kafka-acl-changes, not the extended change store")
	}
	return p, nil
}
