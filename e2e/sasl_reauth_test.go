package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/kwire"
)

// expiredSession is what the broker logs when it closes a connection whose SASL
// session expired without re-authentication.
const expiredSession = "expired at"

// TestSASLReauthentication: with listener.name.<l>.plain.connections.max.reauth.ms=3000
// (KIP-368) a SASL listener announces a 3 s session lifetime; franz-go re-authenticates
// on its own connections and produces for three lifetimes without the broker closing
// any of them, while a client that does not re-authenticate is closed at its first
// request after the session expired.
func TestSASLReauthentication(t *testing.T) {
	n := StartSingleNodeOn(t, "SASL_PLAINTEXT",
		"listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
		"sasl.mechanism.inter.broker.protocol=PLAIN",
		`listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_alice="alice-secret";`,
		"listener.name.sasl_plaintext.plain.connections.max.reauth.ms=3000",
	)
	alice := plain.Auth{User: "alice", Pass: "alice-secret"}.AsMechanism()
	cl := newClient(t, n.BrokerAddr, kgo.SASL(alice), kgo.DefaultProduceTopic("reauth"), kgo.AllowAutoTopicCreation())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 30; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(fmt.Sprintf("r%02d", i))}).FirstErr(); err != nil {
			t.Fatalf("produce %d across session lifetimes: %v", i, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if strings.Contains(n.Log(), expiredSession) {
		t.Fatalf("the broker closed an expired session of franz-go, which re-authenticates:\n%s", n.Log())
	}

	conn, err := kwire.DialWith(ctx, n.BrokerAddr, "no-reauth", kwire.Security{SASL: alice}.Dialer())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Request(ctx, kmsg.NewPtrMetadataRequest()); err != nil {
		t.Fatalf("a request within the session: %v", err)
	}
	time.Sleep(3500 * time.Millisecond)
	if _, err := conn.Request(ctx, kmsg.NewPtrMetadataRequest()); err == nil {
		t.Fatal("a request after the session expired was served")
	}
	WaitFor(t, 5*time.Second, "the broker to log the expired session it closed", func() bool {
		return strings.Contains(n.Log(), expiredSession)
	})
}
