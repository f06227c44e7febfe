package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// fetchAuth is a fetch request's authorization (KafkaApis.handleFetchRequest): a
// follower's fetch needs ClusterAction on the cluster, once for the request; a
// consumer's needs Read on each topic. Either refusal is TOPIC_AUTHORIZATION_FAILED
// for the partitions, decided once per request however often a long poll re-reads them.
type fetchAuth struct {
	c        *clientConn
	follower bool
	cluster  *bool
	topics   map[string]bool
}

// newFetchAuth is nil without an authorizer: every fetch is allowed, and the fetch
// path (every follower's round, every consumer poll) allocates nothing for it.
func newFetchAuth(c *clientConn, replica replicaFetch) *fetchAuth {
	if c.b.authz == nil {
		return nil
	}
	return &fetchAuth{c: c, follower: replica.id >= 0, topics: map[string]bool{}}
}

// check returns the error of a partition of topic name, given the error its lookup
// found (nil, or UNKNOWN_TOPIC_OR_PARTITION: an unauthorized client must not learn
// whether a topic exists).
func (a *fetchAuth) check(img *metadata.Image, name string, lookupErr error) error {
	if a == nil {
		return lookupErr
	}
	var ok bool
	if a.follower {
		if a.cluster == nil {
			v := a.c.authorizedCluster(img, metadata.ACLOperationClusterAction)
			a.cluster = &v
			if !v && !a.c.warnedReplicaRefusal {
				a.c.warnedReplicaRefusal = true
				a.c.log.Warn("refusing a replica's fetch: its principal has no ClusterAction on the cluster; brokers must authenticate as super users (docs/security.md)",
					"principal", a.c.session().Principal)
			}
		}
		ok = *a.cluster
	} else {
		v, seen := a.topics[name]
		if !seen {
			v = a.c.authorized(img, metadata.ACLOperationRead, metadata.ACLResourceTopic, name)
			a.topics[name] = v
		}
		ok = v
	}
	if !ok {
		return kerr.TopicAuthorizationFailed
	}
	return lookupErr
}
