package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// CreateAcls: v0-3, DeleteAcls: v0-3, AlterUserScramCredentials: v0
//
// Behavior:
// * The security writes a broker forwards to the active controller (and an admin
//   client may send directly), mapped onto the controller's metadata.Source methods,
//   so validation and errors are the controller's, as in Kafka.
// * AlterUserScramCredentials is checked as ScramControlManager checks it
//   (metadata.CheckScramAlteration) and answered per user. An upsertion a kbridge
//   broker forwarded carries its keys (metadata.ForwardedScramKeys); a client's own
//   has them derived from its salted password.
// Version notes:
// * CreateAcls and DeleteAcls v1: pattern types (v0 is LITERAL); v2: flexible.

func init() {
	serve(30, 0, 3, handleCreateACLs)
	serve(31, 0, 3, handleDeleteACLs)
	serve(51, 0, 0, handleAlterUserScramCredentials)
}

func handleCreateACLs(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreateACLsRequest)
	resp := req.ResponseKind().(*kmsg.CreateACLsResponse)
	acls := make([]metadata.ACLBinding, len(req.Creations))
	for i, c := range req.Creations {
		acls[i] = metadata.ACLBindingFromCreation(c)
	}
	for _, err := range s.c.CreateACLs(ctx, acls) {
		r := kmsg.NewCreateACLsResponseResult()
		r.ErrorCode, r.ErrorMessage = errorCode(err), errorMessage(err)
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}

func handleDeleteACLs(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DeleteACLsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteACLsResponse)
	filters := make([]metadata.ACLFilter, len(req.Filters))
	for i, f := range req.Filters {
		filters[i] = metadata.ACLFilterFromDeletion(f)
	}
	for _, r := range s.c.DeleteACLs(ctx, filters) {
		resp.Results = append(resp.Results, r.ResponseResult(errorCode))
	}
	return resp, nil
}

// clientScramKeys derives the keys of a client's own upsertion.
var clientScramKeys = metadata.SaltedScramKeys(saslserver.ScramKeys)

// controllerScramKeys takes the keys a kbridge broker forwarded, or derives those of a
// client's own upsertion from its salted password (ScramControlManager.finishUpsertion).
func controllerScramKeys(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) ([]byte, []byte, error) {
	if stored, server, ok := metadata.ForwardedScramKeys(u); ok {
		return stored, server, nil
	}
	return clientScramKeys(u)
}

func handleAlterUserScramCredentials(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AlterUserSCRAMCredentialsRequest)
	resp := req.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
	alt := metadata.CheckScramAlteration(req, controllerScramKeys)
	resp.Results = alt.Results(s.c.AlterScramCredentials(ctx, alt.Changes), errorCode)
	return resp, nil
}
