package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeAcls: v0-3
//
// Behavior:
// * Lists the ACLs of the metadata image that the filter matches
//   (metadata.ACLFilter: ANY, MATCH, null strings), grouped by resource pattern.
// * Authorization: Describe on the cluster, else CLUSTER_AUTHORIZATION_FAILED;
//   SECURITY_DISABLED without an authorizer.
// * A filter with an UNKNOWN value is INVALID_REQUEST.
// Version notes:
// * v1: resource pattern types (KIP-290); v0 filters and lists literal patterns only
// * v2: flexible
// * v3: the USER resource type (KIP-373); nothing else changes

func init() { regKey(29, 0, 3, handleDescribeACLs) }

func handleDescribeACLs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeACLsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeACLsResponse)
	img := b.Image()
	if err := c.aclAPIRefusal(img, metadata.ACLOperationDescribe); err != nil {
		resp.ErrorCode = err.Code
		return resp, nil
	}
	filter := metadata.ACLFilter{
		ResourceType: int8(req.ResourceType), ResourceName: req.ResourceName,
		PatternType: aclPatternOf(req.Version, req.ResourcePatternType),
		Principal:   req.Principal, Host: req.Host,
		Operation: int8(req.Operation), PermissionType: int8(req.PermissionType),
	}
	if err := filter.Validate(); err != nil {
		resp.ErrorCode = errorCode(err)
		msg := err.Error()
		resp.ErrorMessage = &msg
		return resp, nil
	}
	var found []metadata.ACLBinding
	for _, acl := range img.ACLs {
		if b := acl.Binding(); filter.Matches(b) {
			found = append(found, b)
		}
	}
	for _, acl := range sortedByResource(found) {
		n := len(resp.Resources)
		if n == 0 || resp.Resources[n-1].ResourceType != kmsg.ACLResourceType(acl.ResourceType) ||
			resp.Resources[n-1].ResourceName != acl.ResourceName ||
			resp.Resources[n-1].ResourcePatternType != kmsg.ACLResourcePatternType(acl.PatternType) {
			r := kmsg.NewDescribeACLsResponseResource()
			r.ResourceType = kmsg.ACLResourceType(acl.ResourceType)
			r.ResourceName = acl.ResourceName
			r.ResourcePatternType = kmsg.ACLResourcePatternType(acl.PatternType)
			resp.Resources = append(resp.Resources, r)
			n++
		}
		e := kmsg.NewDescribeACLsResponseResourceACL()
		e.Principal, e.Host = acl.Principal, acl.Host
		e.Operation, e.PermissionType = kmsg.ACLOperation(acl.Operation), kmsg.ACLPermissionType(acl.PermissionType)
		resp.Resources[n-1].ACLs = append(resp.Resources[n-1].ACLs, e)
	}
	return resp, nil
}
