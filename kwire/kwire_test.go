package kwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// serveOne answers requests on one connection with ParseRequest and AppendResponse:
// ApiVersions lists Metadata up to maxMetadata; Metadata answers one broker.
func serveOne(t *testing.T, conn net.Conn, maxMetadata int16) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		var size [4]byte
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		hdr, req, body, err := ParseRequest(frame)
		if err != nil {
			t.Errorf("parse request: %v", err)
			return
		}
		if err := req.ReadFrom(body); err != nil {
			t.Errorf("read %s body: %v", kmsg.NameForKey(hdr.Key), err)
			return
		}
		var resp kmsg.Response
		switch req := req.(type) {
		case *kmsg.ApiVersionsRequest:
			av := req.ResponseKind().(*kmsg.ApiVersionsResponse)
			for _, k := range []int16{3, 18} {
				ak := kmsg.NewApiVersionsResponseApiKey()
				ak.ApiKey, ak.MaxVersion = k, 4
				if k == 3 {
					ak.MaxVersion = maxMetadata
				}
				av.ApiKeys = append(av.ApiKeys, ak)
			}
			resp = av
		case *kmsg.MetadataRequest:
			md := req.ResponseKind().(*kmsg.MetadataResponse)
			b := kmsg.NewMetadataResponseBroker()
			b.NodeID, b.Host, b.Port = 7, "h", 9092
			md.Brokers = append(md.Brokers, b)
			resp = md
		}
		resp.SetVersion(hdr.Version)
		if _, err := conn.Write(AppendResponse(nil, hdr, resp)); err != nil {
			return
		}
	}
}

func listen(t *testing.T, maxMetadata int16) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveOne(t, c, maxMetadata)
		}
	}()
	return ln.Addr().String()
}

// TestClientRoundTrip: requests go at the highest version both sides know, through
// the same framing the servers use, and a flexible and a non-flexible version both
// decode.
func TestClientRoundTrip(t *testing.T) {
	for _, maxV := range []int16{8, 12} {
		addr := listen(t, maxV)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c := NewClient(addr, "test")
		defer c.Close()
		req := kmsg.NewPtrMetadataRequest()
		resp, err := c.Request(ctx, req)
		if err != nil {
			t.Fatalf("metadata v%d: %v", maxV, err)
		}
		if req.Version != maxV {
			t.Fatalf("request sent at v%d, want v%d", req.Version, maxV)
		}
		md := resp.(*kmsg.MetadataResponse)
		if len(md.Brokers) != 1 || md.Brokers[0].NodeID != 7 || md.Brokers[0].Port != 9092 {
			t.Fatalf("metadata v%d decoded as %+v", maxV, md.Brokers)
		}
	}
}

// TestClientUnservedKey: an API the server does not list fails without a round trip,
// and the connection stays usable.
func TestClientUnservedKey(t *testing.T) {
	addr := listen(t, 12)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := NewClient(addr, "test")
	defer c.Close()
	if _, err := c.Request(ctx, kmsg.NewPtrBrokerHeartbeatRequest()); !errors.Is(err, kerr.UnsupportedVersion) {
		t.Fatalf("heartbeat to a server without it: %v, want UNSUPPORTED_VERSION", err)
	}
	if _, err := c.Request(ctx, kmsg.NewPtrMetadataRequest()); err != nil {
		t.Fatalf("metadata after a refused key: %v", err)
	}
}

// TestParseRequestRejectsGarbage: a truncated header is an error, never a panic.
func TestParseRequestRejectsGarbage(t *testing.T) {
	for _, frame := range [][]byte{nil, {0, 3}, {0, 3, 0, 12, 0, 0}, {0x7f, 0x7f, 0, 0, 0, 0, 0, 1, 0xff, 0xff}} {
		if _, _, _, err := ParseRequest(frame); err == nil {
			t.Fatalf("frame %x parsed without error", frame)
		}
	}
}

// TestClientContextCancel: a cancelled context ends a request that gets no answer.
func TestClientContextCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(5 * time.Second)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Dial(ctx, ln.Addr().String(), "test"); err == nil {
		t.Fatal("dial to a silent server succeeded")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("cancel took %v", time.Since(start))
	}
}
