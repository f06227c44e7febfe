package zkmode

import (
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
	slices.SortFunc(patterns, compareResourcePatterns)
	for _, rp := range patterns {
		entries := next[rp]
		if slices.Equal(prev[rp], entries) {
			continue
		}
		op, err := aclOp(rp, entries)
		if err != nil {
			return err
		}
		p.add(op)
	}
	return nil
}

// aclOp is the operation that leaves a resource pattern with entries: its resource
// znode holds them, or is removed when none are left, and a change event in the pattern
// type's change store (ZkAclChangeStore) tells ZooKeeper brokers' authorizers to reload
// it. The dual-write plans one per changed pattern; a ZooKeeper-mode broker's
// CreateACLs and DeleteACLs write one per pattern they change.
func aclOp(rp znode.ResourcePattern, entries []znode.ACLEntry) (*migrationOp, error) {
	path, err := znode.ACLResourcePath(rp)
	if err != nil {
		return nil, fmt.Errorf("ACLs of %q: %w", rp.Name, err)
	}
	change, err := znode.EncodeACLChange(rp)
	if err != nil {
		return nil, fmt.Errorf("ACLs of %s: %w", path, err)
	}
	changes := znode.LiteralACLChangesPath
	if rp.PatternType != metadata.ACLPatternLiteral {
		changes = znode.ExtendedACLChangesPath
	}
	var op *migrationOp
	if len(entries) == 0 {
		op = newOp(opDeleteACL, path)
		op.remove(path)
	} else {
		data, err := znode.EncodeACLs(entries)
		if err != nil {
			return nil, fmt.Errorf("ACLs of %s: %w", path, err)
		}
		op = newOp(opUpdateACL, path)
		op.upsert(path, data)
	}
	op.notify(changes, znode.ACLChangePrefix, change)
	return op, nil
}

// aclsByPattern groups img's ACLs by resource pattern, each pattern's entries without
// repeats and in the order LoadTree reads them.
func aclsByPattern(img *metadata.Image) map[znode.ResourcePattern][]znode.ACLEntry {
	out := map[znode.ResourcePattern][]znode.ACLEntry{}
	for _, a := range img.ACLs {
		rp := znode.ResourcePattern{ResourceType: a.ResourceType, Name: a.ResourceName, PatternType: a.PatternType}
		out[rp] = append(out[rp], aclEntry(a.Binding()))
	}
	for rp, entries := range out {
		out[rp] = sortedACLEntries(entries)
	}
	return out
}
