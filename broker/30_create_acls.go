package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// CreateAcls: v0-3
//
// Behavior:
// * Stores each ACL through the metadata source: as AccessControlEntryRecords in
//   KRaft mode, as /kafka-acl znodes with a change notification in ZooKeeper mode.
//   An ACL that exists already is not stored twice.
// * Authorization: Alter on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every
//   creation; SECURITY_DISABLED without an authorizer.
// * INVALID_REQUEST for what Kafka refuses to store (metadata.ACLBinding.Validate).
// Version notes:
// * v1: resource pattern types (KIP-290); v0 creates literal ACLs
// * v2: flexible
// * v3: the USER resource type (KIP-373)

func init() { regKey(30, 0, 3, handleCreateACLs) }

func handleCreateACLs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.CreateACLsRequest)
	resp := req.ResponseKind().(*kmsg.CreateACLsResponse)
	img := b.Image()
	refusal := c.aclAPIRefusal(img, metadata.ACLOperationAlter)
	results := make([]kmsg.CreateACLsResponseResult, len(req.Creations))
	var valid []metadata.ACLBinding
	var at []int
	for i, cr := range req.Creations {
		results[i] = kmsg.NewCreateACLsResponseResult()
		if refusal != nil {
			results[i].ErrorCode = refusal.Code
			continue
		}
		acl := metadata.ACLBindingFromCreation(cr)
		acl.PatternType = aclPatternOf(req.Version, cr.ResourcePatternType)
		if err := acl.Validate(); err != nil {
			setCreateACLError(&results[i], err)
			continue
		}
		valid, at = append(valid, acl), append(at, i)
	}
	if len(valid) > 0 {
		ctx, cancel := requestContext(0)
		defer cancel()
		for j, err := range b.Source().CreateACLs(ctx, valid) {
			if err != nil {
				setCreateACLError(&results[at[j]], err)
			}
		}
	}
	resp.Results = results
	return resp, nil
}

func setCreateACLError(r *kmsg.CreateACLsResponseResult, err error) {
	msg := err.Error()
	r.ErrorCode, r.ErrorMessage = errorCode(err), &msg
}
