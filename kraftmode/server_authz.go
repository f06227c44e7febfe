package kraftmode

import (
	"net"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/authz"
	"github.com/kbridge/kbridge/metadata"
)

// The controller listener's authorization (docs/security.md, "Authorization"). Its
// callers are the cluster's own nodes: brokers registering, heartbeating, changing
// ISRs, fetching the metadata log and forwarding the writes their clients made (which
// the broker authorized with the client's principal), and controllers registering.
// Kafka's ControllerApis asks ClusterAction on the cluster of all of them, so a node
// must authenticate as a super user or a principal granted it; DescribeQuorum asks
// Describe on the cluster; ApiVersions, the SASL exchange and DescribeCluster nothing.
// Unlike Kafka's controller, kbridge's does not serve clients' admin requests under
// their own principals (kafka-*.sh --bootstrap-controller): they go to a broker.

// WithAuthorizer makes the server check every request against a's decisions over the
// controller's image; nil (no authorizer.class.name) serves every authenticated
// connection, as Kafka does without an authorizer. It returns s, and is called before
// the server takes connections.
func (s *ControllerServer) WithAuthorizer(a *authz.Authorizer) *ControllerServer {
	s.authz = a
	return s
}

// requiredClusterOperation is the operation on the cluster a request needs, 0 for none.
func requiredClusterOperation(key int16) int8 {
	switch key {
	case apiVersionsKey, 17, 36, 60:
		return 0
	case 55:
		return metadata.ACLOperationDescribe
	}
	return metadata.ACLOperationClusterAction
}

// refusal is the answer to req when the connection's principal may not make it,
// nil when it may.
func (s *ControllerServer) refusal(cc *controllerConn, remote net.Addr, req kmsg.Request) kmsg.Response {
	op := requiredClusterOperation(req.Key())
	if s.authz == nil || op == 0 {
		return nil
	}
	host, _, _ := net.SplitHostPort(remote.String())
	principal := cc.principal()
	if principal == "" {
		principal = "User:ANONYMOUS"
	}
	session := authz.Session{Principal: principal, Host: host}
	if s.authz.Authorize(s.c.Image(), session, op, metadata.ACLResourceCluster, metadata.ClusterResourceName) {
		return nil
	}
	s.log.Warn("refusing a request on the controller listener: its principal may not act on the cluster; nodes must authenticate as super users",
		"api", kmsg.NameForKey(req.Key()), "principal", principal, "remote", remote.String())
	return clusterAuthorizationFailed(req)
}

// clusterAuthorizationFailed is req's answer with CLUSTER_AUTHORIZATION_FAILED where
// the API carries errors: the response's own error code, or each entry's for the
// forwarded writes whose errors are per topic, resource, ACL or user.
func clusterAuthorizationFailed(req kmsg.Request) kmsg.Response {
	code := kerr.ClusterAuthorizationFailed.Code
	switch r := req.(type) {
	case *kmsg.CreateTopicsRequest:
		resp := r.ResponseKind().(*kmsg.CreateTopicsResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewCreateTopicsResponseTopic()
			rt.Topic, rt.ErrorCode, rt.NumPartitions, rt.ReplicationFactor = t.Topic, code, -1, -1
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *kmsg.DeleteTopicsRequest:
		resp := r.ResponseKind().(*kmsg.DeleteTopicsResponse)
		for _, name := range r.TopicNames {
			rt := kmsg.NewDeleteTopicsResponseTopic()
			rt.Topic, rt.ErrorCode = kmsg.StringPtr(name), code
			resp.Topics = append(resp.Topics, rt)
		}
		for _, t := range r.Topics {
			rt := kmsg.NewDeleteTopicsResponseTopic()
			rt.Topic, rt.TopicID, rt.ErrorCode = t.Topic, t.TopicID, code
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *kmsg.CreatePartitionsRequest:
		resp := r.ResponseKind().(*kmsg.CreatePartitionsResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewCreatePartitionsResponseTopic()
			rt.Topic, rt.ErrorCode = t.Topic, code
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *kmsg.AlterConfigsRequest:
		resp := r.ResponseKind().(*kmsg.AlterConfigsResponse)
		for _, res := range r.Resources {
			rr := kmsg.NewAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName, rr.ErrorCode = res.ResourceType, res.ResourceName, code
			resp.Resources = append(resp.Resources, rr)
		}
		return resp
	case *kmsg.IncrementalAlterConfigsRequest:
		resp := r.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
		for _, res := range r.Resources {
			rr := kmsg.NewIncrementalAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName, rr.ErrorCode = res.ResourceType, res.ResourceName, code
			resp.Resources = append(resp.Resources, rr)
		}
		return resp
	case *kmsg.CreateACLsRequest:
		resp := r.ResponseKind().(*kmsg.CreateACLsResponse)
		for range r.Creations {
			rr := kmsg.NewCreateACLsResponseResult()
			rr.ErrorCode = code
			resp.Results = append(resp.Results, rr)
		}
		return resp
	case *kmsg.DeleteACLsRequest:
		resp := r.ResponseKind().(*kmsg.DeleteACLsResponse)
		for range r.Filters {
			rr := kmsg.NewDeleteACLsResponseResult()
			rr.ErrorCode = code
			resp.Results = append(resp.Results, rr)
		}
		return resp
	case *kmsg.AlterUserSCRAMCredentialsRequest:
		resp := r.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
		users := map[string]bool{}
		for _, d := range r.Deletions {
			users[d.Name] = true
		}
		for _, u := range r.Upsertions {
			users[u.Name] = true
		}
		for user := range users {
			rr := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
			rr.User, rr.ErrorCode = user, code
			resp.Results = append(resp.Results, rr)
		}
		return resp
	case *kmsg.DescribeQuorumRequest:
		resp := r.ResponseKind().(*kmsg.DescribeQuorumResponse)
		resp.ErrorCode = code
		return resp
	}
	return topLevelRefusal(req, code)
}

// topLevelRefusal answers the node-to-controller APIs, whose responses carry one
// error code for the request.
func topLevelRefusal(req kmsg.Request, code int16) kmsg.Response {
	resp := req.ResponseKind()
	switch r := resp.(type) {
	case *kmsg.ElectLeadersResponse:
		r.ErrorCode = code
	case *kmsg.FetchResponse:
		r.ErrorCode = code
	case *kmsg.FetchSnapshotResponse:
		r.ErrorCode = code
	case *kmsg.BrokerRegistrationResponse:
		r.ErrorCode = code
	case *kmsg.BrokerHeartbeatResponse:
		r.ErrorCode = code
	case *kmsg.UnregisterBrokerResponse:
		r.ErrorCode = code
	case *kmsg.AllocateProducerIDsResponse:
		r.ErrorCode = code
	case *kmsg.AlterPartitionResponse:
		r.ErrorCode = code
	case *kmsg.ControllerRegistrationResponse:
		r.ErrorCode = code
	}
	return resp
}
