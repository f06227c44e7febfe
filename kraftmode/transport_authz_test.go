package kraftmode

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/saslserver"
)

// TestStreamLayerRefusesUnauthorizedPrincipals: with an authorizer, a Raft connection
// whose principal may not act on the cluster is closed after authenticating and never
// reaches Raft, while a super user's is handed over.
func TestStreamLayerRefusesUnauthorizedPrincipals(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	server := NewStreamLayer(ln.Addr(), StreamOptions{
		Mechanisms:     []saslserver.Mechanism{saslserver.Plain(map[string]string{"ctl": "ctl-secret", "alice": "alice-secret"})},
		MaxRequestSize: 1 << 20,
		Authorize:      func(principal, _ string) bool { return principal == "User:ctl" },
		Logger:         testLogger(t),
	})
	defer server.Close()
	go handOffRaftConns(ln, server)
	addr := raft.ServerAddress(ln.Addr().String())
	dial := func(user string) net.Conn {
		t.Helper()
		c, err := NewStreamLayer(ln.Addr(), StreamOptions{Client: kwire.Security{SASL: plain.Auth{User: user, Pass: user + "-secret"}.AsMechanism()}}).Dial(addr, time.Second)
		if err != nil {
			t.Fatalf("dial as %s: %v", user, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := server.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()

	alice := dial("alice")
	alice.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := alice.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("alice's Raft connection: read %v, want the server to close it", err)
	}
	dial("ctl")
	c := <-accepted
	defer c.Close()
	select {
	case extra := <-accepted:
		extra.Close()
		t.Error("two connections reached Raft; alice's was refused")
	default:
	}
}
