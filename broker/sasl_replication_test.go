package broker

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/kwire"
)

// TestReplicationOverSASL: with the inter-broker listener mapped to SASL_PLAINTEXT,
// a follower's replica fetcher authenticates with sasl.mechanism.inter.broker.protocol
// and the username and password of the listener's JAAS config, so an acks=all
// produce to the leader is acknowledged once the follower has fetched it; the leader
// knows the connection's principal, User:broker.
func TestReplicationOverSASL(t *testing.T) {
	c := newCluster(t, 2,
		"listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
		"sasl.enabled.mechanisms=PLAIN",
		"sasl.mechanism.inter.broker.protocol=PLAIN",
		`listener.name.plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_alice="alice-secret";`,
	)
	alice := kwire.Security{SASL: plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism()}
	for _, n := range c.nodes {
		n.client.Close()
		n.client = kwire.NewClientWith(n.addr, "alice", alice.Dialer())
	}
	c.createTopic("t", []int32{1, 2}, 1, []int32{1, 2}, nil)
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce: error %d", sp.ErrorCode)
	}
	c.waitForLogs("t", 3, 1, 2)
	waitFor(t, "the leader to log the follower's principal", func() bool {
		return strings.Contains(c.logs.String(), "principal=User:broker")
	})
}
