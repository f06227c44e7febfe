package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTLSListener: a broker listener mapped to SSL serves TLS from a PKCS12 keystore
// made with openssl, asking client certificates (ssl.client.auth=required). A client
// that trusts the CA and shows alice's certificate creates a topic, produces and
// consumes in a group (franz-go), and kcat (librdkafka) reads the same records; a client
// without a certificate is refused, and so is a plaintext client on the TLS port.
func TestTLSListener(t *testing.T) {
	pki := makePKI(t)
	n := StartSingleNodeOn(t, "SSL", pki.brokerTLS("required")...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	alice := newClient(t, n.BrokerAddr, kgo.DialTLSConfig(pki.clientTLS(t, true)), kgo.DefaultProduceTopic("secure"))
	if resp, err := kadm.NewClient(alice).CreateTopic(ctx, 2, 1, nil, "secure"); err != nil || resp.Err != nil {
		t.Fatalf("create topic over TLS: %v %v", err, resp.Err)
	}
	var produced []string
	for i := range 50 {
		v := fmt.Sprintf("secret-%02d", i)
		produced = append(produced, v)
		if err := alice.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce over TLS: %v", err)
		}
	}
	consumer := newClient(t, n.BrokerAddr, kgo.DialTLSConfig(pki.clientTLS(t, true)), kgo.ConsumeTopics("secure"),
		kgo.ConsumerGroup("secure-readers"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := readValues(consumer, len(produced))
	slices.Sort(got) // two partitions interleave the records
	checkAcked(t, produced, got)

	out, err := exec.CommandContext(ctx, "kcat", "-b", n.BrokerAddr, "-X", "security.protocol=ssl",
		"-X", "ssl.ca.location="+pki.caCert, "-X", "ssl.certificate.location="+pki.clientCert, "-X", "ssl.key.location="+pki.clientKey,
		"-C", "-t", "secure", "-o", "beginning", "-e", "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat over TLS: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != len(produced) {
		t.Fatalf("kcat read %d records over TLS, want %d:\n%s", len(got), len(produced), out)
	}

	for name, opts := range map[string][]kgo.Opt{
		"a TLS client without a certificate": {kgo.DialTLSConfig(pki.clientTLS(t, false))},
		"a plaintext client":                 nil,
	} {
		cl := newClient(t, n.BrokerAddr, append(opts, kgo.RequestRetries(0), kgo.RetryTimeout(2*time.Second))...)
		pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
		err := cl.Ping(pctx)
		pcancel()
		if err == nil {
			t.Errorf("%s was served", name)
		}
	}
}

// TestTLSReplication: ZooKeeper-mode brokers replicate over their SSL listener
// (inter.broker.listener.name=SSL, client certificates required there): followers
// fetch from the leader over TLS with their keystore as client certificate, so acks=all
// produces with min.insync.replicas=2 succeed and every ISR holds all three brokers.
func TestTLSReplication(t *testing.T) {
	pki := makePKI(t)
	c := StartZKClusterWith(t, 3, func(_ int, addr string) []string {
		return []string{fmt.Sprintf("listeners=PLAINTEXT://%s,SSL://127.0.0.1:%d", addr, freePort(t))}
	}, append(pki.brokerTLS("required"), "inter.broker.listener.name=SSL")...)
	adm := kadm.NewClient(c.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	minISR := "2"
	if resp, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, "replicated"); err != nil || resp.Err != nil {
		t.Fatalf("create topic: %v %v", err, resp.Err)
	}
	p := c.Client(kgo.DefaultProduceTopic("replicated"), kgo.RequiredAcks(kgo.AllISRAcks()))
	var produced []string
	for i := range 60 {
		v := fmt.Sprintf("replicated-%02d", i)
		produced = append(produced, v)
		if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("acks=all produce over TLS replication: %v", err)
		}
	}
	WaitFor(t, 30*time.Second, "every ISR holding all three brokers", func() bool {
		td, err := adm.ListTopics(ctx, "replicated")
		if err != nil {
			return false
		}
		for _, part := range td["replicated"].Partitions {
			if len(part.ISR) != 3 {
				return false
			}
		}
		return true
	})
	for _, b := range c.Brokers {
		if strings.Contains(b.Log(), "tls:") {
			t.Errorf("broker %s logged a TLS failure", b.BrokerAddr)
		}
	}
	got := readValues(c.Client(kgo.ConsumeTopics("replicated"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())), len(produced))
	slices.Sort(got)
	checkAcked(t, produced, got)
}
