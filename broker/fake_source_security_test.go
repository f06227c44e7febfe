package broker

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// CreateACLs stores every valid binding that is not stored yet.
func (s *fakeSource) CreateACLs(_ context.Context, acls []metadata.ACLBinding) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(acls))
	for i, b := range acls {
		if errs[i] = b.Validate(); errs[i] != nil {
			continue
		}
		stored := false
		for _, a := range s.img.ACLs {
			stored = stored || a.Binding() == b
		}
		if !stored {
			errs[i] = s.applyLocked(b.Record(metadata.RandomUuid()))
		}
	}
	return errs
}

// DeleteACLs removes what each valid filter matches.
func (s *fakeSource) DeleteACLs(_ context.Context, filters []metadata.ACLFilter) []metadata.DeleteACLsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]metadata.DeleteACLsResult, len(filters))
	for i, f := range filters {
		if results[i].Err = f.Validate(); results[i].Err != nil {
			continue
		}
		for id, a := range s.img.ACLs {
			if f.Matches(a.Binding()) {
				results[i].Deleted = append(results[i].Deleted, a.Binding())
				results[i].Err = s.applyLocked(&metadata.RemoveAccessControlEntryRecord{ID: id})
			}
		}
	}
	return results
}

// AlterScramCredentials stores each valid credential and deletes each stored one it
// is asked to.
func (s *fakeSource) AlterScramCredentials(_ context.Context, changes []metadata.ScramChange) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(changes))
	for i, ch := range changes {
		switch {
		case ch.Validate() != nil:
			errs[i] = ch.Validate()
		case ch.Credential != nil:
			errs[i] = s.applyLocked(ch.Record())
		case s.img.Scram[metadata.ScramKey{Name: ch.Name, Mechanism: ch.Mechanism}] == nil:
			errs[i] = kerr.ResourceNotFound
		default:
			errs[i] = s.applyLocked(&metadata.RemoveUserScramCredentialRecord{Name: ch.Name, Mechanism: ch.Mechanism})
		}
	}
	return errs
}
