package broker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// panickingKey is an API the broker does not serve, registered by this test binary
// only with a handler that panics (GetTelemetrySubscriptions, KIP-714).
const panickingKey = 71

func init() {
	regKey(panickingKey, 0, 0, func(*Broker, *clientConn, *requestHeader, kmsg.Request) (kmsg.Response, error) {
		panic("a handler bug")
	})
}

// TestHandlerPanicClosesOnlyItsConnection: a handler that panics closes the
// connection whose request hit it, and nothing else: another client's open connection
// and new clients go on being served, and the stack is logged once.
func TestHandlerPanicClosesOnlyItsConnection(t *testing.T) {
	c := newCluster(t, 1)
	addr := c.nodes[1].addr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bystander, err := kwire.Dial(ctx, addr, "bystander")
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close()
	culprit, err := kwire.Dial(ctx, addr, "culprit")
	if err != nil {
		t.Fatal(err)
	}
	defer culprit.Close()

	start := time.Now()
	_, err = culprit.Request(ctx, kmsg.NewPtrGetTelemetrySubscriptionsRequest())
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("the panicking request's connection answered or stayed open (%v after %v)", err, time.Since(start))
	}
	if _, err := bystander.Request(ctx, kmsg.NewPtrMetadataRequest()); err != nil {
		t.Fatalf("another client's connection broke: %v", err)
	}
	fresh, err := kwire.Dial(ctx, addr, "fresh")
	if err != nil {
		t.Fatalf("a new client cannot connect: %v", err)
	}
	defer fresh.Close()
	if _, err := fresh.Request(ctx, kmsg.NewPtrApiVersionsRequest()); err != nil {
		t.Fatalf("a new client is not served: %v", err)
	}
	logs := c.logs.String()
	if n := strings.Count(logs, "request handler panicked"); n != 1 {
		t.Fatalf("the panic was logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, "a handler bug") || !strings.Contains(logs, "panic_test.go") {
		t.Fatalf("the log does not hold the panic and its stack:\n%s", logs)
	}
}
