package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kbridge/kbridge/kwire"
)

// controllerTLS is the server.properties lines of a controller listener served with
// TLS from the test PKI, asking client certificates as clientAuth says, set under the
// listener's own prefix (listener.name.controller.ssl.*) as Kafka resolves them.
func (p testPKI) controllerTLS(clientAuth string) []string {
	var out []string
	for _, l := range p.brokerTLS(clientAuth) {
		out = append(out, "listener.name.controller."+l)
	}
	return out
}

// controllerPLAIN is the server.properties lines of a SASL controller listener with
// PLAIN: every node authenticates as "kbridge" (the username and password of the
// listener's JAAS config), the controllers know "kbridge", "admin" and "alice".
var controllerPLAIN = []string{
	"sasl.mechanism.controller.protocol=PLAIN",
	"listener.name.controller.sasl.enabled.mechanisms=PLAIN",
	`listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="kbridge" password="kbridge-secret" user_kbridge="kbridge-secret" user_admin="admin-secret" user_alice="alice-secret";`,
}

// TestControllerListenerTLS: a 3+3 KRaft cluster whose controller listener is mapped
// to SSL with client certificates required. Raft between the controllers, the
// brokers' metadata fetches, registrations and heartbeats, and forwarded admin writes
// all run over mutual TLS with the nodes' keystore as client certificate: topics are
// created, RF=3 acks=all records are produced and consumed, and after the active
// controller is killed a new one is elected and a topic created through it. A
// plaintext client of the controller port, and a TLS client without a certificate,
// are refused.
func TestControllerListenerTLS(t *testing.T) {
	pki := makePKI(t)
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 3, ControllerProtocol: "SSL", Extra: pki.controllerTLS("required")})
	live := c.Controllers[checkClusterServes(t, c, "tls")-1].BrokerAddr

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mtls := pki.clientTLS(t, true)
	conn, err := kwire.DialWith(ctx, live, "e2e", kwire.TLSDialer(func(string) (*tls.Config, error) { return mtls, nil }))
	if err != nil {
		t.Fatalf("a client with a certificate the CA signed: %v", err)
	}
	conn.Close()
	for name, dial := range map[string]kwire.Dialer{
		"a plaintext client":                 kwire.DialTCP,
		"a TLS client without a certificate": kwire.TLSDialer(func(string) (*tls.Config, error) { return pki.clientTLS(t, false), nil }),
	} {
		if conn, err := kwire.DialWith(ctx, live, "e2e", dial); err == nil {
			conn.Close()
			t.Errorf("%s was served by the controller listener", name)
		}
	}
}

// checkClusterServes creates a topic with three replicas, produces to it with
// acks=all and reads every record back; then kills the active controller, waits for
// another to lead, and does it again on a second topic, so that Raft, the brokers'
// controller links and forwarding are shown to work across a failover. opts are the
// clients' (their listener's security). It returns the new leader's node id.
func checkClusterServes(t *testing.T, c *Cluster, prefix string, opts ...kgo.Opt) int32 {
	t.Helper()
	cl := c.Client(opts...)
	adm := kadm.NewClient(cl)
	old := quorumLeaderOf(t, cl)
	produceAndConsume(t, c, adm, prefix+"-before", opts...)
	c.Controllers[old-1].Kill()
	var leader int32
	WaitFor(t, 20*time.Second, "a new quorum leader", func() bool {
		leader = quorumLeaderOf(t, cl)
		return leader > 0 && leader != old
	})
	t.Logf("controller %d killed, controller %d leads", old, leader)
	produceAndConsume(t, c, adm, prefix+"-after", opts...)
	return leader
}

// quorumLeaderOf asks a broker for the metadata quorum's leader (DescribeQuorum,
// which the broker forwards over its controller link), -1 when none is known.
func quorumLeaderOf(t *testing.T, cl *kgo.Client) int32 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	resp, err := describeQuorumRequest().RequestWith(ctx, cl)
	if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		return -1
	}
	return resp.Topics[0].Partitions[0].LeaderID
}

