package kwire

import (
	"context"
	"errors"
	"maps"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fakeKafka serves Kafka requests on a loopback port with the package's own framing
// (FrameReader, ParseRequest, AppendResponse), answering each with answer, and
// returns its address.
func fakeKafka(t *testing.T, answer func(req kmsg.Request) kmsg.Response) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	serve := func(conn net.Conn) {
		defer conn.Close()
		frames := NewFrameReader(conn, 1<<20)
		for {
			frame, err := frames.Next()
			if err != nil {
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
			resp := answer(req)
			resp.SetVersion(hdr.Version)
			if _, err := conn.Write(AppendResponse(nil, hdr, resp)); err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// apiVersions is an ApiVersions answer listing keys up to max.
func apiVersions(req kmsg.Request, max map[int16]int16) kmsg.Response {
	av := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	for _, k := range slices.Sorted(maps.Keys(max)) {
		ak := kmsg.NewApiVersionsResponseApiKey()
		ak.ApiKey, ak.MaxVersion = k, max[k]
		av.ApiKeys = append(av.ApiKeys, ak)
	}
	return av
}

// listen is a fake broker whose ApiVersions lists Metadata up to maxMetadata and
// whose Metadata answers one broker.
func listen(t *testing.T, maxMetadata int16) string {
	return fakeKafka(t, func(req kmsg.Request) kmsg.Response {
		if _, ok := req.(*kmsg.ApiVersionsRequest); ok {
			return apiVersions(req, map[int16]int16{3: maxMetadata, 18: 4})
		}
		md := req.ResponseKind().(*kmsg.MetadataResponse)
		b := kmsg.NewMetadataResponseBroker()
		b.NodeID, b.Host, b.Port = 7, "h", 9092
		md.Brokers = append(md.Brokers, b)
		return md
	})
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
