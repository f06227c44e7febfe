package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// FindCoordinator: v0-6
//
// Behavior:
// * A group's coordinator is the leader of partition
//   abs(javaHashCode(group)) % offsets.topic.num.partitions of __consumer_offsets.
// * __consumer_offsets is created on the first request, as Kafka does; while fewer
//   brokers are alive than offsets.topic.replication.factor, or the partition has no
//   leader yet, the answer is COORDINATOR_NOT_AVAILABLE and the client retries.
// * Authorization: Describe on the group (GROUP_AUTHORIZATION_FAILED) or on the
//   transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
// * A transactional id's coordinator (key type 1) is the leader of partition
//   abs(javaHashCode(id)) % transaction.state.log.num.partitions of
//   __transaction_state, created on the first request as __consumer_offsets is
//   (transaction.state.log.replication.factor).
// * Share coordinators (key type 2, KIP-932) are INVALID_REQUEST below v6 and
//   COORDINATOR_NOT_AVAILABLE from v6, as Kafka 3.9 answers them (share groups are not
//   implemented there either).
// Version notes:
// * v1: key type, error message
// * v3: flexible
// * v4: batched keys (KIP-699)
// * v5: the client handles TRANSACTION_ABORTABLE (KIP-890); nothing else changes
// * v6: share coordinator key type (KIP-932)

func init() { regKey(10, 0, 6, handleFindCoordinator) }

func handleFindCoordinator(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.FindCoordinatorRequest)
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	keys := req.CoordinatorKeys
	if req.Version < 4 {
		keys = []string{req.CoordinatorKey}
	}
	for _, key := range keys {
		rc := b.findCoordinator(c, key, req.CoordinatorType, req.Version)
		if req.Version < 4 {
			resp.ErrorCode, resp.ErrorMessage = rc.ErrorCode, rc.ErrorMessage
			resp.NodeID, resp.Host, resp.Port = rc.NodeID, rc.Host, rc.Port
			break
		}
		resp.Coordinators = append(resp.Coordinators, rc)
	}
	return resp, nil
}

func (b *Broker) findCoordinator(c *clientConn, key string, keyType int8, version int16) kmsg.FindCoordinatorResponseCoordinator {
	rc := kmsg.NewFindCoordinatorResponseCoordinator()
	rc.Key, rc.NodeID = key, -1
	fail := func(err *kerr.Error, msg string) kmsg.FindCoordinatorResponseCoordinator {
		rc.ErrorCode, rc.ErrorMessage = err.Code, &msg
		return rc
	}
	img := b.Image()
	switch {
	case keyType == 0 && !c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceGroup, key):
		return fail(kerr.GroupAuthorizationFailed, "not authorized to describe the group")
	case keyType == 1 && !c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTransactionalID, key):
		return fail(kerr.TransactionalIDAuthorizationFailed, "not authorized to describe the transactional id")
	case keyType == 2 && version < 6:
		return fail(kerr.InvalidRequest, "share coordinators need FindCoordinator v6")
	case keyType == 2:
		return fail(kerr.CoordinatorNotAvailable, "share groups are not supported")
	case keyType != 0 && keyType != 1:
		return fail(kerr.InvalidRequest, "unknown coordinator key type")
	case keyType == 0 && key == "":
		return fail(kerr.InvalidRequest, "empty group id")
	}
	find := b.findGroupCoordinator
	if keyType == 1 {
		find = b.findTxnCoordinator
	}
	node, ep, cerr := find(key, c.listener)
	if cerr != nil {
		return fail(cerr.err, cerr.msg)
	}
	rc.NodeID, rc.Host, rc.Port = node, ep.Host, int32(ep.Port)
	return rc
}