// produceAndConsume creates topic with three replicas and min.insync.replicas=2,
// produces 50 records with acks=all and checks that a consumer reads all of them.
func produceAndConsume(t *testing.T, c *Cluster, adm *kadm.Client, topic string, opts ...kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil || resp.Err != nil {
		t.Fatalf("create topic %s: %v %v", topic, err, resp.Err)
	}
	producer := c.Client(append(opts, kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	var produced []string
	for i := range 50 {
		v := fmt.Sprintf("%s-%02d", topic, i)
		produced = append(produced, v)
		if err := producer.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce to %s with acks=all: %v", topic, err)
		}
	}
	consumer := c.Client(append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	checkAcked(t, produced, readValues(consumer, len(produced)))
}

// brokersSCRAM is the server.properties lines of SASL_SSL broker listeners that
// replicate over themselves with SCRAM-SHA-512 as "broker", whose credential, like
// alice's, `storage format --add-scram` gives the cluster (scramUsers).
func (p testPKI) brokersSCRAM() []string {
	out := []string{
		"listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512",
		"sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
		`listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";`,
	}
	for _, l := range p.brokerTLS("none") {
		out = append(out, "listener.name.sasl_ssl."+l)
	}
	return out
}

// scramUsers are the `storage format` arguments that give a new cluster its SCRAM
// users: the brokers' own and alice, a client.
var scramUsers = []string{
	"--add-scram", "SCRAM-SHA-512=[name=broker,password=broker-secret]",
	"--add-scram", "SCRAM-SHA-512=[name=alice,password=alice-secret]",
}

// TestControllerListenerSASL: a 3+3 KRaft cluster whose controller listener is mapped
// to SASL_SSL with PLAIN and whose brokers replicate over SASL_SSL with SCRAM-SHA-512.
// Raft streams authenticate right after their magic byte, the brokers' and
// controllers' Kafka connections to the controllers and the replica fetchers with
// SaslHandshake and SaslAuthenticate, all with their JAAS config's username and
// password: topics are created, RF=3 acks=all records produced and consumed by alice,
// across a failover of the active controller. A TLS client of the controller port
// that does not authenticate is served nothing but ApiVersions, a wrong password is
// refused with SASL_AUTHENTICATION_FAILED, and the admin endpoint answers 401 without
// Basic credentials or with wrong ones, 200 with a user of the listener.
func TestControllerListenerSASL(t *testing.T) {
	pki := makePKI(t)
	alice := scram.Auth{User: "alice", Pass: "alice-secret"}.AsSha512Mechanism()
	brokerTLS := kwire.TLSDialer(func(string) (*tls.Config, error) { return pki.clientTLS(t, false), nil })
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 3, ControllerProtocol: "SASL_SSL", BrokerListener: "SASL_SSL",
		Extra:          append(append(pki.controllerTLS("none"), controllerPLAIN...), pki.brokersSCRAM()...),
		FormatArgs:     scramUsers,
		BrokerSecurity: kwire.Security{Dial: brokerTLS, SASL: alice}})
	live := c.Controllers[checkClusterServes(t, c, "sasl", kgo.DialTLSConfig(pki.clientTLS(t, false)), kgo.SASL(alice))-1].BrokerAddr

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tlsOnly := kwire.Security{Dial: kwire.TLSDialer(func(string) (*tls.Config, error) { return pki.clientTLS(t, false), nil })}
	conn, err := kwire.DialWith(ctx, live, "e2e", tlsOnly.Dialer())
	if err != nil {
		t.Fatalf("ApiVersions before SASL authentication: %v", err)
	}
	if _, err := conn.Request(ctx, describeQuorumRequest()); err == nil {
		t.Error("DescribeQuorum was served to a connection that did not authenticate")
	}
	conn.Close()
	wrong := tlsOnly
	wrong.SASL = plain.Auth{User: "admin", Pass: "guess"}.AsMechanism()
	if _, err := kwire.DialWith(ctx, live, "e2e", wrong.Dialer()); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("a wrong password on the controller listener: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	right := tlsOnly
	right.SASL = plain.Auth{User: "admin", Pass: "admin-secret"}.AsMechanism()
	conn, err = kwire.DialWith(ctx, live, "e2e", right.Dialer())
	if err != nil {
		t.Fatalf("admin on the controller listener: %v", err)
	}
	if _, err := conn.Request(ctx, describeQuorumRequest()); err != nil {
		t.Errorf("DescribeQuorum as admin: %v", err)
	}
	conn.Close()

	for _, tt := range []struct {
		name       string
		user, pass string
		want       int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"a wrong password", "admin", "guess", http.StatusUnauthorized},
		{"admin", "admin", "admin-secret", http.StatusOK},
	} {
		if got := adminStatus(t, pki.clientTLS(t, false), live, tt.user, tt.pass); got != tt.want {
			t.Errorf("admin endpoint, %s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// describeQuorumRequest asks for the metadata quorum's state.
func describeQuorumRequest() *kmsg.DescribeQuorumRequest {
	req := kmsg.NewPtrDescribeQuorumRequest()
	topic := kmsg.NewDescribeQuorumRequestTopic()
	topic.Topic = "__cluster_metadata"
	topic.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = []kmsg.DescribeQuorumRequestTopic{topic}
	return req
}

// adminStatus sends GET /v1/state to the admin endpoint at addr over TLS, with Basic
// credentials unless user is empty, and returns the status.
func adminStatus(t *testing.T, tc *tls.Config, addr, user, pass string) int {
	t.Helper()
	code, _ := httpGet(t, tlsClient(tc), "https://"+addr+"/v1/state", user, pass)
	return code
}
