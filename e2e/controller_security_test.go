package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// controllerTLS is the server.properties lines of a controller listener served with
// TLS from the test PKI, client certificates required, set under the listener's own
// prefix (listener.name.controller.ssl.*) as Kafka resolves them.
func (p testPKI) controllerTLS() []string {
	var out []string
	for _, l := range p.brokerTLS("required") {
		out = append(out, "listener.name.controller."+l)
	}
	return out
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
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 3, ControllerProtocol: "SSL", Extra: pki.controllerTLS()})
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
	req := kmsg.NewPtrDescribeQuorumRequest()
	topic := kmsg.NewDescribeQuorumRequestTopic()
	topic.Topic = "__cluster_metadata"
	topic.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = []kmsg.DescribeQuorumRequestTopic{topic}
	resp, err := req.RequestWith(ctx, cl)
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
