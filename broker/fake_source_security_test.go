package broker

import (
	"context"
	"crypto/rand"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func (s *fakeSource) CreateACLs(_ context.Context, acls []metadata.ACLBinding) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(acls))
	for i, b := range acls {
		var id metadata.Uuid
		rand.Read(id[:])
		errs[i] = s.applyLocked(b.Record(id))
	}
	return errs
}

func (s *fakeSource) DeleteACLs(_ context.Context, filters []metadata.ACLFilter) []metadata.DeleteACLsResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]metadata.DeleteACLsResult, len(filters))
	for i, f := range filters {
		for id, acl := range s.img.ACLs {
			if f.Matches(acl.Binding()) {
				out[i].Deleted = append(out[i].Deleted, acl.Binding())
				out[i].Err = s.applyLocked(&metadata.RemoveAccessControlEntryRecord{ID: id})
			}
		}
	}
	return out
}

func (s *fakeSource) AlterScramCredentials(_ context.Context, changes []metadata.ScramChange) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(changes))
	for i, ch := range changes {
		switch {
		case ch.Credential != nil:
			errs[i] = s.applyLocked(ch.Credential)
		case s.img.Scram[metadata.ScramKey{Name: ch.Name, Mechanism: ch.Mechanism}] == nil:
			errs[i] = kerr.ResourceNotFound
		default:
			errs[i] = s.applyLocked(&metadata.RemoveUserScramCredentialRecord{Name: ch.Name, Mechanism: ch.Mechanism})
		}
	}
	return errs
}
