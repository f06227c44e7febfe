package broker

import (
	"cmp"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeUserScramCredentials: v0
//
// Behavior:
// * Authorization: Describe on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
// * Answered from the metadata image (UserScramCredentialRecords in KRaft mode,
//   /config/users in ZooKeeper mode), as Kafka's ScramImage.describe: per user the
//   mechanisms and iterations of its credentials, never a salt or a key.
// * A null or empty user list describes every user with a credential, by name.
// * Named users are answered once each, in request order: RESOURCE_NOT_FOUND for one
//   without credentials, DUPLICATE_RESOURCE for one named more than once.

func init() { regKey(50, 0, 0, handleDescribeUserScramCredentials) }

func handleDescribeUserScramCredentials(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeUserSCRAMCredentialsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeUserSCRAMCredentialsResponse)
	img := b.Image()
	if !c.authorizedCluster(img, metadata.ACLOperationDescribe) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil
	}
	infos := map[string][]kmsg.DescribeUserSCRAMCredentialsResponseResultCredentialInfo{}
	for _, k := range slices.SortedFunc(maps.Keys(img.Scram), func(a, b metadata.ScramKey) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Mechanism, b.Mechanism))
	}) {
		info := kmsg.NewDescribeUserSCRAMCredentialsResponseResultCredentialInfo()
		info.Mechanism, info.Iterations = k.Mechanism, img.Scram[k].Iterations
		infos[k.Name] = append(infos[k.Name], info)
	}
	if len(req.Users) == 0 {
		for _, user := range slices.Sorted(maps.Keys(infos)) {
			r := kmsg.NewDescribeUserSCRAMCredentialsResponseResult()
			r.User, r.CredentialInfos = user, infos[user]
			resp.Results = append(resp.Results, r)
		}
		return resp, nil
	}
	named := map[string]int{}
	for _, u := range req.Users {
		named[u.Name]++
	}
	for _, u := range req.Users {
		if named[u.Name] == 0 {
			continue
		}
		r := kmsg.NewDescribeUserSCRAMCredentialsResponseResult()
		r.User = u.Name
		var msg string
		switch {
		case named[u.Name] > 1:
			r.ErrorCode, msg = kerr.DuplicateResource.Code, "Cannot describe SCRAM credentials for the same user twice in a single request: "+u.Name
		case len(infos[u.Name]) == 0:
			r.ErrorCode, msg = kerr.ResourceNotFound.Code, "Attempt to describe a user credential that does not exist: "+u.Name
		default:
			r.CredentialInfos = infos[u.Name]
		}
		if msg != "" {
			r.ErrorMessage = &msg
		}
		named[u.Name] = 0
		resp.Results = append(resp.Results, r)
	}
	return resp, nil
}
