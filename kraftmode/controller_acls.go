package kraftmode

import (
	"context"
	"maps"
	"slices"

	"github.com/kbridge/kbridge/metadata"
)

// CreateACLs stores ACL bindings as Kafka's AclControlManager.createAcls does: each
// binding is validated alone (INVALID_REQUEST fails only it), one already in the image
// or earlier in the request succeeds without a record, and every new one becomes an
// AccessControlEntryRecord under a random id no ACL has. The records of one request
// are one batch; a failed append fails every binding that was to be written.
func (c *Controller) CreateACLs(_ context.Context, acls []metadata.ACLBinding) []error {
	errs := make([]error, len(acls))
	if err := c.lockGatedWriter(); err != nil {
		fillErrs(errs, err)
		return errs
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	existing := make(map[metadata.ACLBinding]bool, len(img.ACLs))
	for _, a := range img.ACLs {
		existing[a.Binding()] = true
	}
	taken := map[metadata.Uuid]bool{}
	var recs []metadata.Record
	var written []int
	for i, b := range acls {
		if err := b.Validate(); err != nil {
			errs[i] = err
			continue
		}
		if existing[b] {
			continue
		}
		existing[b] = true
		id := metadata.RandomUuid()
		for img.ACLs[id] != nil || taken[id] {
			id = metadata.RandomUuid()
		}
		taken[id] = true
		recs = append(recs, b.Record(id))
		written = append(written, i)
	}
	if _, err := c.appendLocked(recs); err != nil {
		for _, i := range written {
			errs[i] = err
		}
	}
	return errs
}

// DeleteACLs removes ACLs as AclControlManager.deleteAcls does: each filter is
// validated alone and lists every ACL it matches, even one an earlier filter of the
// request matched too; each matched ACL gets one RemoveAccessControlEntryRecord, and
// the records of all filters are one batch, so the request takes effect whole or, when
// the append fails, not at all (every filter then fails with its error).
func (c *Controller) DeleteACLs(_ context.Context, filters []metadata.ACLFilter) []metadata.DeleteACLsResult {
	results := make([]metadata.DeleteACLsResult, len(filters))
	if err := c.lockGatedWriter(); err != nil {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	ids := slices.SortedFunc(maps.Keys(img.ACLs), func(a, b metadata.Uuid) int { return slices.Compare(a[:], b[:]) })
	removed := map[metadata.Uuid]bool{}
	var recs []metadata.Record
	for i, f := range filters {
		if err := f.Validate(); err != nil {
			results[i].Err = err
			continue
		}
		for _, id := range ids {
			b := img.ACLs[id].Binding()
			if !f.Matches(b) {
				continue
			}
			results[i].Deleted = append(results[i].Deleted, b)
			if !removed[id] {
				removed[id] = true
				recs = append(recs, &metadata.RemoveAccessControlEntryRecord{ID: id})
			}
		}
	}
	if _, err := c.appendLocked(recs); err != nil {
		for i := range results {
			if results[i].Err == nil {
				results[i] = metadata.DeleteACLsResult{Err: err}
			}
		}
	}
	return results
}

// fillErrs sets every entry of errs to err: a request refused as a whole.
func fillErrs(errs []error, err error) {
	for i := range errs {
		errs[i] = err
	}
}
