package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// BenchmarkHandshake measures what a new client connection costs before its first
// answer: TCP connect, ApiVersions and a Metadata round trip on a PLAINTEXT listener
// without an authorizer, and the same plus TLS and a SCRAM-SHA-512 exchange on a
// SASL_SSL listener with StandardAuthorizer (Metadata checked against ACLs). Each
// iteration builds a client, pings and closes it. scripts/bench-security.sh runs it.
func BenchmarkHandshake(b *testing.B) {
	pki := makePKI(b)
	plain := StartSingleNode(b)
	_, secure := startSecuredNode(b, pki, []string{
		"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users=User:admin;User:ANONYMOUS",
	}, "--add-scram", "SCRAM-SHA-512=[name=bench,password=bench-secret]")
	for _, c := range []struct {
		name string
		addr string
		opts []kgo.Opt
	}{
		{"plaintext", plain.BrokerAddr, nil},
		{"sasl_ssl_scram512_acls", secure, []kgo.Opt{kgo.DialTLSConfig(pki.clientTLS(b, false)),
			kgo.SASL(scram.Auth{User: "bench", Pass: "bench-secret"}.AsSha512Mechanism())}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.addr)}, c.opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				if err := cl.Ping(context.Background()); err != nil {
					b.Fatal(fmt.Errorf("ping %s: %w", c.name, err))
				}
				cl.Close()
			}
		})
	}
}
