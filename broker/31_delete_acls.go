package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DeleteAcls: v0-3
//
// Behavior:
// * Removes every ACL each filter matches (metadata.ACLFilter) through the metadata
//   source, and answers each filter with the ACLs it removed.
// * Authorization: Alter on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every
//   filter; SECURITY_DISABLED without an authorizer.
// * A filter with an UNKNOWN value is INVALID_REQUEST.
// Version notes:
// * v1: resource pattern types (KIP-290); v0 filters literal patterns only
// * v2: flexible
// * v3: the USER resource type (KIP-373)

func init() { regKey(31, 0, 3, handleDeleteACLs) }

func handleDeleteACLs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DeleteACLsRequest)
	resp := req.ResponseKind().(*kmsg.DeleteACLsResponse)
	img := b.Image()
	refusal := c.aclAPIRefusal(img, metadata.ACLOperationAlter)
	results := make([]kmsg.DeleteACLsResponseResult, len(req.Filters))
	var filters []metadata.ACLFilter
	var at []int
	for i, f := range req.Filters {
		results[i] = kmsg.NewDeleteACLsResponseResult()
		if refusal != nil {
			results[i].ErrorCode = refusal.Code
			continue
		}
		filter := metadata.ACLFilterFromDeletion(f)
		filter.PatternType = aclPatternOf(req.Version, f.ResourcePatternType)
		if err := filter.Validate(); err != nil {
			results[i] = metadata.DeleteACLsResult{Err: err}.ResponseResult(errorCode)
			continue
		}
		filters, at = append(filters, filter), append(at, i)
	}
	if len(filters) > 0 {
		ctx, cancel := requestContext(0)
		defer cancel()
		for j, res := range b.Source().DeleteACLs(ctx, filters) {
			res.Deleted = sortedByResource(res.Deleted)
			results[at[j]] = res.ResponseResult(errorCode)
		}
	}
	resp.Results = results
	return resp, nil
}
