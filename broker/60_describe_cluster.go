package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeCluster: v0-1
//
// Behavior:
// * No authorization is needed; the cluster's authorized operations are returned when
//   asked (0 without Describe on the cluster).
// * The live brokers with their endpoint for the request's listener, the cluster id,
//   and this broker as the controller to send admin requests to (as in Metadata).
// Version notes:
// * v1: endpoint type (1 = brokers; 2 = controllers, which brokers refuse)

func init() { regKey(60, 0, 1, handleDescribeCluster) }

func handleDescribeCluster(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.EndpointType = req.EndpointType
	if req.Version >= 1 && req.EndpointType != 1 {
		resp.ErrorCode = kerr.UnsupportedEndpointType.Code
		msg := "the broker listener only describes brokers"
		resp.ErrorMessage = &msg
		return resp, nil
	}
	img := b.Image()
	resp.ClusterID = img.ClusterID
	resp.ControllerID = b.controllerID()
	resp.ClusterAuthorizedOperations = authorizedOperationsOmitted
	if req.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = 0
		if c.authorizedCluster(img, metadata.ACLOperationDescribe) {
			resp.ClusterAuthorizedOperations = b.authz.AuthorizedOperations(img, c.session(), metadata.ACLResourceCluster, metadata.ClusterResourceName)
		}
	}
	for _, mb := range metadataBrokers(img, c.listener) {
		db := kmsg.NewDescribeClusterResponseBroker()
		db.NodeID = mb.NodeID
		db.Host = mb.Host
		db.Port = mb.Port
		db.Rack = mb.Rack
		resp.Brokers = append(resp.Brokers, db)
	}
	return resp, nil
}
