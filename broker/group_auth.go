package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// The group APIs' authorization, as KafkaApis checks it before the group
// coordinator sees a request: Read on the group to join, sync, heartbeat, leave and
// commit (and Write on the transactional id to commit in a transaction); Describe
// to fetch offsets and describe; Delete to delete groups and offsets; and on topics,
// Read to commit or delete their offsets and Describe to fetch them.
// A refused group's answer carries GROUP_AUTHORIZATION_FAILED; a refused topic's
// partitions TOPIC_AUTHORIZATION_FAILED, and the coordinator never sees them.

// mayGroup tells whether the connection may perform op on group.
func (c *clientConn) mayGroup(img *metadata.Image, op int8, group string) bool {
	return c.authorized(img, op, metadata.ACLResourceGroup, group)
}

// authorizeOffsetCommit returns the request with only the topics the client may
// read, and the response entries of the others; refused is set when the group itself
// is, and then the response entries cover every partition.
func (c *clientConn) authorizeOffsetCommit(img *metadata.Image, req *kmsg.OffsetCommitRequest) (allowed *kmsg.OffsetCommitRequest, denied []kmsg.OffsetCommitResponseTopic, refused bool) {
	code := int16(0)
	if !c.mayGroup(img, metadata.ACLOperationRead, req.Group) {
		code = kerr.GroupAuthorizationFailed.Code
	}
	kept := *req
	kept.Topics, denied = splitReadableTopics(c, img, req.Topics, code,
		func(t *kmsg.OffsetCommitRequestTopic) string { return t.Topic },
		func(rt kmsg.OffsetCommitRequestTopic, code int16) kmsg.OffsetCommitResponseTopic {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, code
				st.Partitions = append(st.Partitions, sp)
			}
			return st
		})
	return &kept, denied, code != 0
}

// authorizeTxnOffsetCommit is authorizeOffsetCommit for TxnOffsetCommit, in
// KafkaApis' order: Write on the transactional id comes first
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition), since the producer
// commits as its transaction, then Read on the group and on each topic.
func (c *clientConn) authorizeTxnOffsetCommit(img *metadata.Image, req *kmsg.TxnOffsetCommitRequest) (allowed *kmsg.TxnOffsetCommitRequest, denied []kmsg.TxnOffsetCommitResponseTopic, refused bool) {
	code := int16(0)
	switch {
	case !c.authorized(img, metadata.ACLOperationWrite, metadata.ACLResourceTransactionalID, req.TransactionalID):
		code = kerr.TransactionalIDAuthorizationFailed.Code
	case !c.mayGroup(img, metadata.ACLOperationRead, req.Group):
		code = kerr.GroupAuthorizationFailed.Code
	}
	kept := *req
	kept.Topics, denied = splitReadableTopics(c, img, req.Topics, code,
		func(t *kmsg.TxnOffsetCommitRequestTopic) string { return t.Topic },
		func(rt kmsg.TxnOffsetCommitRequestTopic, code int16) kmsg.TxnOffsetCommitResponseTopic {
			st := kmsg.NewTxnOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, code
				st.Partitions = append(st.Partitions, sp)
			}
			return st
		})
	return &kept, denied, code != 0
}

// authorizeOffsetDelete is authorizeOffsetCommit's counterpart for OffsetDelete:
// Delete on the group (refused answers with the top-level error), Read on topics.
func (c *clientConn) authorizeOffsetDelete(img *metadata.Image, req *kmsg.OffsetDeleteRequest) (allowed *kmsg.OffsetDeleteRequest, denied []kmsg.OffsetDeleteResponseTopic, refused bool) {
	if !c.mayGroup(img, metadata.ACLOperationDelete, req.Group) {
		return nil, nil, true
	}
	kept := *req
	kept.Topics, denied = splitReadableTopics(c, img, req.Topics, 0,
		func(t *kmsg.OffsetDeleteRequestTopic) string { return t.Topic },
		func(rt kmsg.OffsetDeleteRequestTopic, code int16) kmsg.OffsetDeleteResponseTopic {
			st := kmsg.NewOffsetDeleteResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetDeleteResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, code
				st.Partitions = append(st.Partitions, sp)
			}
			return st
		})
	return &kept, denied, false
}

