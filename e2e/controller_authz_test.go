package e2e

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/kwire"
)

// TestControllerListenerAuthorization: with an authorizer, the controller listener
// serves its APIs only to principals that may act on the cluster, as Kafka's
// ControllerApis does. The nodes (User:kbridge, a super user) register, replicate
// metadata and forward writes as before — a topic is created through a broker —
// while alice, who authenticates on the controller port but is no super user, gets
// CLUSTER_AUTHORIZATION_FAILED for CreateAcls, CreateTopics, DescribeQuorum and a
// broker registration, and what she tried is not in the metadata; the admin (a super
// user) may describe the quorum.
func TestControllerListenerAuthorization(t *testing.T) {
	pki := makePKI(t)
	c := StartClusterWith(t, ClusterSpec{Controllers: 1, Brokers: 1, ControllerProtocol: "SASL_SSL",
		Extra: append(append(pki.controllerTLS("none"), controllerPLAIN...),
			"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
			// The harness's PLAINTEXT clients of the broker are User:ANONYMOUS; on the
			// SASL controller listener no one is.
			"super.users=User:admin;User:kbridge;User:ANONYMOUS")})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(c.Client())
	if resp, err := adm.CreateTopic(ctx, 1, 1, nil, "through-a-broker"); err != nil || resp.Err != nil {
		t.Fatalf("create a topic through the broker (forwarded by User:kbridge): %v %v", err, resp.Err)
	}

	dial := func(user, password string) *kwire.Conn {
		t.Helper()
		sec := kwire.Security{Dial: kwire.TLSDialer(func(string) (*tls.Config, error) { return pki.clientTLS(t, false), nil }),
			SASL: plain.Auth{User: user, Pass: password}.AsMechanism()}
		conn, err := kwire.DialWith(ctx, c.Controllers[0].BrokerAddr, "e2e", sec.Dialer())
		if err != nil {
			t.Fatalf("%s on the controller listener: %v", user, err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	alice := dial("alice", "alice-secret")

	acl := kmsg.NewPtrCreateACLsRequest()
	creation := kmsg.NewCreateACLsRequestCreation()
	creation.ResourceType, creation.ResourceName, creation.ResourcePatternType = kmsg.ACLResourceTypeTopic, "through-a-broker", kmsg.ACLResourcePatternTypeLiteral
	creation.Principal, creation.Host = "User:alice", "*"
	creation.Operation, creation.PermissionType = kmsg.ACLOperationAll, kmsg.ACLPermissionTypeAllow
	acl.Creations = append(acl.Creations, creation)
	if resp, err := alice.Request(ctx, acl); err != nil || resp.(*kmsg.CreateACLsResponse).Results[0].ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Errorf("alice's CreateAcls on the controller: %v %+v, want CLUSTER_AUTHORIZATION_FAILED", err, resp)
	}
	topics := kmsg.NewPtrCreateTopicsRequest()
	topic := kmsg.NewCreateTopicsRequestTopic()
	topic.Topic, topic.NumPartitions, topic.ReplicationFactor = "alices-topic", 1, 1
	topics.Topics = append(topics.Topics, topic)
	if resp, err := alice.Request(ctx, topics); err != nil || resp.(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Errorf("alice's CreateTopics on the controller: %v %+v, want CLUSTER_AUTHORIZATION_FAILED", err, resp)
	}
	if resp, err := alice.Request(ctx, describeQuorumRequest()); err != nil || resp.(*kmsg.DescribeQuorumResponse).ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Errorf("alice's DescribeQuorum: %v %+v, want CLUSTER_AUTHORIZATION_FAILED", err, resp)
	}
	reg := kmsg.NewPtrBrokerRegistrationRequest()
	reg.BrokerID = 999
	if resp, err := alice.Request(ctx, reg); err != nil || resp.(*kmsg.BrokerRegistrationResponse).ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Errorf("alice's BrokerRegistration: %v %+v, want CLUSTER_AUTHORIZATION_FAILED", err, resp)
	}
	if resp, err := dial("admin", "admin-secret").Request(ctx, describeQuorumRequest()); err != nil || resp.(*kmsg.DescribeQuorumResponse).ErrorCode != 0 {
		t.Errorf("the admin's DescribeQuorum: %v %+v", err, resp)
	}

	described, err := adm.DescribeACLs(ctx, kadm.NewACLs().AnyResource().Allow().AllowHosts().Operations(kadm.OpAny).ResourcePatternType(kadm.ACLPatternAny))
	if err == nil && len(described) == 1 {
		err = described[0].Err
	}
	if err != nil || len(described) != 1 || len(described[0].Described) != 0 {
		t.Errorf("ACLs after alice's attempt: %v %+v, want none", err, described)
	}
	if listed, err := adm.ListTopics(ctx); err != nil || listed.Has("alices-topic") {
		t.Errorf("topics after alice's attempt: %v %v", listed.Names(), err)
	}
}
