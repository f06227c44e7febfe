package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// frame builds a request: size, api key, version, correlation id, client id, body.
func frame(key, version int16, corr int32, body []byte) []byte {
	b := []byte{0, 0, 0, 0}
	b = kbin.AppendInt16(b, key)
	b = kbin.AppendInt16(b, version)
	b = kbin.AppendInt32(b, corr)
	b = kbin.AppendNullableString(b, strp("malformed-test"))
	b = append(b, body...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// expectClosed checks the broker closes the connection after the frame.
func expectClosed(t *testing.T, addr string, payload []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(payload); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("broker did not close the connection: %v", err)
	}
}

// TestMalformedRequests sends what a broken client might, checks each gets Kafka's
// answer or a closed connection, and that the broker keeps serving everyone else.
func TestMalformedRequests(t *testing.T) {
	n := StartSingleNode(t)
	healthy, err := net.Dial("tcp", n.BrokerAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.Close()

	t.Run("unknown api key", func(t *testing.T) { expectClosed(t, n.BrokerAddr, frame(9999, 0, 1, nil)) })
	t.Run("unsupported produce version", func(t *testing.T) { expectClosed(t, n.BrokerAddr, frame(0, 99, 1, nil)) })
	t.Run("truncated metadata body", func(t *testing.T) { expectClosed(t, n.BrokerAddr, frame(3, 9, 1, []byte{0, 5})) })
	t.Run("garbage", func(t *testing.T) { expectClosed(t, n.BrokerAddr, []byte{0, 0, 0, 3, 1, 2, 3}) })
	t.Run("oversized request", func(t *testing.T) {
		expectClosed(t, n.BrokerAddr, []byte{0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0})
	})
	t.Run("negative size", func(t *testing.T) { expectClosed(t, n.BrokerAddr, []byte{0xff, 0xff, 0xff, 0xf0}) })

	t.Run("ApiVersions from the future (KIP-511)", func(t *testing.T) {
		c, err := net.Dial("tcp", n.BrokerAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write(frame(18, 99, 42, []byte{0, 0xde, 0xad})); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		var size int32
		if err := binary.Read(r, binary.BigEndian, &size); err != nil {
			t.Fatal(err)
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatal(err)
		}
		if corr := int32(binary.BigEndian.Uint32(body)); corr != 42 {
			t.Fatalf("correlation id %d", corr)
		}
		resp := kmsg.NewPtrApiVersionsResponse()
		resp.Version = 0
		if err := resp.ReadFrom(body[4:]); err != nil {
			t.Fatal(err)
		}
		if resp.ErrorCode != kerr.UnsupportedVersion.Code || len(resp.ApiKeys) == 0 {
			t.Fatalf("want UNSUPPORTED_VERSION with the api list, got code %d and %d keys", resp.ErrorCode, len(resp.ApiKeys))
		}
	})

	// The healthy connection opened before all this still works, and so do new clients.
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 3
	req.ClientSoftwareName, req.ClientSoftwareVersion = "e2e", "1"
	if _, err := healthy.Write(frameFlexible(req, 7)); err != nil {
		t.Fatal(err)
	}
	healthy.SetReadDeadline(time.Now().Add(10 * time.Second))
	var size int32
	if err := binary.Read(healthy, binary.BigEndian, &size); err != nil {
		t.Fatalf("healthy connection broken: %v", err)
	}
	io.CopyN(io.Discard, healthy, int64(size))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(newClient(t, n.BrokerAddr)).ListTopics(ctx); err != nil {
		t.Fatalf("broker stopped serving: %v", err)
	}
	if !strings.Contains(n.Log(), "closing connection") {
		t.Fatalf("closed connections were not logged:\n%s", n.Log())
	}
}

// frameFlexible frames a request with header v2 (tagged fields).
func frameFlexible(req kmsg.Request, corr int32) []byte {
	b := []byte{0, 0, 0, 0}
	b = kbin.AppendInt16(b, req.Key())
	b = kbin.AppendInt16(b, req.GetVersion())
	b = kbin.AppendInt32(b, corr)
	b = kbin.AppendNullableString(b, strp("e2e"))
	if req.IsFlexible() {
		b = append(b, 0)
	}
	b = req.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}
