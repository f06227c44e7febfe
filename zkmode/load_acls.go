package zkmode

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// aclResource is one resource znode found under an ACL store.
type aclResource struct {
	pattern znode.ResourcePattern
	path    string
}

// loadACLs reads the literal and prefixed ACL stores (ZkAclStore.stores), resources in
// AclAuthorizer.ResourceOrdering (resource type, pattern type, then name descending)
// as Kafka's migration walks them, and each resource's entries in a stable order.
// Every ACL gets the id ACLID derives, since ZooKeeper stores none.
func (t *Tree) loadACLs(ctx context.Context, r TreeReader) error {
	var resources []aclResource
	for _, pt := range []int8{metadata.ACLPatternLiteral, metadata.ACLPatternPrefixed} {
		store, err := znode.ACLStorePath(pt)
		if err != nil {
			return err
		}
		typeNames, err := children(ctx, r, store)
		if err != nil {
			return fmt.Errorf("load ACLs: %w", err)
		}
		for _, typeName := range typeNames {
			typePath := store + "/" + typeName
			rt, err := znode.ParseResourceTypeName(typeName)
			if err != nil {
				return fmt.Errorf("load ACLs: %s: %w", typePath, err)
			}
			names, err := children(ctx, r, typePath)
			if err != nil {
				return fmt.Errorf("load ACLs: %w", err)
			}
			for _, name := range names {
				resources = append(resources, aclResource{
					pattern: znode.ResourcePattern{ResourceType: rt, Name: name, PatternType: pt},
					path:    typePath + "/" + name,
				})
			}
		}
	}
	slices.SortFunc(resources, func(a, b aclResource) int {
		return cmp.Or(
			cmp.Compare(a.pattern.ResourceType, b.pattern.ResourceType),
			cmp.Compare(a.pattern.PatternType, b.pattern.PatternType),
			cmp.Compare(b.pattern.Name, a.pattern.Name),
			cmp.Compare(a.path, b.path),
		)
	})
	paths := make([]string, len(resources))
	for i, res := range resources {
		paths[i] = res.path
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return fmt.Errorf("load ACLs: %w", err)
	}
	seen := map[metadata.Uuid]bool{}
	for i, n := range nodes {
		if n.missing {
			continue
		}
		entries, err := znode.DecodeACLs(n.data)
		if err != nil {
			return decodeError(n.path, err)
		}
		p := resources[i].pattern
		for _, e := range sortedACLEntries(entries) {
			rec := aclBinding(p, e).Record(metadata.Uuid{})
			rec.ID = znode.ACLID(rec)
			// One binding may sit under two spellings of a resource type ("Topic" and
			// "TOPIC" both parse); Kafka's set keeps it once.
			if seen[rec.ID] {
				continue
			}
			seen[rec.ID] = true
			t.acls = append(t.acls, rec)
		}
	}
	return nil
}

// sortedACLEntries is entries in a stable order (principal, host, operation,
// permission) without repeats: the order LoadTree reads a resource's entries in, and
// the one the dual-write and a broker's ACL writes store them in.
func sortedACLEntries(entries []znode.ACLEntry) []znode.ACLEntry {
	slices.SortFunc(entries, func(a, b znode.ACLEntry) int {
		return cmp.Or(cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.PermissionType, b.PermissionType))
	})
	return slices.Compact(entries)
}
