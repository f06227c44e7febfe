package zkmode

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// CreateACLs stores ACL bindings as Kafka's AclAuthorizer does in ZooKeeper mode: each
// binding is validated alone (INVALID_REQUEST, which in ZooKeeper mode also refuses a
// resource name with a '/', since the name is a znode's), and the valid ones are
// grouped by resource pattern; each pattern's resource znode
// (/kafka-acl/<ResourceType>/<name>, or /kafka-acl-extended/prefixed/...) is read
// fresh, given the union of its entries and the new ones, and written back conditional
// on the version read, with an acl_changes_ event in the pattern type's change store,
// in one fenced multi. A binding already stored succeeds without a write. It returns
// once the image holds the new ACLs.
func (s *Source) CreateACLs(ctx context.Context, acls []metadata.ACLBinding) []error {
	errs := make([]error, len(acls))
	if err := s.checkNotMigrating("CreateAcls"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	byPattern := map[znode.ResourcePattern][]int{}
	var patterns []znode.ResourcePattern
	for i, b := range acls {
		if err := validateZkACL(b); err != nil {
			errs[i] = err
			continue
		}
		rp := znode.ResourcePattern{ResourceType: b.ResourceType, Name: b.ResourceName, PatternType: b.PatternType}
		if _, ok := byPattern[rp]; !ok {
			patterns = append(patterns, rp)
		}
		byPattern[rp] = append(byPattern[rp], i)
	}
	wrote := false
	for _, rp := range patterns {
		indexes := byPattern[rp]
		written, err := s.updateACLs(ctx, rp, func(current []znode.ACLEntry) []znode.ACLEntry {
			for _, i := range indexes {
				current = append(current, aclEntry(acls[i]))
			}
			return current
		})
		wrote = wrote || written
		for _, i := range indexes {
			errs[i] = err
		}
	}
	if wrote {
		s.waitReload(ctx)
	}
	return errs
}

// validateZkACL is ACLBinding.Validate with AclAuthorizer.validateAclBinding's rule
// that a resource name holds no '/'.
func validateZkACL(b metadata.ACLBinding) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if strings.Contains(b.ResourceName, "/") {
		return metadata.Errorf(kerr.InvalidRequest, "Failed to create ACL: ACL binding contains invalid resource name: %s", b.ResourceName)
	}
	return nil
}

// DeleteACLs removes ACLs as Kafka's AclAuthorizer does in ZooKeeper mode. The
// resources looked at are those of the image's ACLs and those a filter names exactly
// (so an ACL another broker just stored is found); each that some valid filter's
// resource part matches is read fresh, the entries any filter matches are taken out,
// and the rest written back as CreateACLs writes (the znode deleted when none remain).
// Each removed ACL is listed under the first filter that matches it. When a resource
// cannot be read or written, every filter whose resource part matches it fails with
// that error (Kafka reports it per ACL, which DeleteACLsResult cannot). An invalid
// filter fails alone. It returns once the image no longer holds the ACLs.
func (s *Source) DeleteACLs(ctx context.Context, filters []metadata.ACLFilter) []metadata.DeleteACLsResult {
	results := make([]metadata.DeleteACLsResult, len(filters))
	if err := s.checkNotMigrating("DeleteAcls"); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	var valid []int
	patterns := map[znode.ResourcePattern]bool{}
	for i, f := range filters {
		if results[i].Err = f.Validate(); results[i].Err != nil {
			continue
		}
		valid = append(valid, i)
		if rt, name, pt, ok := f.SinglePattern(); ok {
			patterns[znode.ResourcePattern{ResourceType: rt, Name: name, PatternType: pt}] = true
		}
	}
	for _, a := range s.Image().ACLs {
		patterns[znode.ResourcePattern{ResourceType: a.ResourceType, Name: a.ResourceName, PatternType: a.PatternType}] = true
	}
	wrote := false
	for _, rp := range slices.SortedFunc(maps.Keys(patterns), compareResourcePatterns) {
		matching := slices.DeleteFunc(slices.Clone(valid), func(i int) bool {
			return !filters[i].MatchesPattern(rp.ResourceType, rp.Name, rp.PatternType)
		})
		if len(matching) == 0 {
			continue
		}
		var removed []removedACL
		written, err := s.updateACLs(ctx, rp, func(current []znode.ACLEntry) []znode.ACLEntry {
			removed = nil
			var keep []znode.ACLEntry
			for _, e := range current {
				b := aclBinding(rp, e)
				if i := slices.IndexFunc(matching, func(i int) bool { return filters[i].Matches(b) }); i >= 0 {
					removed = append(removed, removedACL{filter: matching[i], binding: b})
				} else {
					keep = append(keep, e)
				}
			}
			return keep
		})
		wrote = wrote || written
		if err != nil {
			for _, i := range matching {
				if results[i].Err == nil {
					results[i] = metadata.DeleteACLsResult{Err: err}
				}
			}
			continue
		}
		for _, r := range removed {
			if res := &results[r.filter]; res.Err == nil {
				res.Deleted = append(res.Deleted, r.binding)
			}
		}
	}
	if wrote {
		s.waitReload(ctx)
	}
	return results
}

// removedACL is one ACL a DeleteACLs takes out, and the filter it is listed under.
type removedACL struct {
	filter  int
	binding metadata.ACLBinding
}

// updateACLs gives a resource pattern the entries change makes of its current ones,
// reading its resource znode fresh for each attempt; written reports whether
// anything was written (nothing is when the entries, as a set, stay the same).
func (s *Source) updateACLs(ctx context.Context, rp znode.ResourcePattern, change func([]znode.ACLEntry) []znode.ACLEntry) (bool, error) {
	path, err := znode.ACLResourcePath(rp)
	if err != nil {
		return false, metadata.Errorf(kerr.InvalidRequest, "ACLs of %q: %v", rp.Name, err)
	}
	what := "update the ACLs of " + path
	return retryConditional(what, func() (bool, error) {
		data, stat, err := s.readForWrite(ctx, what, path)
		if err != nil {
			return false, err
		}
		current, err := znode.DecodeACLs(data)
		if err != nil {
			return false, metadata.Errorf(kerr.UnknownServerError, "%s: %v", what, decodeError(path, err))
		}
		current = sortedACLEntries(current)
		next := sortedACLEntries(change(slices.Clone(current)))
		if slices.Equal(current, next) {
			return false, nil
		}
		op, err := aclOp(rp, next)
		if err != nil {
			return false, metadata.Errorf(kerr.UnknownServerError, "%s: %v", what, err)
		}
		if err := s.writeOp(ctx, what, op, path, stat); err != nil {
			return false, err
		}
		return true, nil
	})
}

// aclEntry is the entry of a resource znode that stores b.
func aclEntry(b metadata.ACLBinding) znode.ACLEntry {
	return znode.ACLEntry{Principal: b.Principal, Host: b.Host, Operation: b.Operation, PermissionType: b.PermissionType}
}

// aclBinding is the binding an entry of rp's resource znode stores.
func aclBinding(rp znode.ResourcePattern, e znode.ACLEntry) metadata.ACLBinding {
	return metadata.ACLBinding{
		ResourceType: rp.ResourceType, ResourceName: rp.Name, PatternType: rp.PatternType,
		Principal: e.Principal, Host: e.Host, Operation: e.Operation, PermissionType: e.PermissionType,
	}
}

// compareResourcePatterns orders patterns by resource type, pattern type and name.
func compareResourcePatterns(a, b znode.ResourcePattern) int {
	return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.PatternType, b.PatternType), cmp.Compare(a.Name, b.Name))
}
