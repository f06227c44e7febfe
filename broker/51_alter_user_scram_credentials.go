package broker

import (
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// AlterUserScramCredentials: v0
//
// Behavior:
// * Authorization: Alter on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every
//   user named.
// * Checked as KRaft's ScramControlManager checks it (metadata.CheckScramAlteration):
//   an empty user name or iterations outside 4096-16384 are UNACCEPTABLE_CREDENTIAL,
//   an unknown mechanism UNSUPPORTED_SASL_MECHANISM, a user named twice (upserted and
//   deleted, or two mechanisms) DUPLICATE_RESOURCE.
// * The stored and server keys are derived here from the client's salted password
//   (ScramFormatter's HMAC and hash), so nothing that could log in reaches the
//   metadata; the metadata source stores the credentials (the metadata log, or
//   /config/users in ZooKeeper mode) and returns once this broker's image holds them,
//   so a new user can log in over SCRAM here at once. A deletion of a credential that
//   does not exist is RESOURCE_NOT_FOUND.
// * One result per user named, in the order the request first names them.

func init() { regKey(51, 0, 0, handleAlterUserScramCredentials) }

// brokerScramKeys derives an upsertion's keys from the client's salted password.
var brokerScramKeys = metadata.SaltedScramKeys(saslserver.ScramKeys)

func handleAlterUserScramCredentials(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AlterUserSCRAMCredentialsRequest)
	resp := req.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
	if !c.authorizedCluster(b.Image(), metadata.ACLOperationAlter) {
		users := map[string]bool{}
		for _, d := range req.Deletions {
			users[d.Name] = true
		}
		for _, u := range req.Upsertions {
			users[u.Name] = true
		}
		for _, user := range slices.Sorted(maps.Keys(users)) {
			r := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
			r.User, r.ErrorCode = user, kerr.ClusterAuthorizationFailed.Code
			resp.Results = append(resp.Results, r)
		}
		return resp, nil
	}
	alt := metadata.CheckScramAlteration(req, brokerScramKeys)
	var errs []error
	if len(alt.Changes) > 0 {
		ctx, cancel := requestContext(0)
		defer cancel()
		errs = b.Source().AlterScramCredentials(ctx, alt.Changes)
	}
	resp.Results = alt.Results(errs, errorCode)
	return resp, nil
}
