package kraftbroker

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// CreateACLs forwards to the active controller and waits until this broker's image
// holds what it stored.
func (s *BrokerSource) CreateACLs(ctx context.Context, acls []metadata.ACLBinding) []error {
	req := kmsg.NewPtrCreateACLsRequest()
	for _, b := range acls {
		req.Creations = append(req.Creations, b.Creation())
	}
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return forwardFailed(len(acls), metadata.Errorf(kerr.RequestTimedOut, "%v", err))
	}
	resp := kresp.(*kmsg.CreateACLsResponse)
	if len(resp.Results) != len(acls) {
		return forwardFailed(len(acls), metadata.Errorf(kerr.UnknownServerError, "the controller answered %d of %d ACL creations", len(resp.Results), len(acls)))
	}
	errs := make([]error, len(acls))
	for i, r := range resp.Results {
		errs[i] = remoteErr(r.ErrorCode, r.ErrorMessage)
	}
	s.waitFresh(ctx)
	return errs
}

// DeleteACLs forwards to the active controller and waits until this broker's image
// no longer holds what it removed.
func (s *BrokerSource) DeleteACLs(ctx context.Context, filters []metadata.ACLFilter) []metadata.DeleteACLsResult {
	req := kmsg.NewPtrDeleteACLsRequest()
	for _, f := range filters {
		req.Filters = append(req.Filters, f.DeletionFilter())
	}
	results := make([]metadata.DeleteACLsResult, len(filters))
	fail := func(err error) []metadata.DeleteACLsResult {
		for i := range results {
			results[i].Err = err
		}
		return results
	}
	kresp, err := s.rpcCh.Request(ctx, req)
	if err != nil {
		return fail(metadata.Errorf(kerr.RequestTimedOut, "%v", err))
	}
	resp := kresp.(*kmsg.DeleteACLsResponse)
	if len(resp.Results) != len(filters) {
		return fail(metadata.Errorf(kerr.UnknownServerError, "the controller answered %d of %d ACL filters", len(resp.Results), len(filters)))
	}
	for i, r := range resp.Results {
		if results[i].Err = remoteErr(r.ErrorCode, r.ErrorMessage); results[i].Err != nil {
			continue
		}
		for _, m := range r.MatchingACLs {
			results[i].Deleted = append(results[i].Deleted, metadata.ACLBindingFromMatch(m))
		}
	}
	s.waitFresh(ctx)
	return results
}

// AlterScramCredentials forwards the changes, with the keys the broker derived
// (metadata.ScramForwardRequest), to the active controller, which answers per user;
// each change gets its user's outcome. It waits until this broker's image holds the
// changes, so the user can log in here as soon as it returns.
func (s *BrokerSource) AlterScramCredentials(ctx context.Context, changes []metadata.ScramChange) []error {
	kresp, err := s.rpcCh.Request(ctx, metadata.ScramForwardRequest(changes))
	if err != nil {
		return forwardFailed(len(changes), metadata.Errorf(kerr.RequestTimedOut, "%v", err))
	}
	byUser := map[string]error{}
	for _, r := range kresp.(*kmsg.AlterUserSCRAMCredentialsResponse).Results {
		byUser[r.User] = remoteErr(r.ErrorCode, r.ErrorMessage)
	}
	errs := make([]error, len(changes))
	for i, ch := range changes {
		err, ok := byUser[ch.Name]
		if !ok {
			err = metadata.Errorf(kerr.UnknownServerError, "the controller did not answer for user %s", ch.Name)
		}
		errs[i] = err
	}
	s.waitFresh(ctx)
	return errs
}

// forwardFailed is the outcome of n forwarded items when the request as a whole failed.
func forwardFailed(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}