// splitReadableTopics keeps the topics of a request the connection may Read and
// answers the others' partitions with TOPIC_AUTHORIZATION_FAILED, or every topic's
// with refusedCode when that is not 0 (the group or transactional id was refused).
func splitReadableTopics[T, R any](c *clientConn, img *metadata.Image, topics []T, refusedCode int16, name func(*T) string, refuse func(T, int16) R) (kept []T, denied []R) {
	if refusedCode != 0 {
		for _, t := range topics {
			denied = append(denied, refuse(t, refusedCode))
		}
		return nil, denied
	}
	readable := c.authorizedTopics(img, metadata.ACLOperationRead, namesOf(topics, name))
	for _, t := range topics {
		if readable.allows(name(&t)) {
			kept = append(kept, t)
			continue
		}
		denied = append(denied, refuse(t, kerr.TopicAuthorizationFailed.Code))
	}
	return kept, denied
}

// authorizeDescribeGroups splits the groups into those the client may describe and
// the refusals of the others.
func (c *clientConn) authorizeDescribeGroups(img *metadata.Image, groups []string) (allowed []string, denied []kmsg.DescribeGroupsResponseGroup) {
	for _, g := range groups {
		if c.mayGroup(img, metadata.ACLOperationDescribe, g) {
			allowed = append(allowed, g)
			continue
		}
		dg := kmsg.NewDescribeGroupsResponseGroup()
		dg.Group, dg.ErrorCode = g, kerr.GroupAuthorizationFailed.Code
		dg.AuthorizedOperations = authorizedOperationsOmitted
		denied = append(denied, dg)
	}
	return allowed, denied
}

// authorizeDeleteGroups splits the groups into those the client may delete and the
// refusals of the others.
func (c *clientConn) authorizeDeleteGroups(img *metadata.Image, groups []string) (allowed []string, denied []kmsg.DeleteGroupsResponseGroup) {
	for _, g := range groups {
		if c.mayGroup(img, metadata.ACLOperationDelete, g) {
			allowed = append(allowed, g)
			continue
		}
		dg := kmsg.NewDeleteGroupsResponseGroup()
		dg.Group, dg.ErrorCode = g, kerr.GroupAuthorizationFailed.Code
		denied = append(denied, dg)
	}
	return allowed, denied
}

// authorizeOffsetFetch rewrites an OffsetFetch answer for what the client may see:
// a group it may not describe answers GROUP_AUTHORIZATION_FAILED and nothing else; a
// topic it may not describe is left out of an answer for every topic, and its
// requested partitions answer TOPIC_AUTHORIZATION_FAILED with no offset.
func (c *clientConn) authorizeOffsetFetch(img *metadata.Image, req *kmsg.OffsetFetchRequest, resp *kmsg.OffsetFetchResponse) {
	describable := map[string]bool{}
	mayTopic := func(name string) bool {
		v, ok := describable[name]
		if !ok {
			v = c.authorized(img, metadata.ACLOperationDescribe, metadata.ACLResourceTopic, name)
			describable[name] = v
		}
		return v
	}
	if req.Version >= 8 {
		for i := range resp.Groups {
			sg := &resp.Groups[i]
			if !c.mayGroup(img, metadata.ACLOperationDescribe, sg.Group) {
				sg.ErrorCode, sg.Topics = kerr.GroupAuthorizationFailed.Code, nil
				continue
			}
			all := i < len(req.Groups) && req.Groups[i].Topics == nil
			kept := sg.Topics[:0]
			for _, st := range sg.Topics {
				if !mayTopic(st.Topic) {
					if all {
						continue
					}
					for j := range st.Partitions {
						sp := &st.Partitions[j]
						sp.Offset, sp.LeaderEpoch, sp.Metadata, sp.ErrorCode = -1, -1, new(string), kerr.TopicAuthorizationFailed.Code
					}
				}
				kept = append(kept, st)
			}
			sg.Topics = kept
		}
		return
	}
	if !c.mayGroup(img, metadata.ACLOperationDescribe, req.Group) {
		resp.Topics = nil
		if req.Version >= 2 {
			resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
			return
		}
		for _, t := range req.Topics {
			rt := kmsg.NewOffsetFetchResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewOffsetFetchResponseTopicPartition()
				rp.Partition, rp.Offset, rp.ErrorCode = p, -1, kerr.GroupAuthorizationFailed.Code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return
	}
	kept := resp.Topics[:0]
	for _, st := range resp.Topics {
		if !mayTopic(st.Topic) {
			if req.Topics == nil {
				continue
			}
			for j := range st.Partitions {
				sp := &st.Partitions[j]
				sp.Offset, sp.LeaderEpoch, sp.Metadata, sp.ErrorCode = -1, -1, new(string), kerr.TopicAuthorizationFailed.Code
			}
		}
		kept = append(kept, st)
	}
	resp.Topics = kept
}
