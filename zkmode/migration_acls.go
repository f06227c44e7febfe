package zkmode

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// planACLs plans UpdateAcl and DeleteAcl for every resource pattern whose ACLs differ
// (ZkAclMigrationClient): its resource znode gets next's entries, or is removed when
// none are left, and a change event in the pattern type's change store tells
// ZooKeeper brokers' authorizers to reload it. ACLs are compared as bindings, without
// their ids: ZooKeeper stores none, and a KRaft image's ids are not those LoadImage
// derives.
func (p *changePlanner) planACLs() error {
	prev, next := aclsByPattern(p.prev), aclsByPattern(p.next)
	patterns := slices.Collect(maps.Keys(prev))
	for rp := range next {
		if _, ok := prev[rp]; !ok {
			patterns = append(patterns, rp)
		}
	}
	slices.SortFunc(patterns, func(a, b znode.ResourcePattern) int {
		return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.PatternType, b.PatternType), cmp.Compare(a.Name, b.Name))
	})
	for _, rp := range patterns {
		entries := next[rp]
		if slices.Equal(prev[rp], entries) {
			continue
		}
		path, err := znode.ACLResourcePath(rp)
		if err != nil {
			return fmt.Errorf("ACLs of %q: %w", rp.Name, err)
		}
		change, err := znode.EncodeACLChange(rp)
		if err != nil {
			return fmt.Errorf("ACLs of %s: %w", path, err)
		}
		changes := znode.LiteralACLChangesPath
		if rp.PatternType != znode.PatternTypeLiteral {
			changes = znode.ExtendedACLChangesPath
		}
		var op *migrationOp
		if len(entries) == 0 {
			op = newOp(opDeleteACL, path)
			op.remove(path)
		} else {
			data, err := znode.EncodeACLs(entries)
			if err != nil {
				return fmt.Errorf("ACLs of %s: %w", path, err)
			}
			op = newOp(opUpdateACL, path)
			op.upsert(path, data)
		}
		op.notify(changes, znode.ACLChangePrefix, change)
		p.add(op)
	}
	return nil
}

// aclsByPattern groups img's ACLs by resource pattern, each pattern's entries without
// repeats and in the order LoadTree reads them.
func aclsByPattern(img *metadata.Image) map[znode.ResourcePattern][]znode.ACLEntry {
	out := map[znode.ResourcePattern][]znode.ACLEntry{}
	for _, a := range img.ACLs {
		rp := znode.ResourcePattern{ResourceType: a.ResourceType, Name: a.ResourceName, PatternType: a.PatternType}
		out[rp] = append(out[rp], znode.ACLEntry{Principal: a.Principal, Host: a.Host, Operation: a.Operation, PermissionType: a.PermissionType})
	}
	for rp, entries := range out {
		slices.SortFunc(entries, func(a, b znode.ACLEntry) int {
			return cmp.Or(cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Host, b.Host),
				cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.PermissionType, b.PermissionType))
		})
		out[rp] = slices.Compact(entries)
	}
	return out
}
